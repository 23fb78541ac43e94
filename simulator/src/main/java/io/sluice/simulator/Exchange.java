package io.sluice.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provider call from arrival to its single ending: an answer, a dropped connection, or the caller leaving.
 * All methods run on the connection's event loop, so the state needs no locking; the flag makes sure stats count
 * each call's ending exactly once whichever way it ends.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private final Vertx vertx;
    private final Dialect dialect;
    private final HttpServerResponse response;
    private final StatsRecorder stats;
    private final String requestIdHeader;
    private final String requestId;
    private long timerId = -1;
    private boolean finished;

    Exchange(Vertx vertx, HttpServerResponse response, StatsRecorder stats, String endpoint, Dialect dialect,
             HttpVersion protocol) {
        this.vertx = vertx;
        this.response = response;
        this.dialect = dialect;
        this.stats = stats;
        this.requestIdHeader = dialect.requestIdHeader();
        this.requestId = dialect.newRequestId();
        stats.begin(endpoint, protocol);
        // A caller that times out and disconnects must not stay "in flight", nor leave its timer firing later.
        response.closeHandler(ignored -> end("client-closed"));
    }

    /** Runs the action after the delay on this event loop; a timer, never a sleep, so the loop stays free. */
    void after(long delayMs, Runnable action) {
        if (delayMs <= 0) {
            guarded(action);
            return;
        }
        timerId = vertx.setTimer(delayMs, id -> {
            timerId = -1;
            guarded(action);
        });
    }

    /**
     * Runs a step of the call; a bug in it answers 500 rather than leaving the call hanging and counted in flight
     * for ever.
     */
    void guarded(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.error("ProviderSimulator: {} call failed inside the simulator", dialect.endpoint(), e);
            reply(dialect.error(ApiError.of(Outcome.SERVER_ERROR)));
        }
    }

    void reply(Reply reply) {
        if (!end(String.valueOf(reply.status()))) {
            return;
        }
        response.setStatusCode(reply.status())
                .putHeader("content-type", "application/json")
                .putHeader(requestIdHeader, requestId);
        reply.headers().forEach(response::putHeader);
        response.end(reply.body());
    }

    /** Drops the call without an answer: HTTP/1.1 closes the connection, HTTP/2 resets the stream. */
    void drop(String statusKey) {
        if (end(statusKey)) {
            response.reset();
        }
    }

    /** Marks the ending; false when the call had already ended some other way. */
    private boolean end(String statusKey) {
        if (finished) {
            return false;
        }
        finished = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        stats.finish(statusKey);
        return true;
    }
}
