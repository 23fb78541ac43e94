package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.provider.ProviderReply;
import io.sluice.registry.InMemorySchemaRegistryClient;
import io.sluice.registry.SchemaRegistryClient;
import io.sluice.registry.SchemaRegistryException;
import io.sluice.schemas.PromptRequest;
import io.sluice.serde.ConfluentWireFormat;
import io.sluice.testkit.PromptRequests;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A schema registry that cannot be reached (it stores schemas on the broker, so it fails while the broker is down)
 * makes a valid record unwritable, not poison: the stream thread must fail, so the record is processed again once
 * the registry is back, instead of being dead-lettered or its outcome dropped.
 */
class RegistryOutageTest {
    private static final Instant START = TopologyFixture.START;

    @RegisterExtension
    final TopologyFixtures topologies = new TopologyFixtures();

    /** Like the REST client: subjects registered once are cached; a first registration needs the registry. */
    private static final class FlakyRegistry implements SchemaRegistryClient {
        private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        private final Set<String> cached = ConcurrentHashMap.newKeySet();
        volatile boolean down;

        @Override
        public int register(String subject, Schema schema) {
            if (down && !cached.contains(subject)) {
                throw new SchemaRegistryException("Schema registry at http://registry:8081/ is unreachable: "
                        + "java.net.ConnectException", new ConnectException("Connection refused"));
            }
            cached.add(subject);
            return registry.register(subject, schema);
        }

        @Override
        public Schema schemaById(int id) {
            return registry.schemaById(id);
        }
    }

    @Test
    @DisplayName("fails instead of dead-lettering a valid request whose next stage's schema cannot be registered")
    void registryDownBetweenStages() {
        FlakyRegistry registry = new FlakyRegistry();
        TopologyFixture fixture = topologies.start(Map.of(), registry);
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();
        registry.register(ConfluentWireFormat.subject(fixture.topics.requests().name(), false),
                PromptRequest.getClassSchema()); // the producer app registered its own subject before
        registry.down = true;

        assertThatThrownBy(() -> fixture.send(request)).isInstanceOf(StreamsException.class)
                .hasRootCauseInstanceOf(ConnectException.class);

        assertThat(fixture.deadLetters.isEmpty()).isTrue();
        assertThat(fixture.rejected.isEmpty()).isTrue();
        // the replacement thread reads the record again, after the registry is back
        registry.down = false;
        fixture.send(request);
        assertThat(fixture.responses.readValuesToList()).hasSize(1);
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("does not dead-letter a request, nor drop its answer, when the response's schema cannot be registered")
    void registryDownWhenAnswering() {
        FlakyRegistry registry = new FlakyRegistry();
        TopologyFixture fixture = topologies.start(Map.of(), registry);
        // a dead letter was written before (its subject is registered), but no response yet
        registry.register(ConfluentWireFormat.subject(fixture.topics.deadLetter().name(), false),
                PromptRequest.getClassSchema());
        CompletableFuture<ProviderReply> pending = new CompletableFuture<>();
        fixture.openai.thenPending(pending);
        fixture.send(PromptRequests.valid("acme", "alice", START).build());
        registry.down = true;

        pending.complete(ScriptedProvider.reply("gpt-4o-mini", 10, 10));

        assertThatThrownBy(() -> fixture.advance(Duration.ofMillis(40))).isInstanceOf(StreamsException.class)
                .hasRootCauseInstanceOf(ConnectException.class);
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
        assertThat(fixture.responses.isEmpty()).isTrue();
    }
}
