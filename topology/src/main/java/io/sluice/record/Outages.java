package io.sluice.record;

import io.sluice.registry.SchemaRegistryException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells trouble in the infrastructure from a bad record: a schema registry that cannot be reached or fails (it
 * stores its schemas on the broker, so it fails while the broker is down), or a Kafka error that passes by itself (a
 * timeout, a lost connection). Such a failure makes a valid record unreadable or unwritable for a while; it is not
 * poison, and dead-lettering it would end a valid request. The error handlers fail the stream thread instead: it is
 * replaced, its transaction is aborted, and the record is processed again.
 */
public final class Outages {
    private Outages() {}

    /** Whether {@code exception}, or any of its causes, is an outage rather than a fault of the record. */
    public static boolean isOutage(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryException e && (e.status() < 0 || e.status() >= 500)) {
                return true;
            }
            if (cause instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }
}
