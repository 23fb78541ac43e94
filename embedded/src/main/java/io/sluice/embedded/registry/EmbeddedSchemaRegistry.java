package io.sluice.embedded.registry;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Schema Registry serving Confluent's REST API and wire format to Confluent clients (kcat, kafkajs,
 * confluent-kafka-python, Sluice's own {@code RestSchemaRegistryClient}), because Confluent's registry is not on
 * Maven Central. Like Confluent's, it keeps its state in a compacted Kafka topic ({@value #DEFAULT_TOPIC} unless
 * told otherwise; record format in {@link SchemaRecord} and {@link TopicRecord}), so schemas, ids, deletes and
 * levels survive restarts: start-up reads the topic to its end before serving. Avro only, with references.
 * <p>
 * This instance writes: its transactional producer fences any other writer on the topic, so a second instance
 * started on the same topic takes writing over and this one's changes then fail rather than reuse an id.
 * Listens on {@code localhost} only, like the embedded broker. Endpoints and codes: docs/registry.md.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    public static final String DEFAULT_TOPIC = "_sluice_schemas";
    private static final String HOST = "localhost";
    private static final long AWAIT_SECONDS = 10;
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final Vertx vertx;
    private final WorkerExecutor writer;
    private final TopicReader reader;
    private final TopicWriter topicWriter;
    private final String topic;
    private final HttpServer server;

    private EmbeddedSchemaRegistry(Vertx vertx, WorkerExecutor writer, TopicReader reader, TopicWriter topicWriter,
                                   String topic, HttpServer server) {
        this.vertx = vertx;
        this.writer = writer;
        this.reader = reader;
        this.topicWriter = topicWriter;
        this.topic = topic;
        this.server = server;
    }

    /** Starts a registry on topic {@value #DEFAULT_TOPIC}; {@code port} 0 picks a free port. */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port) {
        return start(bootstrapServers, port, DEFAULT_TOPIC);
    }

    /** Starts a registry keeping its schemas in {@code topic}, created (compacted) when missing. */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port, String topicName) {
        return start(Map.of("bootstrap.servers", bootstrapServers), port, topicName);
    }

    /**
     * Starts a registry whose Kafka clients use {@code connection}: the bootstrap servers and, on a secured cluster,
     * the security settings (a principal allowed to create, read and write {@code topicName}).
     */
    public static EmbeddedSchemaRegistry start(Map<String, Object> connection, int port, String topicName) {
        String bootstrapServers = String.valueOf(connection.get("bootstrap.servers"));
        TopicPartition partition = SchemaTopic.open(connection, topicName);
        SchemaStore store = new SchemaStore();
        TopicReader reader = TopicReader.start(connection, partition, store, LOAD_TIMEOUT);
        TopicWriter topicWriter = null;
        Vertx vertx = null;
        try {
            topicWriter = new TopicWriter(connection, partition);
            vertx = Vertx.vertx();
            // one thread: changes run one at a time, and none ever blocks the event loop
            WorkerExecutor writer = vertx.createSharedWorkerExecutor("sluice-schema-registry-writer", 1);
            SchemaRegistrar registrar = new SchemaRegistrar(store, topicWriter, reader, topicName);
            RegistryHttpApi api = new RegistryHttpApi(store, registrar, writer);
            HttpServer server = await(vertx.createHttpServer().requestHandler(api.router(vertx)).listen(port, HOST),
                    "listen on port " + port);
            EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(vertx, writer, reader, topicWriter,
                    topicName, server);
            log.info("Embedded schema registry at {} serving {} subjects from topic {} on {}",
                    registry.url(), store.subjects(SchemaStore.Lookup.LIVE).size(), topicName, bootstrapServers);
            return registry;
        } catch (RuntimeException e) {
            if (vertx != null) {
                vertx.close();
            }
            if (topicWriter != null) {
                topicWriter.close();
            }
            reader.close();
            throw e;
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** Base URL for registry clients, for example {@code http://localhost:8081}. */
    public String url() {
        return "http://" + HOST + ":" + port();
    }

    /** Stops serving, then lets an in-flight registration finish before the producer closes. */
    @Override
    public void close() {
        try {
            await(server.close(), "stop its HTTP server");
            await(writer.close(), "stop its writer");
        } finally {
            topicWriter.close();
            reader.close();
            await(vertx.close(), "stop Vert.x");
            log.info("Embedded schema registry on topic {} stopped", topic);
        }
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Embedded schema registry could not " + what + ": " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Embedded schema registry could not " + what + " within "
                    + AWAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Embedded schema registry was interrupted trying to " + what, e);
        }
    }
}
