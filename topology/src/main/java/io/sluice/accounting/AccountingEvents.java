package io.sluice.accounting;

import io.sluice.schemas.DeadLetterReason;
import io.sluice.record.DeadLetters;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.RejectedRequest;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.internal.AccountingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/** Builds the accounting stage's events from the records Sluice reads and writes. Never from prompt text. */
public final class AccountingEvents {
    /** Outcome of a request seen on its way, not finished yet. */
    public static final String PENDING = "PENDING";
    public static final String REJECTED = "REJECTED";
    public static final String DEAD_LETTER = "DEAD_LETTER";
    /** Tenant and user of a dead letter whose bytes are not a readable request. */
    public static final String UNKNOWN = "unknown";

    private AccountingEvents() {}

    /** A request on the requests topic ({@code stage} intake) or back from a retry tier ({@code retry-N}). */
    public static AccountingEvent pending(PromptRequest request, String stage, long at) {
        return base(request.getRequestId(), request.getTenantId(), request.getUserId(), PENDING, at)
                .setRoute(request.getRoute()).setStage(stage).build();
    }

    /** An answer, at its completion time. */
    public static AccountingEvent answered(PromptResponse response) {
        return base(response.getRequestId(), response.getTenantId(), response.getUserId(),
                response.getStatus().name(), response.getCompletedAt().toEpochMilli())
                .setRoute(response.getRoute()).setStage("call")
                .setProvider(response.getProvider()).setModel(response.getModel()).setVariant(response.getVariant())
                .setInputTokens(response.getUsage().getInputTokens())
                .setCachedInputTokens(response.getUsage().getCachedInputTokens())
                .setOutputTokens(response.getUsage().getOutputTokens())
                .setCostMicros(response.getCostMicros())
                // a provider answer without a price reads as free; it is a pricing gap and counted as one
                .setPriced(response.getPriceVersion() != null || response.getUsage().getInputTokens() == 0
                        && response.getUsage().getOutputTokens() == 0)
                .setProviderLatencyMs(response.getProviderLatencyMs())
                .setAttempts(response.getAttempts())
                .setDetail(outputDetail(response))
                .build();
    }

    /** What the output guard did, for the audit's reason: "REDACTED: EMAIL_ADDRESS=1", "BLOCKED: deny-list". */
    private static String outputDetail(PromptResponse response) {
        String check = response.getOutputCheck();
        if (check == null || response.getOutputFindings() == null) {
            return null;
        }
        return "OUTPUT_" + check + ": " + response.getOutputFindings();
    }

    /** A rejection, at its time. */
    public static AccountingEvent rejected(RejectedRequest rejection) {
        return base(rejection.getRequestId(), rejection.getTenantId(), rejection.getUserId(), REJECTED,
                rejection.getRejectedAt().toEpochMilli())
                .setStage(rejection.getStage()).setDetail(rejection.getReason().name()).build();
    }

    /**
     * A dead letter: the call stage's (a request with headers recording why) or a poison record (any bytes). Never
     * throws: a dead letter that accounting could not read would otherwise become a dead letter itself, for ever.
     * Its time is the call stage's {@code sluice.dlq.at}, else the record's ({@code at}).
     */
    public static AccountingEvent deadLetter(byte[] key, byte[] value, Headers headers, String topic,
                                             Deserializer<PromptRequest> requests, long at) {
        PromptRequest request = DeadLetters.request(topic, headers, value, requests);
        String requestId = SluiceHeaders.get(headers, SluiceHeaders.DLQ_REQUEST_ID);
        if (requestId == null) {
            requestId = request != null ? request.getRequestId()
                    : key == null ? "offset-" + SluiceHeaders.get(headers, SluiceHeaders.ERROR_OFFSET)
                    : new String(key, StandardCharsets.UTF_8);
        }
        String reason = DeadLetterReason.of(headers);
        String errorClass = SluiceHeaders.get(headers, SluiceHeaders.DLQ_ERROR_CLASS);
        String detail = errorClass == null ? reason : reason + "/" + errorClass;
        AccountingEvent.Builder event = base(requestId,
                request == null ? UNKNOWN : request.getTenantId(), request == null ? UNKNOWN : request.getUserId(),
                DEAD_LETTER, DeadLetters.at(headers, at))
                .setStage(SluiceHeaders.get(headers, SluiceHeaders.DLQ_STAGE))
                .setDetail(detail)
                .setProvider(SluiceHeaders.get(headers, SluiceHeaders.DLQ_PROVIDER));
        if (request != null) {
            event.setRoute(request.getRoute());
        }
        String attempts = SluiceHeaders.get(headers, SluiceHeaders.DLQ_ATTEMPTS);
        try {
            event.setAttempts(attempts == null ? 0 : Integer.parseInt(attempts.trim()));
        } catch (NumberFormatException ignored) {
            event.setAttempts(0);
        }
        return event.build();
    }

    /** The error class of a dead letter's detail ("reason/error_class"), or its reason. */
    static String errorClass(AccountingEvent event) {
        String detail = event.getDetail() == null ? "unknown" : event.getDetail();
        int slash = detail.indexOf('/');
        return slash < 0 ? detail : detail.substring(slash + 1);
    }

    public static boolean terminal(AccountingEvent event) {
        return !PENDING.equals(event.getOutcome());
    }

    private static AccountingEvent.Builder base(String requestId, String tenant, String user, String outcome, long at) {
        return AccountingEvent.newBuilder().setRequestId(requestId).setTenantId(tenant).setUserId(user)
                .setOutcome(outcome).setAt(Instant.ofEpochMilli(at));
    }
}
