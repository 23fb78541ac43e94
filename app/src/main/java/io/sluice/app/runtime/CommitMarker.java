package io.sluice.app.runtime;

import io.sluice.app.load.RawKafkaRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * Writes the COMMIT marker a coordinator decided and never wrote, on one partition: the WriteTxnMarkers request a
 * coordinator sends to a partition leader (Kafka's Admin API can only abort: {@code abortTransaction} sends the
 * same request with ABORT). Needs the cluster's CLUSTER_ACTION permission and, as written, a PLAINTEXT listener;
 * elsewhere it refuses, and the transaction is reported for an operator instead.
 */
final class CommitMarker {
    private static final short VERSION = ApiKeys.WRITE_TXN_MARKERS.latestVersion();

    private CommitMarker() {}

    /** Whether markers can be written with {@code client}'s settings. */
    static boolean supported(Map<String, Object> client) {
        Object protocol = client.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        return "PLAINTEXT".equalsIgnoreCase(String.valueOf(protocol));
    }

    /** Commits {@code producerId}'s open transaction at {@code epoch} on {@code partition}. */
    static void write(Admin admin, TopicPartition partition, long producerId, int epoch, int coordinatorEpoch)
            throws Exception {
        Node leader = admin.describeTopics(List.of(partition.topic())).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(partition.topic()).partitions().get(partition.partition()).leader();
        if (leader == null) {
            throw new IllegalStateException(partition + " has no leader now");
        }
        WriteTxnMarkersRequest request = new WriteTxnMarkersRequest.Builder(List.of(
                new WriteTxnMarkersRequest.TxnMarkerEntry(producerId, (short) epoch, Math.max(0, coordinatorEpoch),
                        TransactionResult.COMMIT, List.of(partition), (short) 0))).build(VERSION);
        try {
            WriteTxnMarkersResponse response = WriteTxnMarkersResponse.parse(
                    RawKafkaRequest.send(leader.host(), leader.port(), request, "sluice-transaction-watch"), VERSION);
            Errors error = response.errorsByProducerId().getOrDefault(producerId, Map.of())
                    .getOrDefault(partition, Errors.UNKNOWN_SERVER_ERROR);
            if (error != Errors.NONE) {
                throw new IllegalStateException("the leader of " + partition + " refused the COMMIT marker: "
                        + error);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not reach the leader of " + partition + " at " + leader.host()
                    + ":" + leader.port() + ": " + e, e);
        }
    }
}
