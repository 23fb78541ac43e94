package io.sluice.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.record.DeadLetters;
import io.sluice.record.Outages;
import io.sluice.schemas.DeadLetterReason;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters records that cannot be read (wrong magic byte, truncated body, a schema id the registry does not
 * have) and goes on, like Kafka Streams' LogAndContinue handler with a dead-letter topic; but when the schema
 * registry itself cannot be reached or fails (an {@linkplain Outages outage}), the record is not poison: the stream
 * thread fails instead (and is replaced), so the record is read again once the registry is back rather than
 * dead-lettered while valid.
 */
public final class PoisonRecordHandler extends LogAndContinueExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(PoisonRecordHandler.class);
    private MeterRegistry meters = new SimpleMeterRegistry();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        meters = StreamsProperties.meters(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (Outages.isOutage(exception)) {
            log.error("Outage (schema registry unavailable) while reading {}-{}@{}; failing the thread to retry: {}",
                    record.topic(), record.partition(), record.offset(), exception.toString());
            return Response.fail();
        }
        Response response = super.handleError(context, record, exception);
        if (!response.deadLetterQueueRecords().isEmpty()) {
            DeadLetters.count(meters, DeadLetterReason.DESERIALIZATION_ERROR, "deserialization_error", DeadLetters.NO_PROVIDER);
        }
        // One line a record: a producer writing garbage is the producer's fault, and a stack trace of Sluice's reader
        // for each of its records would bury everything else (logback.xml quiets Kafka's own two per record).
        log.warn("Unreadable record {}-{}@{} {}: {}", record.topic(), record.partition(), record.offset(),
                response.deadLetterQueueRecords().isEmpty() ? "skipped"
                        : "dead-lettered to " + response.deadLetterQueueRecords().getFirst().topic(),
                why(exception));
        log.debug("Unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset(), exception);
        return response;
    }

    /** The reader's message, and its cause where the message does not already say it (a bug shows its type). */
    static String why(Exception exception) {
        String why = exception.getMessage() == null ? exception.toString() : exception.getMessage();
        Throwable cause = exception.getCause();
        if (cause != null && (cause.getMessage() == null || !why.contains(cause.getMessage()))) {
            why += " (" + cause + ")";
        }
        return why;
    }
}
