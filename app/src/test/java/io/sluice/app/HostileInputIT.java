package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.PromptRequest;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.avro.Schema;

/**
 * Hostile bytes on the requests topic of a real pipeline on a real broker: crafted length bombs for every
 * collection, strings longer than their record, truncated records, unknown and huge schema ids, writer schemas
 * that nest or recurse, invalid UTF-8 and an oversized record, then random corruptions of valid records generated
 * by jqwik. Each crafted one must be dead-lettered, each random one must end in exactly one outcome, no stream
 * thread may fail, and the valid requests sent between and after them must all be answered.
 */
class HostileInputIT {
    // A jqwik property (so that it generates and reports the random part, and repeats it with -Djqwik.seed), with
    // the cluster started by jqwik's container hooks in place of the JUnit extension.
    private static final TestCluster cluster = new TestCluster();

    @BeforeContainer
    static void startCluster() throws IOException {
        cluster.beforeAll(null);
    }

    @AfterContainer
    static void stopCluster() throws IOException {
        cluster.afterAll(null);
    }

    /** One random corruption of a valid record: what to do, where (a fraction of the body) and with which byte. */
    record Corruption(int kind, double where, byte value) {
        byte[] apply(byte[] valid, int from) {
            int at = from + (int) (where * (valid.length - from - 1));
            return switch (kind) {
                case 0 -> {
                    byte[] copy = valid.clone();
                    copy[at] = value;
                    yield copy;
                }
                case 1 -> Arrays.copyOf(valid, at);
                default -> concat(Arrays.copyOf(valid, at), new Avro().varint(Integer.MAX_VALUE - 8 - value).bytes(),
                        Arrays.copyOfRange(valid, at + 1, valid.length));
            };
        }
    }

    @Provide
    Arbitrary<List<Corruption>> corruptions() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.doubles().between(0, 1),
                Arbitraries.bytes()).as(Corruption::new).list().ofSize(150);
    }

    @Property(tries = 1, edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.OFF)
    @Label("dead-letters every hostile record, keeps its threads up and answers the valid requests around them")
    void hostileRecordsAreDeadLetteredAndTheRestAnswered(@ForAll("corruptions") List<Corruption> corruptions) {
        SluiceConfig config = cluster.config("hostile", Map.of(SluiceConfigDef.INTAKE_MAX_RECORD_BYTES, 64 * 1024,
                SluiceConfigDef.LIMIT_TENANT_RPM, 0, SluiceConfigDef.LIMIT_USER_RPM, 0));
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            byte[] valid = runtime.topics().requests().valueSerde().serializer().serialize(
                    runtime.topics().requests().name(), PromptRequests.valid("acme", "x", Instant.now()).build());
            int id = ByteBuffer.wrap(valid, 1, 4).getInt();
            var registry = SluiceRuntime.registryClient(runtime.config());
            int recursiveId = registry.register("hostile-recursive-value", new Schema.Parser().parse("""
                    {"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}"""));
            int deepId = registry.register("hostile-deep-value", deepSchema(40));

            // Given the 41-byte record of the hardening issue first, then 1,000 valid requests
            Map<String, byte[]> crafted = crafted(id, recursiveId, deepId, valid);
            long now = System.currentTimeMillis();
            traffic.send("hostile-bomb", now, crafted.remove("hostile-bomb"));
            for (int i = 0; i < 1_000; i++) {
                traffic.send(PromptRequests.valid("acme", "after-" + (i % 50), Instant.now()).build());
            }
            // and every other crafted record and 150 random corruptions, each followed by a valid request
            crafted.forEach((key, bytes) -> {
                traffic.send(key, System.currentTimeMillis(), bytes);
                traffic.send(PromptRequests.valid("acme", "between", Instant.now()).build());
            });
            // (each corrupts a valid request "fuzz-N" after its id, so whatever it decodes to is still "fuzz-N")
            for (int i = 0; i < corruptions.size(); i++) {
                String requestId = "fuzz-" + i;
                byte[] original = runtime.topics().requests().valueSerde().serializer().serialize(
                        runtime.topics().requests().name(),
                        PromptRequests.valid("acme", "fuzz", Instant.now()).setRequestId(requestId).build());
                traffic.send(requestId, System.currentTimeMillis(),
                        corruptions.get(i).apply(original, 5 + 1 + requestId.length()));
                traffic.send(PromptRequests.valid("acme", "between", Instant.now()).build());
            }

            // When the pipeline has settled them all
            traffic.awaitOutcomes(Duration.ofSeconds(180));

            // Then each crafted record was dead-lettered, each random one has one outcome, every valid one an answer
            int craftedCount = crafted.size() + 1;
            int validCount = 1_000 + crafted.size() + corruptions.size();
            assertThat(tracker.duplicates()).isZero();
            assertThat(tracker.deadLettersByReason().getOrDefault("POISON_RECORD", 0)).isGreaterThanOrEqualTo(
                    craftedCount);
            assertThat(tracker.responsesByStatus().getOrDefault("OK", 0)).isGreaterThanOrEqualTo(validCount);
            assertThat(tracker.notOk()).allSatisfy((requestId, outcome) -> assertThat(requestId)
                    .as("%s ended %s", requestId, outcome).matches("(hostile|fuzz)-.*"));
            // and no stream thread failed: the instance stayed ready throughout
            String metrics = Http.get(runtime.httpUrl() + "/metrics").body();
            assertThat(metrics).contains("sluice_stream_thread_replacements_total 0.0");
            assertThat(Http.get(runtime.httpUrl() + "/health/ready").status()).isEqualTo(200);
        }
    }

    /** The records an attacker with a Kafka client would write first, by key. */
    private static Map<String, byte[]> crafted(int id, int recursiveId, int deepId, byte[] valid) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        // The record: ids, time and route, then a messages array declaring 2,147,483,639 items.
        records.put("hostile-bomb", fixed(id).varint(Integer.MAX_VALUE - 8).bytes());
        records.put("hostile-messages-block-bomb", fixed(id).varint(-(Long.MAX_VALUE / 2)).varint(8).bytes());
        records.put("hostile-stop-bomb", fixed(id).varint(1).string("user").string("hi").varint(0)
                .varint(0).varint(0).varint(0).varint(Integer.MAX_VALUE).bytes());
        records.put("hostile-metadata-bomb", fixed(id).varint(1).string("user").string("hi").varint(0)
                .varint(0).varint(0).varint(0).varint(0).varint(1L << 40).bytes());
        records.put("hostile-string-bomb", new Avro().header(id).varint(Integer.MAX_VALUE).raw('r').bytes());
        records.put("hostile-negative-length", new Avro().header(id).varint(-5).bytes());
        records.put("hostile-truncated", Arrays.copyOf(valid, valid.length - 3));
        records.put("hostile-header-only", Arrays.copyOf(valid, 5));
        records.put("hostile-unknown-id", withId(valid, 99_999));
        records.put("hostile-huge-id", withId(valid, Integer.MAX_VALUE));
        records.put("hostile-negative-id", withId(valid, -1));
        records.put("hostile-recursive-schema", new Avro().header(recursiveId).varint(1).varint(1).varint(0).bytes());
        records.put("hostile-deep-schema", new Avro().header(deepId).varint(0).bytes());
        records.put("hostile-invalid-utf8", new Avro().header(id).varint(2).raw(0xC3).raw(0x28).bytes());
        records.put("hostile-trailing-bytes", concat(valid, new byte[] {1, 2, 3}));
        records.put("hostile-oversized", concat(Arrays.copyOf(valid, 5), new byte[70 * 1024]));
        return records;
    }

    private static Schema deepSchema(int levels) {
        String type = "\"string\"";
        for (int i = 0; i < levels; i++) {
            type = "{\"type\": \"array\", \"items\": " + type + "}";
        }
        return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Deep\", \"fields\": [{\"name\": \"x\","
                + " \"type\": " + type + "}]}");
    }

    private static Avro fixed(int id) {
        return new Avro().header(id).string("r").string("t").string("u").string("a").varint(1).string("m");
    }

    private static byte[] withId(byte[] valid, int id) {
        byte[] copy = valid.clone();
        ByteBuffer.wrap(copy).putInt(1, id);
        return copy;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Confluent framing and Avro's zig-zag varints, written by hand so that any count can be declared. */
    private static final class Avro {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Avro header(int id) {
            out.write(0);
            out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
            return this;
        }

        Avro varint(long n) {
            long zigzag = (n << 1) ^ (n >> 63);
            while ((zigzag & ~0x7FL) != 0) {
                out.write((int) ((zigzag & 0x7F) | 0x80));
                zigzag >>>= 7;
            }
            out.write((int) zigzag);
            return this;
        }

        Avro string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            out.writeBytes(utf8);
            return this;
        }

        Avro raw(int b) {
            out.write(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
