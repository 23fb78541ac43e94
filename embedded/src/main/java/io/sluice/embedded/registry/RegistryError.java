package io.sluice.embedded.registry;

/**
 * A refusal the registry answers with: HTTP status plus Confluent's error code and message, so Confluent clients
 * recognise it (for example 40403 for an unknown schema id, 409 for an incompatible schema).
 */
final class RegistryError extends RuntimeException {
    private final int status;
    private final int errorCode;

    RegistryError(int status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    RegistryError(int status, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    int status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }

    static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, 40401, "Subject '" + subject + "' not found.");
    }

    static RegistryError versionNotFound(String subject, int version) {
        return new RegistryError(404, 40402, "Version " + version + " not found for subject '" + subject + "'.");
    }

    static RegistryError schemaNotFound(String id) {
        return new RegistryError(404, 40403, "Schema " + id + " not found");
    }

    static RegistryError schemaNotFoundUnder(String subject) {
        return new RegistryError(404, 40403, "Schema not found under subject '" + subject + "'");
    }

    static RegistryError invalidSchema(String detail) {
        return new RegistryError(422, 42201, "Invalid schema: " + detail);
    }

    static RegistryError invalidVersion(String version) {
        return new RegistryError(422, 42202, "The specified version '" + version + "' is not a valid version id. "
                + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static RegistryError incompatible(String subject, String details) {
        return new RegistryError(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                + subject + "\", details: " + details);
    }

    static RegistryError badRequest(String message) {
        return new RegistryError(400, 400, message);
    }

    static RegistryError storeFailed(String topic, Throwable cause) {
        return new RegistryError(500, 50001, "Embedded schema registry could not store the schema in Kafka topic "
                + topic + ": " + cause, cause);
    }

    static RegistryError subjectSoftDeleted(String subject) {
        // Confluent's text, missing space included, so clients matching on it still match
        return new RegistryError(404, 40404, "Subject '" + subject + "' was soft deleted.Set permanent=true to delete"
                + " permanently");
    }

    static RegistryError subjectNotSoftDeleted(String subject) {
        return new RegistryError(404, 40405, "Subject '" + subject + "' was not deleted first before being"
                + " permanently deleted");
    }

    static RegistryError versionSoftDeleted(String subject, String version) {
        return new RegistryError(404, 40406, "Subject '" + subject + "' Version " + version + " was soft deleted."
                + "Set permanent=true to delete permanently");
    }

    static RegistryError versionNotSoftDeleted(String subject, int version) {
        return new RegistryError(404, 40407, "Subject '" + subject + "' Version " + version + " was not deleted"
                + " first before being permanently deleted");
    }

    static RegistryError subjectConfigNotFound(String subject) {
        return new RegistryError(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility"
                + " configured");
    }

    static RegistryError referenceExists(String subject, int version) {
        return new RegistryError(422, 42206, "One or more references exist to the schema {magic=1,keytype=SCHEMA,"
                + "subject=" + subject + ",version=" + version + "}.");
    }

    static RegistryError timeout(String message) {
        return new RegistryError(500, 50002, message);
    }

    static RegistryError forwardingFailed(String writer, Throwable cause) {
        return new RegistryError(500, 50003, "Error while forwarding the request to the writer at " + writer + ": "
                + cause, cause);
    }

    static RegistryError writerUnknown() {
        // Confluent's "Leader not known": a client retries, by when an election has made a writer
        return new RegistryError(500, 50004, "Leader not known: no schema registry instance writes right now; retry");
    }
}
