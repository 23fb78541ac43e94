package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.runtime.TransactionDecisions.Decision;
import io.sluice.app.runtime.TransactionDecisions.Entry;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The marker a hanging partition needs, from its coordinator's log records of that producer. */
class TransactionDecisionsTest {
    private static final TopicPartition P = new TopicPartition("sluice-accounting-status-changelog", 1);
    private static final TopicPartition OTHER = new TopicPartition("sluice.responses", 0);

    @Test
    @DisplayName("a prepared commit listing the partition, one epoch above the transaction's (transactions v2),"
            + " means COMMIT: the crash case where the coordinator dropped the markers")
    void preparedCommitMeansCommit() {
        List<Entry> log = List.of(
                new Entry(3, 128, TransactionState.ONGOING, Set.of(P), true),
                new Entry(3, 128, TransactionState.ONGOING, Set.of(P, OTHER), true),
                new Entry(3, 129, TransactionState.PREPARE_COMMIT, Set.of(P, OTHER), true),
                new Entry(3, 130, TransactionState.EMPTY, Set.of(), true));
        assertThat(TransactionDecisions.decide(log, 3, 128, P)).isEqualTo(Decision.COMMIT);
    }

    @Test
    @DisplayName("a prepared abort listing it means ABORT; an ongoing one the coordinator moved on from was aborted")
    void abortsAndOngoing() {
        assertThat(TransactionDecisions.decide(List.of(
                new Entry(3, 14, TransactionState.ONGOING, Set.of(P), true),
                new Entry(3, 15, TransactionState.PREPARE_ABORT, Set.of(P), true)), 3, 14, P)).isEqualTo(Decision.ABORT);
        assertThat(TransactionDecisions.decide(List.of(
                new Entry(3, 14, TransactionState.ONGOING, Set.of(P), true),
                new Entry(3, 16, TransactionState.EMPTY, Set.of(), true)), 3, 14, P))
                .isEqualTo(Decision.ABORTED_AS_ONGOING);
    }

    @Test
    @DisplayName("the next transaction's ongoing records do not decide this one; under transactions v1 nothing does")
    void nextTransactionAndV1() {
        assertThat(TransactionDecisions.decide(List.of(
                new Entry(3, 14, TransactionState.ONGOING, Set.of(P), true),
                new Entry(3, 15, TransactionState.PREPARE_ABORT, Set.of(P), true),
                new Entry(3, 15, TransactionState.ONGOING, Set.of(P), true)), 3, 14, P)).isEqualTo(Decision.ABORT);
        assertThat(TransactionDecisions.decide(List.of(
                new Entry(3, 14, TransactionState.PREPARE_COMMIT, Set.of(P), false)), 3, 14, P))
                .isEqualTo(Decision.UNKNOWN);
    }

    @Test
    @DisplayName("records of other producers, other epochs or other partitions do not count: never listed means ABORT")
    void unrelatedRecordsDoNotCount() {
        List<Entry> log = List.of(
                new Entry(4, 128, TransactionState.PREPARE_COMMIT, Set.of(P), true),
                new Entry(3, 127, TransactionState.PREPARE_COMMIT, Set.of(P), true),
                new Entry(3, 131, TransactionState.PREPARE_COMMIT, Set.of(P), true),
                new Entry(3, 129, TransactionState.PREPARE_COMMIT, Set.of(OTHER), true));
        assertThat(TransactionDecisions.decide(log, 3, 128, P)).isEqualTo(Decision.ABORT);
    }

    @Test
    @DisplayName("no record left of the transaction's epochs (compacted, or older than the read) means UNKNOWN, not"
            + " 'never listed'")
    void nothingLeftIsUnknown() {
        assertThat(TransactionDecisions.decide(List.of(
                new Entry(3, 140, TransactionState.EMPTY, Set.of(), true)), 3, 128, P)).isEqualTo(Decision.UNKNOWN);
        assertThat(TransactionDecisions.decide(List.of(), 3, 128, P)).isEqualTo(Decision.UNKNOWN);
    }
}
