package io.sluice.record;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import java.time.Instant;

/** Builds the rejection record every gate stage emits; the topology counts what is emitted ({@link #METRIC}). */
public final class Rejections {
    /** Rejected requests, by reason and the stage that refused them. */
    public static final String METRIC = "sluice.rejections";

    private Rejections() {}

    /** Counts one rejection emitted, by reason and the stage that refused it. */
    public static void count(MeterRegistry meters, RejectedRequest rejection) {
        Counter.builder(METRIC).description("Requests refused before a provider call")
                .tags("reason", rejection.getReason().name(), "stage", rejection.getStage()).register(meters)
                .increment();
    }

    /** The rejection a stage is about to emit. */
    public static RejectedRequest of(PromptRequest request, RejectReason reason, String stage, String detail,
                                     long now) {
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
