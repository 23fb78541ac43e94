package io.sluice.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/** OpenAI's {@code GET /v1/models}: a short fixed list, enough for clients that probe it at start-up. */
final class ModelsEndpoint implements Handler<RoutingContext> {
    static final String ENDPOINT = "openai.models";
    private static final List<String> MODELS = List.of("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "o4-mini",
            "claude-sonnet-4-5", "claude-haiku-4-5");
    /** A fixed creation time keeps the list byte-for-byte stable between runs. */
    private static final long CREATED = 1_700_000_000L;

    private final OpenAiDialect dialect = new OpenAiDialect();
    private final SimulatorState state;
    private final StatsRecorder stats;

    ModelsEndpoint(SimulatorState state, StatsRecorder stats) {
        this.state = state;
        this.stats = stats;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Exchange exchange = new Exchange(ctx.vertx(), ctx.response(), stats, ENDPOINT, dialect, ctx.request().version());
        ApiError authError = dialect.authenticate(ctx.request().headers(), state.current().settings().apiKey());
        if (authError != null) {
            exchange.reply(dialect.error(authError));
            return;
        }
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        for (String model : MODELS) {
            data.addObject().put("id", model).put("object", "model").put("created", CREATED)
                    .put("owned_by", "sluice-simulator");
        }
        exchange.reply(new Reply(200, Map.of(), Json.buffer(body)));
    }
}
