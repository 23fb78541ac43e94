package io.sluice.record;

import io.sluice.schemas.PromptRequest;

/** Keys that identify a user or a request across stages. */
public final class Keys {
    private Keys() {}

    /**
     * The key that owns a user's limits and canary assignment: tenant and user, as neither is unique alone; the
     * tenant's length first, so tenant "a/b" with user "c" and tenant "a" with user "b/c" stay two users.
     */
    public static String user(PromptRequest request) {
        return request.getTenantId().length() + ":" + request.getTenantId() + "/" + request.getUserId();
    }

    /**
     * The key of one request wherever it is kept (in flight, answered, its status): request ids are unique only
     * within a tenant, so two tenants' "req-1" are two requests. Length-prefixed like {@link #user}.
     */
    public static String request(String tenant, String requestId) {
        String t = tenant == null ? "" : tenant;
        return t.length() + ":" + t + "/" + requestId;
    }
}
