package io.sluice.budget;

import io.sluice.schemas.PromptRequest;

/** What reaches a tenant's budget: a request to reserve for, or the settlement of one that finished. */
public sealed interface BudgetInput {

    record Reserve(PromptRequest request) implements BudgetInput {}

    /** A finished request's actual cost in micro-dollars: 0 for one that ended unanswered. */
    record Settle(String tenantId, String userId, String requestId, long costMicros) implements BudgetInput {}
}
