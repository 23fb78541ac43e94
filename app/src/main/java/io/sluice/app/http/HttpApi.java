package io.sluice.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.accounting.RequestStatusProcessor;
import io.sluice.accounting.UsagePeriods;
import io.sluice.accounting.UsageProcessor;
import io.sluice.schemas.internal.AccountingEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's HTTP API on Vert.x: usage, provider statistics and request status from the state stores, health and
 * Prometheus metrics. Several instances share the stores' partitions; a query for one key is answered by the instance
 * that owns it (found with Kafka Streams' {@code queryMetadataForKey}, reached at its {@code application.server}) and
 * relayed, and a listing asks every instance for its part ({@code ?local=true}) and merges. Errors are JSON
 * {@code {"error": "..."}}; the API is described at {@code /openapi.yaml}.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration DEFAULT_PROVIDER_WINDOW = Duration.ofMinutes(15);

    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClientAgent peers;
    private final Supplier<String> metrics;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;
    private volatile Supplier<java.util.List<String>> blockers = java.util.List::of;
    private volatile Supplier<java.util.List<String>> waitingFor = java.util.List::of;
    private volatile Supplier<java.util.List<String>> problems = java.util.List::of;

    private HttpApi(Vertx vertx, HttpServer server, HttpClientAgent peers, Supplier<String> metrics) {
        this.vertx = vertx;
        this.server = server;
        this.peers = peers;
        this.metrics = metrics;
    }

    /**
     * Listens on {@code host:port} (0 picks a free port) at once, so that the port is known before Kafka Streams is
     * created with it as {@code application.server}; queries answer 503 until {@link #serve} hands the streams over.
     */
    public static HttpApi listen(String host, int port, Supplier<String> metrics) {
        return listen(host, port, metrics, null);
    }

    /**
     * As {@link #listen(String, int, Supplier)}, with every {@code /v1} call authenticated by {@code keys} (null:
     * open, for a loopback-only listener): a tenant's key sees that tenant, an operator's key sees all.
     */
    public static HttpApi listen(String host, int port, Supplier<String> metrics, ApiKeys keys) {
        return listen(host, port, metrics, keys, null);
    }

    /**
     * As above, serving HTTPS with the certificate in {@code tls} (a PKCS12 key store) when not null; relays to
     * other instances then use HTTPS too, trusting that store's certificate and the JVM's authorities, and checking
     * that the certificate names the instance's advertised host.
     */
    public static HttpApi listen(String host, int port, Supplier<String> metrics, ApiKeys keys,
                                 io.vertx.core.net.KeyStoreOptions tls) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(16));
        HttpApi api = null;
        try {
            Router router = Router.router(vertx);
            HttpClientOptions peerOptions = new HttpClientOptions();
            if (tls != null) {
                peerOptions.setSsl(true).setVerifyHost(true).setTrustOptions(tls);
            }
            HttpClientAgent peers = vertx.createHttpClient(peerOptions.setConnectTimeout(5_000)
                    .setKeepAlive(true));
            HttpApi[] holder = new HttpApi[1];
            router.get("/health/live").handler(ctx -> holder[0].live(ctx));
            router.get("/health/ready").handler(ctx -> holder[0].ready(ctx));
            router.get("/metrics").blockingHandler(ctx -> ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.get()), false);
            router.get("/openapi.yaml").handler(ctx -> ctx.response()
                    .putHeader("Content-Type", "application/yaml").end(openApi()));
            router.route("/v1/*").handler(ctx -> authenticate(ctx, keys));
            router.get("/v1/usage/tenants").blockingHandler(ctx -> holder[0].tenants(ctx), false);
            router.get("/v1/usage/tenants/:tenant").blockingHandler(ctx -> holder[0].usage(ctx, false), false);
            router.get("/v1/usage/tenants/:tenant/users/:user")
                    .blockingHandler(ctx -> holder[0].usage(ctx, true), false);
            router.get("/v1/providers").blockingHandler(ctx -> holder[0].providers(ctx), false);
            router.get("/v1/requests/:id").blockingHandler(ctx -> holder[0].status(ctx), false);
            router.route().last().handler(ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().method() + " "
                    + ctx.request().path() + "; see /openapi.yaml"));
            router.route().failureHandler(ctx -> {
                log.warn("HTTP API request {} failed", ctx.request().path(), ctx.failure());
                error(ctx, 500, "internal error: " + (ctx.failure() == null ? "unknown"
                        : ctx.failure().getClass().getSimpleName()));
            });
            HttpServerOptions serverOptions = new HttpServerOptions().setHost(host).setPort(port);
            if (tls != null) {
                serverOptions.setSsl(true).setKeyCertOptions(tls);
            }
            HttpServer server = vertx.createHttpServer(serverOptions)
                    .requestHandler(router).listen().await(30, TimeUnit.SECONDS);
            api = new HttpApi(vertx, server, peers, metrics);
            holder[0] = api;
            log.info("HTTP API listening on {}:{}", host, server.actualPort());
            return api;
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("Could not start the HTTP API on " + host + ":" + port + " (http.host,"
                    + " http.port): " + e.getMessage(), e);
        }
    }

    /** The port listened on. */
    public int port() {
        return server.actualPort();
    }

    /** Starts answering queries from {@code streams}, which advertises this instance as {@code advertised}. */
    public void serve(KafkaStreams streams, HostInfo advertised) {
        this.self = advertised;
        this.streams = streams;
    }

    private void live(RoutingContext ctx) {
        KafkaStreams s = streams;
        KafkaStreams.State state = s == null ? null : s.state();
        boolean live = state == null || (state != KafkaStreams.State.ERROR && state != KafkaStreams.State.NOT_RUNNING
                && state != KafkaStreams.State.PENDING_ERROR);
        json(ctx, live ? 200 : 503, Queries.JSON.createObjectNode().put("status", live ? "UP" : "DOWN")
                .put("streams", state == null ? "STARTING" : state.name()));
    }

    private void ready(RoutingContext ctx) {
        KafkaStreams s = streams;
        java.util.List<String> blocked = blockers.get();
        java.util.List<String> failing = problems.get();
        boolean ready = s != null && s.state() == KafkaStreams.State.RUNNING && blocked.isEmpty() && failing.isEmpty();
        ObjectNode body = Queries.JSON.createObjectNode().put("status", ready ? "UP" : "DOWN")
                .put("streams", s == null ? "STARTING" : s.state().name());
        if (!failing.isEmpty()) {
            failing.forEach(body.putArray("problems")::add);
        }
        if (!blocked.isEmpty()) {
            blocked.forEach(body.putArray("blockedBy")::add);
            body.put("action", "Hanging transactions hold these partitions back and Sluice will not end them by"
                    + " itself; run './sluice doctor' for what they are and what to do");
        }
        java.util.List<String> waiting = ready ? java.util.List.of() : waitingFor.get();
        if (!waiting.isEmpty()) {
            // not ready yet, and open transactions hold partitions back: say what the instance waits for
            waiting.forEach(body.putArray("waitingFor")::add);
        }
        json(ctx, ready ? 200 : 503, body);
    }

    /**
     * What blocks this instance and needs an operator (hanging transactions it will not abort itself): when not
     * empty, {@code /health/ready} answers DOWN and lists them.
     */
    public void blockers(Supplier<java.util.List<String>> blockers) {
        this.blockers = blockers;
    }

    /**
     * What makes a running instance unfit for traffic (stream threads that keep failing, a stage that has stopped
     * moving): when not empty, {@code /health/ready} answers DOWN and lists them.
     */
    public void problems(Supplier<java.util.List<String>> problems) {
        this.problems = problems;
    }

    /**
     * What a not-yet-ready instance may be waiting for that will end by itself (open transactions a coordinator
     * will end), listed in {@code /health/ready} while it is DOWN.
     */
    public void waitingFor(Supplier<java.util.List<String>> waitingFor) {
        this.waitingFor = waitingFor;
    }

    private void usage(RoutingContext ctx, boolean byUser) {
        String tenant = ctx.pathParam("tenant");
        if (!caller(ctx).sees(tenant)) {
            error(ctx, 403, "this key is for tenant '" + caller(ctx).tenant() + "' and cannot read another's usage");
            return;
        }
        String user = byUser ? ctx.pathParam("user") : null;
        UsagePeriods period;
        try {
            period = UsagePeriods.parse(param(ctx, "period", "day"));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        String from = ctx.queryParams().get("from");
        String to = ctx.queryParams().get("to");
        routed(ctx, UsageProcessor.USAGE_STORE, tenant, queries -> {
            ObjectNode body = Queries.JSON.createObjectNode().put("tenant", tenant);
            if (user != null) {
                body.put("user", user);
            }
            body.put("period", period.label());
            body.set("rows", queries.usage(tenant, user, period, from, to));
            return body;
        });
    }

    private void status(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        // request ids are unique within a tenant: the key's tenant, or the one an operator names
        ApiKeys.Caller caller = caller(ctx);
        String tenant = caller.operator() ? ctx.queryParams().get("tenant") : caller.tenant();
        if (tenant == null || tenant.isBlank()) {
            error(ctx, 400, "give the request's tenant: /v1/requests/" + id + "?tenant=<tenant id> (request ids are"
                    + " unique within a tenant)");
            return;
        }
        String key = io.sluice.topology.Keys.request(tenant, id);
        routed(ctx, RequestStatusProcessor.STORE, key, queries -> {
            List<AccountingEvent> steps = queries.status(key);
            if (steps.isEmpty()) {
                return null;
            }
            AccountingEvent last = current(steps);
            ObjectNode body = Queries.JSON.createObjectNode().put("requestId", id)
                    .put("tenant", last.getTenantId()).put("user", last.getUserId())
                    .put("state", io.sluice.accounting.AccountingEvents.terminal(last) ? "TERMINAL" : "PENDING")
                    .put("outcome", last.getOutcome());
            body.set("current", Queries.step(last));
            ArrayNode history = body.putArray("steps");
            steps.forEach(step -> history.add(Queries.step(step)));
            return body;
        });
    }

    /** The latest step, except that nothing after an answer changes it (a resend is not called again). */
    private static AccountingEvent current(List<AccountingEvent> steps) {
        for (AccountingEvent step : steps) {
            if (RequestStatusProcessor.answered(step)) {
                return step;
            }
        }
        return steps.getLast();
    }

    private void tenants(RoutingContext ctx) {
        if (!caller(ctx).operator()) {
            error(ctx, 403, "listing every tenant needs an operator key; a tenant key reads"
                    + " /v1/usage/tenants/" + caller(ctx).tenant());
            return;
        }
        UsagePeriods period;
        try {
            period = UsagePeriods.parse(param(ctx, "period", "total"));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        String start = period == UsagePeriods.TOTAL ? "all" : ctx.queryParams().get("start");
        if (start == null) {
            error(ctx, 400, "give start= the period's start, e.g. 2026-12-01 for a day, 2026-12 for a month,"
                    + " 2026-12-01T14 for an hour; or period=total");
            return;
        }
        gathered(ctx, UsageProcessor.USAGE_STORE, queries -> queries.tenants(period, start), parts -> {
            TreeMap<String, JsonNode> byTenant = new TreeMap<>();
            parts.forEach(part -> part.forEach(row -> byTenant.put(row.path("tenant").asText(), row)));
            ObjectNode body = Queries.JSON.createObjectNode().put("period", period.label()).put("start", start);
            body.putArray("rows").addAll(byTenant.values());
            return body;
        });
    }

    private void providers(RoutingContext ctx) {
        Instant to;
        Instant from;
        try {
            to = ctx.queryParams().contains("to") ? Instant.parse(ctx.queryParams().get("to")) : Instant.now();
            from = ctx.queryParams().contains("from") ? Instant.parse(ctx.queryParams().get("from"))
                    : to.minus(DEFAULT_PROVIDER_WINDOW);
        } catch (DateTimeParseException e) {
            error(ctx, 400, "from and to are ISO-8601 instants, e.g. 2026-12-01T14:00:00Z: " + e.getMessage());
            return;
        }
        Instant start = from;
        Instant end = to;
        gathered(ctx, UsageProcessor.PROVIDER_STORE, queries -> {
            ArrayNode rows = Queries.JSON.createArrayNode();
            queries.providers(start, end).forEach((key, sum) -> rows.add(sum.toPartial().put("key", key)));
            return rows;
        }, parts -> {
            TreeMap<String, Queries.ProviderSum> merged = new TreeMap<>();
            parts.forEach(part -> part.forEach(row -> merged.computeIfAbsent(row.path("key").asText(),
                    k -> new Queries.ProviderSum()).add(Queries.ProviderSum.fromPartial(row))));
            ObjectNode body = Queries.JSON.createObjectNode().put("from", start.toString()).put("to", end.toString());
            ArrayNode rows = body.putArray("rows");
            merged.forEach((key, sum) -> {
                String[] parts3 = UsagePeriods.fields(key);
                ObjectNode row = Queries.JSON.createObjectNode().put("provider", parts3[0]).put("model", parts3[1]);
                if (!"-".equals(parts3[2])) {
                    row.put("variant", parts3[2]);
                }
                rows.add(row.setAll(sum.toJson()));
            });
            return body;
        });
    }

    /** Answers from the instance owning {@code key} in {@code store}: here, or relayed from there. */
    private void routed(RoutingContext ctx, String store, String key,
                        java.util.function.Function<Queries, JsonNode> local) {
        KafkaStreams s = streams;
        if (s == null) {
            error(ctx, 503, "starting: the state stores are not open yet; retry");
            return;
        }
        // local=true: a relayed query (or a user's), answered here or not at all, never relayed again
        boolean forced = ctx.queryParams().getAll("local").contains("true");
        try {
            KeyQueryMetadata owner = s.queryMetadataForKey(store, key, Serdes.String().serializer());
            if (owner == KeyQueryMetadata.NOT_AVAILABLE || owner.activeHost() == null) {
                error(ctx, 503, "no instance owns this key right now (rebalancing); retry");
                return;
            }
            if (!owner.activeHost().equals(self)) {
                if (forced) {
                    error(ctx, 503, "this instance does not own that key (ownership is moving); retry");
                } else {
                    relay(ctx, owner.activeHost());
                }
                return;
            }
            JsonNode body = local.apply(new Queries(s));
            ctx.response().putHeader("Sluice-Served-By", self.host() + ":" + self.port());
            if (body == null) {
                error(ctx, 404, "nothing known about this (unknown, not this key's tenant's, or older than its"
                        + " retention)");
            } else {
                json(ctx, 200, body);
            }
        } catch (org.apache.kafka.streams.errors.StreamsException | IllegalStateException e) {
            error(ctx, 503, "the stores are not queryable now (" + e.getMessage() + "); retry");
        }
    }

    /** Asks every instance hosting {@code store} for its part ({@code ?local=true}), then merges the parts. */
    private void gathered(RoutingContext ctx, String store, java.util.function.Function<Queries, JsonNode> local,
                          java.util.function.Function<List<JsonNode>, JsonNode> merge) {
        KafkaStreams s = streams;
        if (s == null) {
            error(ctx, 503, "starting: the state stores are not open yet; retry");
            return;
        }
        try {
            if (ctx.queryParams().getAll("local").contains("true")) {
                json(ctx, 200, local.apply(new Queries(s)));
                return;
            }
            List<JsonNode> parts = new ArrayList<>();
            for (StreamsMetadata instance : s.streamsMetadataForStore(store)) {
                if (instance.hostInfo().equals(self)) {
                    parts.add(local.apply(new Queries(s)));
                } else {
                    parts.add(fetch(instance.hostInfo(), ctx.request().path(), ctx.request().query(),
                            ctx.request().getHeader("Authorization")));
                }
            }
            json(ctx, 200, merge.apply(parts));
        } catch (org.apache.kafka.streams.errors.StreamsException | IllegalStateException e) {
            error(ctx, 503, "a store is being restored or moved (" + e.getMessage() + "); retry");
        } catch (RuntimeException e) {
            error(ctx, 502, "an instance did not answer: " + e.getMessage() + "; retry");
        }
    }

    private void relay(RoutingContext ctx, HostInfo owner) {
        try {
            json(ctx, 200, fetch(owner, ctx.request().path(), ctx.request().query(),
                    ctx.request().getHeader("Authorization")));
        } catch (PeerError e) {
            ctx.response().setStatusCode(e.status).putHeader("Content-Type", "application/json").end(e.body);
        } catch (RuntimeException e) {
            error(ctx, 502, "the owning instance " + owner.host() + ":" + owner.port() + " did not answer: "
                    + e.getMessage());
        }
    }

    /** GETs {@code path} from another instance with {@code local=true}; runs on a worker thread. */
    private JsonNode fetch(HostInfo peer, String path, String query, String authorization) {
        String kept = query == null ? "" : java.util.Arrays.stream(query.split("&"))
                .filter(p -> !p.isBlank() && !p.startsWith("local=")).collect(java.util.stream.Collectors.joining("&"));
        String uri = path + "?" + (kept.isEmpty() ? "" : kept + "&") + "local=true";
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(peer.host())
                .setPort(peer.port()).setURI(uri);
        if (authorization != null) {
            options.putHeader("Authorization", authorization); // the peer checks the same key against its file
        }
        Future<io.vertx.core.buffer.Buffer> answer = peers.request(options)
                .compose(request -> request.send().compose(response -> response.body().compose(body ->
                        response.statusCode() == 200 ? Future.succeededFuture(body)
                                : Future.failedFuture(new PeerError(response.statusCode(), body.toString())))));
        try {
            // a worker thread may block on a future, though not with Vert.x's await
            return Queries.JSON.readTree(answer.toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).getBytes());
        } catch (PeerError e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            if (e.getCause() instanceof PeerError peerError) {
                throw peerError;
            }
            throw new IllegalStateException(peer.host() + ":" + peer.port() + ": " + e.getMessage(), e);
        }
    }

    private static final class PeerError extends RuntimeException {
        final int status;
        final String body;

        PeerError(int status, String body) {
            super("HTTP " + status, null, false, false);
            this.status = status;
            this.body = body;
        }
    }

    /** With no keys, everyone is an operator: the listener is on a loopback address (SluiceRuntime checks). */
    private static final ApiKeys.Caller OPEN = new ApiKeys.Caller("open", null);

    private static void authenticate(RoutingContext ctx, ApiKeys keys) {
        if (keys == null) {
            ctx.put("caller", OPEN);
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7)
                : ctx.request().getHeader("X-Api-Key");
        var caller = keys.authenticate(presented);
        if (caller.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"sluice\"");
            error(ctx, 401, presented == null ? "an API key is required: 'Authorization: Bearer <key>' (make one"
                    + " with ./sluice keys add)" : "unknown or revoked API key");
            return;
        }
        ctx.put("caller", caller.get());
        ctx.next();
    }

    private static ApiKeys.Caller caller(RoutingContext ctx) {
        return ctx.get("caller");
    }

    private static String param(RoutingContext ctx, String name, String fallback) {
        String value = ctx.queryParams().get(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void json(RoutingContext ctx, int status, JsonNode body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(Queries.JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, Queries.JSON.createObjectNode().put("error", message));
    }

    private static String openApi() {
        try (InputStream in = HttpApi.class.getResourceAsStream("/openapi.yaml")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.yaml is missing from the application jar", e);
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("HTTP API did not stop cleanly", e);
        }
    }
}
