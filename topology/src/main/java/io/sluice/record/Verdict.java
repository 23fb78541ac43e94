package io.sluice.record;

import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectedRequest;

/** What a gate stage (sanitize, limit, budget) decided about one request: let it through, or refuse it. */
public sealed interface Verdict {

    /** The request goes on, possibly changed (normalized, redacted). */
    record Pass(PromptRequest request) implements Verdict {}

    /** The request ends here with a rejection. */
    record Refuse(RejectedRequest rejection) implements Verdict {}
}
