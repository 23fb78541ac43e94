package io.sluice.simulator;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * One HTTP server instance. The simulator deploys one per event loop: Vert.x binds each verticle instance to its
 * own loop and spreads connections over the instances sharing the port, so all cores serve calls.
 */
final class ServerVerticle extends VerticleBase {
    /** Bodies up to this size are read; chat prompts with long contexts stay well below it. */
    private static final long BODY_LIMIT_BYTES = 32L * 1024 * 1024;

    private final SimulatorState state;
    private final StatsRecorder stats;
    private final String host;
    private final int port;

    ServerVerticle(SimulatorState state, StatsRecorder stats, String host, int port) {
        this.state = state;
        this.stats = stats;
        this.host = host;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setTcpNoDelay(true)
                .setAcceptBacklog(8192)
                // h2c, by HTTP/1.1 Upgrade or prior knowledge; no stream cap, the simulated provider sets the pace.
                .setHttp2ClearTextEnabled(true)
                .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(100_000)
                        .setInitialWindowSize(1 << 20))
                // large flow-control windows: thousands of small requests in flight never exhaust them (each
                // exhaustion and refill makes Netty revisit every active stream of the connection)
                .setHttp2ConnectionWindowSize(32 << 20);
        return vertx.createHttpServer(options).requestHandler(router()).listen();
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.post().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));
        ProviderEndpoint openAi = new ProviderEndpoint(new OpenAiDialect(), state, stats);
        ProviderEndpoint anthropic = new ProviderEndpoint(new AnthropicDialect(), state, stats);
        router.post("/v1/chat/completions").handler(openAi);
        router.post("/chat/completions").handler(openAi);
        router.post("/v1/messages").handler(anthropic);
        router.post("/messages").handler(anthropic);
        ModelsEndpoint models = new ModelsEndpoint(state, stats);
        router.get("/v1/models").handler(models);
        router.get("/models").handler(models);
        new AdminEndpoints(state, stats).mount(router);
        return router;
    }
}
