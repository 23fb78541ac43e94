package io.sluice.budget;

import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.internal.BudgetSettlement;

/** What reaches a tenant's budget: a request to reserve for, or the settlement of one that finished. */
public sealed interface BudgetInput {

    record Reserve(PromptRequest request) implements BudgetInput {}

    record Settle(BudgetSettlement settlement) implements BudgetInput {}
}
