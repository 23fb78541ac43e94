package io.sluice.registry;

import org.apache.kafka.common.errors.SerializationException;

/** A Schema Registry request failed; carries the registry's HTTP status and error code when it answered. */
public final class SchemaRegistryException extends SerializationException {
    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
        this.errorCode = -1;
    }

    /** HTTP status of the registry's answer, or -1 when it did not answer. */
    public int status() {
        return status;
    }

    /** Confluent error code such as 40403 (schema not found) or 409 (incompatible), or -1. */
    public int errorCode() {
        return errorCode;
    }
}
