package io.sluice.topology;

import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import java.time.Instant;

/** Builds the rejection record every gate stage emits. */
public final class Rejections {
    private Rejections() {}

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
