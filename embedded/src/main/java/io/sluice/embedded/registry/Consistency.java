package io.sluice.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.AsyncResult;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What makes several instances answer as one: a change runs here when this instance writes, else at the writer,
 * and is answered once this instance has applied it too; a read that would be "not found" is asked again once
 * this instance has read the topic to its end, so what any instance wrote is found on every one.
 */
final class Consistency {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CATCH_UP = Duration.ofSeconds(5);

    private final SchemaStore store;
    private final TopicReader reader;
    private final WriterElection election;
    private final WorkerExecutor writer;
    private final WorkerExecutor waits;
    private final WriteForwarder forwarder;

    /**
     * @param writer the one thread changes run on, so two can never take the same id or version
     * @param waits  where requests wait for this instance's reader to catch up, off the event loop
     */
    Consistency(SchemaStore store, TopicReader reader, WriterElection election, WorkerExecutor writer,
                WorkerExecutor waits, WriteForwarder forwarder) {
        this.store = store;
        this.reader = reader;
        this.election = election;
        this.writer = writer;
        this.waits = waits;
        this.forwarder = forwarder;
    }

    /** Answers a read; one that would be "not found" is asked again once this instance has read to the end. */
    void read(RoutingContext ctx, Supplier<JsonNode> answer) {
        try {
            RegistryHttpApi.ok(ctx, answer.get());
        } catch (RegistryError e) {
            if (e.status() != 404) {
                throw e;
            }
            waits.executeBlocking(() -> {
                reader.catchUp(CATCH_UP);
                return answer.get();
            }, false).onComplete(done -> answer(ctx, done));
        }
    }

    /** Makes a change here when this instance writes, else has the writer make it. */
    void change(RoutingContext ctx, Function<SchemaRegistrar, JsonNode> change) {
        if (election.registrar().isPresent()) {
            writer.executeBlocking(() -> {
                try {
                    return change.apply(election.registrar().orElseThrow(RegistryError::writerUnknown));
                } catch (TopicWriter.FencedException e) {
                    // a new writer has started: its election answers the next request
                    election.fenced();
                    throw RegistryError.writerUnknown();
                }
            }, true).onComplete(done -> answer(ctx, done));
            return;
        }
        String writerUrl = store.writer().orElse(null);
        if (writerUrl == null || WriteForwarder.wasForwarded(ctx)) {
            // no writer yet, or one named this instance and the role has moved since: the client retries
            throw RegistryError.writerUnknown();
        }
        forwarder.forward(ctx, writerUrl).onComplete(forwarded -> {
            if (forwarded.failed()) {
                ctx.fail(forwarded.cause());
            } else if (!forwarded.result().succeeded()) {
                RegistryHttpApi.respond(ctx, forwarded.result().status(), forwarded.result().body().toString());
            } else {
                // read-your-writes here too: answer once this instance has applied what the writer wrote
                waits.executeBlocking(() -> {
                    reader.catchUp(CATCH_UP);
                    return JSON.readTree(forwarded.result().body().toString());
                }, false).onComplete(done -> answer(ctx, done));
            }
        });
    }

    private static void answer(RoutingContext ctx, AsyncResult<JsonNode> done) {
        if (done.succeeded()) {
            RegistryHttpApi.ok(ctx, done.result());
        } else {
            ctx.fail(done.cause());
        }
    }
}
