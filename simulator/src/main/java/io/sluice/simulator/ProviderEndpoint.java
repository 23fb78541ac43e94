package io.sluice.simulator;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.SplittableRandom;

/**
 * The life of one chat call, common to both providers. Gatekeeping answers (outage, key, validation, rate limit)
 * come at once, as a real API front end refuses before a model runs; everything past the gate waits the simulated
 * latency, injected faults included.
 */
final class ProviderEndpoint implements Handler<RoutingContext> {
    private final Dialect dialect;
    private final SimulatorState state;
    private final StatsRecorder stats;

    ProviderEndpoint(Dialect dialect, SimulatorState state, StatsRecorder stats) {
        this.dialect = dialect;
        this.state = state;
        this.stats = stats;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Exchange exchange = new Exchange(ctx.vertx(), ctx.response(), stats, dialect.endpoint(), dialect,
                ctx.request().version());
        exchange.guarded(() -> serve(ctx, exchange));
    }

    private void serve(RoutingContext ctx, Exchange exchange) {
        SimulatorState.Behaviour behaviour = state.current();
        SplittableRandom random = behaviour.nextCallRandom();
        SimulatorSettings settings = behaviour.settings();
        MultiMap headers = ctx.request().headers();

        if (answeredByOutage(exchange, settings)) {
            return;
        }
        ApiError authError = dialect.authenticate(headers, settings.apiKey());
        if (authError != null) {
            exchange.reply(dialect.error(authError));
            return;
        }
        PromptRequest request;
        try {
            request = dialect.parse(headers, ctx.body().buffer());
        } catch (RejectedRequest rejected) {
            exchange.reply(dialect.error(rejected.error()));
            return;
        }
        long waitMs = behaviour.bucket().tryAcquire(System.nanoTime());
        if (waitMs > 0) {
            exchange.reply(dialect.error(ApiError.rateLimited(waitMs)));
            return;
        }
        // Both draws happen on every call past the gate, so outcomes repeat for a seed whatever the outcome mix.
        Outcome outcome = settings.errors().pick(random.nextDouble());
        long latencyMs = settings.latency().sampleMs(random);
        switch (outcome) {
            case HANG -> exchange.after(settings.hangSeconds() * 1000L, () -> exchange.drop("timeout"));
            case CONNECTION_RESET -> exchange.after(latencyMs, () -> exchange.drop("reset"));
            case SUCCESS, MALFORMED -> exchange.after(latencyMs, () -> {
                Reply reply = dialect.success(request, Completion.of(request, settings), latencyMs);
                exchange.reply(outcome == Outcome.MALFORMED ? reply.truncated() : reply);
            });
            case RATE_LIMITED -> exchange.after(latencyMs, () ->
                    exchange.reply(dialect.error(ApiError.rateLimited(settings.retryAfterSeconds() * 1000L))));
            default -> exchange.after(latencyMs, () -> exchange.reply(dialect.error(ApiError.of(outcome))));
        }
    }

    /** Answers for the outage switch or a scheduled window; false when no outage is in force. */
    private boolean answeredByOutage(Exchange exchange, SimulatorSettings settings) {
        if (settings.outage()) {
            exchange.reply(dialect.error(ApiError.of(Outcome.UNAVAILABLE)));
            return true;
        }
        long offsetMs = state.offsetMs();
        for (OutageWindow window : settings.outageWindows()) {
            if (window.covers(offsetMs)) {
                Outcome outcome = window.outcome();
                if (outcome == Outcome.CONNECTION_RESET) {
                    exchange.drop("reset");
                } else if (outcome == Outcome.RATE_LIMITED) {
                    // Come back when the window closes: the honest retry-after for a scheduled limit.
                    long remainingMs = window.startOffsetMs() + window.durationMs() - offsetMs;
                    exchange.reply(dialect.error(ApiError.rateLimited(Math.max(1, remainingMs))));
                } else {
                    exchange.reply(dialect.error(ApiError.of(outcome)));
                }
                return true;
            }
        }
        return false;
    }
}
