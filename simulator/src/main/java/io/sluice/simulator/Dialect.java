package io.sluice.simulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/** One provider's wire format: how it authenticates, reads requests, and writes answers and errors. */
interface Dialect {
    /** The stats name of the endpoint this dialect serves. */
    String endpoint();

    /** The header carrying the request id on every answer. */
    String requestIdHeader();

    /** A fresh request id in the provider's style. */
    String newRequestId();

    /** Returns the error to answer with when the key is missing or wrong; null when the call may proceed. */
    ApiError authenticate(MultiMap headers, String requiredKey);

    /** Reads and validates a request. @throws RejectedRequest when the provider would refuse it */
    PromptRequest parse(MultiMap headers, Buffer body);

    Reply success(PromptRequest request, Completion completion, long processingMs);

    Reply error(ApiError error);
}
