package io.sluice.budget;

import io.sluice.record.Verdict;
import io.sluice.schemas.BudgetEvent;

/** What the budget stage emits: a verdict on a request, or an event about a tenant's spend. */
public sealed interface BudgetOutput {

    record Decided(Verdict verdict) implements BudgetOutput {}

    record Alert(BudgetEvent event) implements BudgetOutput {}
}
