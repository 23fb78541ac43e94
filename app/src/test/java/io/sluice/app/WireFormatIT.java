package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.topology.SchemaCatalog;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a producer in another language does: register a schema through the registry's REST API, frame an Avro body
 * by hand (magic byte 0, 4-byte big-endian schema id, Avro binary) and produce the bytes. The pipeline must read it.
 * The writer schema is an older, smaller PromptRequest, so this also shows the reader filling in defaults.
 */
class WireFormatIT {
    /** PromptRequest as a first producer release might have had it: no params, metadata or deadline. */
    private static final String WRITER_SCHEMA = """
            {"type":"record","name":"PromptRequest","namespace":"io.sluice.schemas","fields":[
              {"name":"requestId","type":"string"},{"name":"tenantId","type":"string"},
              {"name":"userId","type":"string"},{"name":"appId","type":"string"},
              {"name":"createdAt","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"route","type":"string"},
              {"name":"messages","type":{"type":"array","items":{"type":"record","name":"ChatMessage",
                "fields":[{"name":"role","type":"string"},{"name":"content","type":"string"}]}}}]}""";

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("answers a request framed by hand with a schema registered through the REST API")
    void readsHandFramedRecord() throws Exception {
        SluiceConfig config = cluster.config("wire", Map.of());
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            // Every value schema the topology writes was registered at start, before any record
            HttpResponse<String> subjects = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(cluster.registry.url() + "/subjects")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            List<String> registered = new ArrayList<>();
            new ObjectMapper().readTree(subjects.body()).forEach(subject -> registered.add(subject.asText()));
            assertThat(registered).containsAll(SchemaCatalog.valueSubjects(runtime.config()).keySet());

            // Given the writer schema registered under the topic's -value subject over HTTP
            int schemaId = register(runtime.topics().requests().name() + "-value", WRITER_SCHEMA);
            long createdAt = System.currentTimeMillis();

            // When a record is framed from the wire-format description and produced as raw bytes
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            string(body, "wire-1");
            string(body, "acme");
            string(body, "alice");
            string(body, "kcat");
            varLong(body, createdAt);
            string(body, "default");
            varLong(body, 1); // one array block of one item
            string(body, "user");
            string(body, "Say hello in Welsh.");
            varLong(body, 0); // end of array
            byte[] framed = ByteBuffer.allocate(5 + body.size()).put((byte) 0).putInt(schemaId)
                    .put(body.toByteArray()).array();
            traffic.send("wire-1", createdAt, framed);

            // Then the pipeline answers it
            traffic.awaitOutcomes(Duration.ofSeconds(60));
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 1));
        }
    }

    private static int register(String subject, String schema) throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(cluster.registry.url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(json.createObjectNode().put("schema", schema).toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).path("id").asInt();
    }

    /** Avro long/int: zig-zag, then base-128 varint, low group first. */
    private static void varLong(ByteArrayOutputStream out, long value) {
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }

    /** Avro string: byte length as a long, then UTF-8 bytes. */
    private static void string(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        varLong(out, bytes.length);
        out.writeBytes(bytes);
    }
}
