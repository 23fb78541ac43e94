package io.sluice.app.runtime;

import io.sluice.app.load.RawKafkaRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Leaves a hanging transaction on a partition, the state a lost coordinator record or a lost marker leaves behind:
 * a transactional batch appended with a raw produce request (the transactions-v1 version, so the broker does not add
 * the partition to the transaction itself) that no coordinator has in its transaction. Needs a broker with
 * {@code transaction.partition.verification.enable=false}, which otherwise refuses the batch.
 */
final class HangingTransaction {
    private static final short VERSION = ProduceRequest.LAST_STABLE_VERSION_BEFORE_TRANSACTION_V2;

    private HangingTransaction() {}

    /** Appends one record in an open transaction of {@code producerId} at {@code epoch} to {@code topic}-{@code partition}. */
    static void open(String bootstrap, String topic, int partition, long producerId, short epoch, String transactionalId)
            throws IOException {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                .setRecords(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, 0,
                        new SimpleRecord(System.currentTimeMillis(), "hanging".getBytes(StandardCharsets.UTF_8),
                                "left open".getBytes(StandardCharsets.UTF_8)))));
        data.topicData().add(topicData);
        String[] hostPort = bootstrap.split(",")[0].split(":");
        // a topic just created may not be in the broker's metadata yet: retriable errors are tried again for 30 s
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            ProduceRequest request = new ProduceRequest.Builder(VERSION, VERSION, data).build(VERSION);
            ProduceResponse response = ProduceResponse.parse(RawKafkaRequest.send(hostPort[0],
                    Integer.parseInt(hostPort[1]), request, "hanging"), VERSION);
            Errors error = response.data().responses().stream()
                    .flatMap(t -> t.partitionResponses().stream())
                    .map(p -> Errors.forCode(p.errorCode()))
                    .filter(e -> e != Errors.NONE).findFirst().orElse(Errors.NONE);
            if (error == Errors.NONE) {
                return;
            }
            if (!(error.exception() instanceof RetriableException) || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the broker refused the transactional batch: " + error);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while retrying the transactional batch", e);
            }
        }
    }
}
