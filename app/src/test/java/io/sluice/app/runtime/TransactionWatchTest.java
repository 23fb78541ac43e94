package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which hanging transactions Sluice aborts by itself: only its own, once their producer has moved on. */
class TransactionWatchTest {
    private static final TopicPartition PARTITION = new TopicPartition("sluice.responses", 0);
    private static final String OURS = "sluice-5d1c-2";

    private static OpenTransactions.Open open(String transactionalId, TransactionDescription coordinator) {
        return new OpenTransactions.Open(PARTITION, 7, 14, 0, 120, 0, transactionalId, coordinator);
    }

    private static TransactionDescription coordinator(TransactionState state, long producerId, int epoch,
                                                      Set<TopicPartition> partitions) {
        return new TransactionDescription(1, state, producerId, epoch, 60_000, OptionalLong.empty(), partitions);
    }

    @Test
    @DisplayName("safe: our own producer, re-initialized past the transaction's epoch without this partition")
    void ownProducerMovedOnIsSafe() {
        var b = TransactionWatch.judge(open(OURS, coordinator(TransactionState.EMPTY, 7, 16, Set.of())), "sluice-",
                o -> TransactionDecisions.Decision.ABORT, true);
        assertThat(b.open().hanging()).isTrue();
        assertThat(b.safe()).isTrue();
        assertThat(b.why()).contains("re-initialized").contains("16");
    }

    @Test
    @DisplayName("not safe: no coordinator knows the producer, another application's producer, markers still being"
            + " written, or the coordinator still at the transaction's epoch")
    void everythingElseIsReported() {
        assertThat(TransactionWatch.judge(open(null, null), "sluice-", o -> TransactionDecisions.Decision.ABORT, true).safe()).isFalse();
        assertThat(TransactionWatch.judge(open("billing-3", coordinator(TransactionState.EMPTY, 7, 16, Set.of())),
                "sluice-", o -> TransactionDecisions.Decision.ABORT, true).why()).contains("another application");
        assertThat(TransactionWatch.judge(open(OURS, coordinator(TransactionState.PREPARE_COMMIT, 7, 15, Set.of())),
                "sluice-", o -> TransactionDecisions.Decision.ABORT, true).safe()).isFalse();
        assertThat(TransactionWatch.judge(open(OURS, coordinator(TransactionState.ONGOING, 7, 14, Set.of())),
                "sluice-", o -> TransactionDecisions.Decision.ABORT, true).why()).contains("not moved this producer past epoch 14");
        assertThat(TransactionWatch.judge(open(OURS, coordinator(TransactionState.EMPTY, 8, 0, Set.of())),
                "sluice-", o -> TransactionDecisions.Decision.ABORT, true).safe()).as("another producer id under the same transactional id").isFalse();
    }

    @Test
    @DisplayName("what the coordinator's log decided is the marker: COMMIT when it prepared a commit, nothing when"
            + " the log cannot be read or a COMMIT marker cannot be written")
    void theLogDecidesTheMarker() {
        var open = open(OURS, coordinator(TransactionState.EMPTY, 7, 130, Set.of()));
        assertThat(TransactionWatch.judge(open, "sluice-", o -> TransactionDecisions.Decision.COMMIT, true).repair())
                .isEqualTo(TransactionWatch.Repair.COMMIT);
        assertThat(TransactionWatch.judge(open, "sluice-", o -> TransactionDecisions.Decision.COMMIT, false))
                .satisfies(b -> assertThat(b.safe()).isFalse())
                .satisfies(b -> assertThat(b.why()).contains("do not abort it"));
        assertThat(TransactionWatch.judge(open, "sluice-", o -> TransactionDecisions.Decision.UNKNOWN, true).safe())
                .isFalse();
        assertThat(TransactionWatch.judge(open, "sluice-", o -> TransactionDecisions.Decision.ABORTED_AS_ONGOING,
                true).repair()).isEqualTo(TransactionWatch.Repair.ABORT);
    }

    @Test
    @DisplayName("a partition its coordinator lists is not hanging: the coordinator will write its marker")
    void listedPartitionIsNotHanging() {
        assertThat(open(OURS, coordinator(TransactionState.PREPARE_ABORT, 7, 15, Set.of(PARTITION))).hanging())
                .isFalse();
        assertThat(open(OURS, coordinator(TransactionState.ONGOING, 7, 14, Set.of(PARTITION))).hanging()).isFalse();
    }
}
