package io.sluice.record;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import java.time.Instant;

/** Builds the rejection record every gate stage emits, and counts it. */
public final class Rejections {
    /** Rejected requests, by reason and the stage that refused them. */
    public static final String METRIC = "sluice.rejections";

    private Rejections() {}

    /** The rejection a stage is about to emit; every stage emits what it builds here, so this is where it counts. */
    public static RejectedRequest of(PromptRequest request, RejectReason reason, String stage, String detail,
                                     long now) {
        Counter.builder(METRIC).description("Requests refused before a provider call")
                .tags("reason", reason.name(), "stage", stage).register(Metrics.globalRegistry).increment();
        return RejectedRequest.newBuilder()
                .setRequestId(orEmpty(request.getRequestId()))
                .setTenantId(orEmpty(request.getTenantId()))
                .setUserId(orEmpty(request.getUserId()))
                .setReason(reason)
                .setStage(stage)
                .setDetail(detail)
                .setLimit(null)
                .setRetryAfterMs(null)
                .setRejectedAt(Instant.ofEpochMilli(now))
                .build();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
