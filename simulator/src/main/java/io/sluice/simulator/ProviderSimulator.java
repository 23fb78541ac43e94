package io.sluice.simulator;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server that answers like the OpenAI Chat Completions and Anthropic Messages APIs, with latency, faults,
 * rate limits and outages set by {@link SimulatorSettings}. Runs on its own Vert.x event loops: simulated latency is
 * a timer, so thousands of slow calls in flight cost no threads.
 *
 * <pre>{@code
 * try (ProviderSimulator sim = ProviderSimulator.start(SimulatorSettings.defaults(), 0)) {
 *     OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(sim.openAiBaseUrl()).apiKey("any").build();
 * }
 * }</pre>
 */
public final class ProviderSimulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProviderSimulator.class);
    private static final long START_TIMEOUT_SECONDS = 30;

    private final Vertx vertx;
    private final SimulatorState state;
    private final StatsRecorder stats;
    private final String host;
    private final int port;

    private ProviderSimulator(Vertx vertx, SimulatorState state, StatsRecorder stats, String host, int port) {
        this.vertx = vertx;
        this.state = state;
        this.stats = stats;
        this.host = host;
        this.port = port;
    }

    /** Starts on the loopback interface; port 0 picks a free port. */
    public static ProviderSimulator start(SimulatorSettings settings, int port) {
        return start(settings, "127.0.0.1", port);
    }

    /** Starts on the given interface ("0.0.0.0" for all); port 0 picks a free port. Blocks until listening. */
    public static ProviderSimulator start(SimulatorSettings settings, String host, int port) {
        // One event loop per core (capped), each with its own server instance on the shared port.
        int loops = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        // epoll where Netty has it: in a benchmark the simulator shares the machine with what it measures
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        SimulatorState state = new SimulatorState(settings);
        StatsRecorder stats = new StatsRecorder();
        try {
            int boundPort = bindAll(vertx, state, stats, host, port, loops);
            ProviderSimulator simulator = new ProviderSimulator(vertx, state, stats, host, boundPort);
            log.info("Provider simulator listening at {} on {} event loops ({})", simulator.baseUrl(), loops,
                    vertx.isNativeTransportEnabled() ? "epoll" : "the JDK's selector");
            return simulator;
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /**
     * Vert.x shares a port between server instances only when it is named: instances listening on port 0 would
     * each get a different one. So for port 0 a free port is found first, and another one tried should some other
     * process take it in between.
     */
    private static int bindAll(Vertx vertx, SimulatorState state, StatsRecorder stats, String host, int port,
                               int loops) {
        int attempts = port == 0 ? 5 : 1;
        for (int attempt = 1; ; attempt++) {
            int candidate = port == 0 ? freePort(host) : port;
            try {
                await(vertx.deployVerticle(() -> new ServerVerticle(state, stats, host, candidate),
                        new DeploymentOptions().setInstances(loops)));
                return candidate;
            } catch (SimulatorException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                log.debug("Port {} was taken before the simulator could bind it; trying another", candidate);
            }
        }
    }

    private static int freePort(String host) {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new SimulatorException("cannot find a free port on " + host, e);
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SimulatorException("interrupted while starting", e);
        } catch (Exception e) {
            throw new SimulatorException("cannot start the HTTP server: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://HOST:PORT}; a wildcard bind address is reported as localhost. */
    public String baseUrl() {
        String visibleHost = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        return "http://" + (visibleHost.contains(":") ? "[" + visibleHost + "]" : visibleHost) + ":" + port;
    }

    /** Base URL for OpenAI clients, which append {@code /chat/completions}. */
    public String openAiBaseUrl() {
        return baseUrl() + "/v1";
    }

    /** Base URL for Anthropic clients, which append {@code /v1/messages}. */
    public String anthropicBaseUrl() {
        return baseUrl();
    }

    public SimulatorSettings settings() {
        return state.current().settings();
    }

    /** Replaces the behaviour for calls arriving from now on; calls already waiting finish as planned. */
    public void settings(SimulatorSettings settings) {
        state.apply(settings);
    }

    /** The outage switch: while on, every provider call answers 503. */
    public void outage(boolean on) {
        state.apply(settings().withOutage(on));
    }

    public SimulatorStats stats() {
        return stats.snapshot();
    }

    public void resetStats() {
        stats.reset();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            log.info("Provider simulator at {} stopped", baseUrl());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SimulatorException("interrupted while stopping", e);
        } catch (Exception e) {
            throw new SimulatorException("cannot stop cleanly: " + e.getMessage(), e);
        }
    }
}
