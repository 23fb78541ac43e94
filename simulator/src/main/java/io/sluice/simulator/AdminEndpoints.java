package io.sluice.simulator;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /_sim/*}: lets a benchmark or an operator read counters and change behaviour of a running simulator
 * (for instance one started from the command line) without restarting it.
 */
final class AdminEndpoints {
    private static final Logger log = LoggerFactory.getLogger(AdminEndpoints.class);

    private final SimulatorState state;
    private final StatsRecorder stats;

    AdminEndpoints(SimulatorState state, StatsRecorder stats) {
        this.state = state;
        this.stats = stats;
    }

    void mount(Router router) {
        router.get("/_sim/health").handler(ctx -> json(ctx, 200, Json.write(Map.of("status", "ok"))));
        router.get("/_sim/stats").handler(ctx -> json(ctx, 200, Json.write(stats.snapshot())));
        router.post("/_sim/reset-stats").handler(ctx -> {
            stats.reset();
            json(ctx, 200, Json.write(stats.snapshot()));
        });
        router.get("/_sim/config").handler(ctx -> json(ctx, 200, state.current().settings().toJson()));
        router.post("/_sim/config").handler(this::replaceConfig);
        router.post("/_sim/outage").handler(this::switchOutage);
    }

    private void replaceConfig(RoutingContext ctx) {
        SimulatorSettings settings;
        try {
            settings = SimulatorSettings.fromJson(ctx.body().asString());
        } catch (SimulatorException e) {
            json(ctx, 400, Json.write(Map.of("error", e.getMessage())));
            return;
        }
        state.apply(settings);
        log.info("Provider simulator settings replaced through the admin endpoint");
        json(ctx, 200, settings.toJson());
    }

    /** {@code POST /_sim/outage?enabled=true|false}: the on/off switch without rewriting the whole config. */
    private void switchOutage(RoutingContext ctx) {
        String enabled = ctx.request().getParam("enabled");
        if (!"true".equals(enabled) && !"false".equals(enabled)) {
            json(ctx, 400, Json.write(Map.of("error", "query parameter enabled must be true or false")));
            return;
        }
        SimulatorSettings settings = state.current().settings().withOutage(Boolean.parseBoolean(enabled));
        state.apply(settings);
        json(ctx, 200, settings.toJson());
    }

    private static void json(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
    }
}
