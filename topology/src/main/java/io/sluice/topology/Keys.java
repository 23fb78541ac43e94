package io.sluice.topology;

import io.sluice.schemas.PromptRequest;

/** Keys that identify a user across stages. */
public final class Keys {
    private Keys() {}

    /**
     * The key that owns a user's limits and canary assignment: tenant and user, as neither is unique alone; the
     * tenant's length first, so tenant "a/b" with user "c" and tenant "a" with user "b/c" stay two users.
     */
    public static String user(PromptRequest request) {
        return request.getTenantId().length() + ":" + request.getTenantId() + "/" + request.getUserId();
    }
}
