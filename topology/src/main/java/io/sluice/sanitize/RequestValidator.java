package io.sluice.sanitize;

import io.sluice.config.RouteTable;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a request is well-formed enough to call a provider with: ids, roles, non-empty content, size caps and a known
 * route. Returns the first failure with its reason code; details never quote the prompt. (Its deadline is checked in
 * the tenant's task, where a copy of a request already admitted can be told apart: {@code DeadlineCheck}.)
 */
public final class RequestValidator {
    /** The one rule for request, tenant, user and app ids: no separators, spaces or control characters. */
    public static final String ID_CHARACTERS = "1-128 characters of [A-Za-z0-9._:@+-]";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@+-]{1,128}");
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    /** A failed check. */
    public record Failure(RejectReason reason, String detail) {}

    private final RouteTable routes;
    private final int maxMessages;
    private final int maxChars;

    public RequestValidator(RouteTable routes, int maxMessages, int maxChars) {
        this.routes = routes;
        this.maxMessages = maxMessages;
        this.maxChars = maxChars;
    }

    public Optional<Failure> check(PromptRequest request) {
        Optional<Failure> badId = id("requestId", request.getRequestId())
                .or(() -> id("tenantId", request.getTenantId()))
                .or(() -> id("userId", request.getUserId()))
                .or(() -> id("appId", request.getAppId()));
        if (badId.isPresent()) {
            return badId;
        }
        if (routes.target(request.getRoute()).isEmpty()) {
            return fail(RejectReason.UNKNOWN_ROUTE,
                    "route '" + request.getRoute() + "' is not configured; known routes: " + routes.names());
        }
        if (request.getMessages().isEmpty()) {
            return fail(RejectReason.EMPTY_MESSAGES, "the request has no messages");
        }
        if (request.getMessages().size() > maxMessages) {
            return fail(RejectReason.TOO_LARGE,
                    request.getMessages().size() + " messages is more than the " + maxMessages + " allowed");
        }
        long chars = 0;
        for (int i = 0; i < request.getMessages().size(); i++) {
            ChatMessage message = request.getMessages().get(i);
            if (!ROLES.contains(message.getRole())) {
                return fail(RejectReason.INVALID_REQUEST,
                        "message " + i + " has role '" + message.getRole() + "'; allowed: " + ROLES);
            }
            if (message.getContent().isBlank()) {
                return fail(RejectReason.EMPTY_MESSAGES, "message " + i + " has no content");
            }
            chars += message.getContent().length();
        }
        if (chars > maxChars) {
            return fail(RejectReason.TOO_LARGE, chars + " characters is more than the " + maxChars + " allowed");
        }
        return Optional.empty();
    }

    /** Whether {@code value} is a valid id; the failure names the field but never quotes the value. */
    public static boolean isId(String value) {
        return value != null && ID.matcher(value).matches();
    }

    private static Optional<Failure> id(String field, String value) {
        return isId(value) ? Optional.empty()
                : fail(RejectReason.INVALID_REQUEST, field + " must be " + ID_CHARACTERS);
    }

    private static Optional<Failure> fail(RejectReason reason, String detail) {
        return Optional.of(new Failure(reason, detail));
    }
}
