package io.sluice.embedded.registry;

import static io.sluice.embedded.registry.TestSchemas.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.registry.RestSchemaRegistryClient;
import io.sluice.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sluice's own registry client against the embedded registry, one fresh client per call so nothing is cached. */
class RestClientAgainstEmbeddedRegistryTest {
    @RegisterExtension
    static final RegistryCluster cluster = new RegistryCluster();



    private static RestSchemaRegistryClient client() {
        return new RestSchemaRegistryClient(cluster.registry.url());
    }

    @Test
    void registersASchemaThatAnotherClientFetchesById() {
        // Given a schema
        Schema schema = record("Fetched", "{\"name\":\"amount\",\"type\":\"long\"}");

        // When one client registers it and another fetches it by the id it got
        int id = client().register("fetched-value", schema);
        Schema fetched = client().schemaById(id);

        // Then the fetched schema is the registered one
        assertThat(id).isPositive();
        assertThat(fetched).isEqualTo(schema);
    }

    @Test
    void givesAnIdenticalSchemaTheSameIdWithoutANewVersion() {
        // Given a registered schema
        Schema schema = record("Identical");
        int first = client().register("identical-value", schema);

        // When the same schema is registered again under the same subject
        int second = client().register("identical-value", record("Identical"));

        // Then it keeps its id and the subject still has one version
        assertThat(second).isEqualTo(first);
        assertThat(cluster.http.get("/subjects/identical-value/versions").body()).hasSize(1);
    }

    @Test
    void sharesTheIdOfASchemaRegisteredUnderAnotherSubject() {
        // Given a schema registered under one subject
        Schema schema = record("Shared");
        int underA = client().register("shared-a-value", schema);

        // When the same schema is registered under a second subject
        int underB = client().register("shared-b-value", schema);

        // Then both subjects use the one global id, as version 1 of the second subject
        assertThat(underB).isEqualTo(underA);
        RegistryHttp.Response latest = cluster.http.get("/subjects/shared-b-value/versions/latest");
        assertThat(latest.body().get("id").asInt()).isEqualTo(underA);
        assertThat(latest.body().get("version").asInt()).isEqualTo(1);
    }

    @Test
    void givesACompatibleSecondVersionANewIdAndVersionTwo() {
        // Given version 1 of a subject
        Schema v1 = record("Evolving");
        int id1 = client().register("evolving-value", v1);

        // When a compatible change (a new field with a default) is registered
        Schema v2 = record("Evolving", "{\"name\":\"note\",\"type\":\"string\",\"default\":\"\"}");
        int id2 = client().register("evolving-value", v2);

        // Then it is version 2 with its own id, and version 1 is still found by lookup
        assertThat(id2).isNotEqualTo(id1);
        RegistryHttp.Response latest = cluster.http.get("/subjects/evolving-value/versions/latest");
        assertThat(latest.body().get("version").asInt()).isEqualTo(2);
        assertThat(latest.body().get("id").asInt()).isEqualTo(id2);
        assertThat(client().lookup("evolving-value", v1)).contains(id1);
        assertThat(client().schemaById(id2)).isEqualTo(v2);
    }

    @Test
    void refusesAnIncompatibleChangeWithConflictStatus() {
        // Given version 1 of a subject
        client().register("strict-value", record("Strict"));

        // When a new required field (no default: old records cannot be read) is registered
        Schema incompatible = record("Strict", "{\"name\":\"amount\",\"type\":\"int\"}");
        SchemaRegistryException refusal = catchThrowableOfType(SchemaRegistryException.class,
                () -> client().register("strict-value", incompatible));

        // Then the registry refuses it with 409 and keeps only version 1
        assertThat(refusal).isNotNull();
        assertThat(refusal.status()).isEqualTo(409);
        assertThat(refusal.errorCode()).isEqualTo(409);
        assertThat(refusal.getMessage()).contains("incompatible", "strict-value", "amount");
        assertThat(cluster.http.get("/subjects/strict-value/versions").body().toString()).isEqualTo("[1]");
    }

    @Test
    void servesSubjectNamesThatNeedUrlEncoding() {
        // Given a subject name with a space, a slash, a question mark and non-ASCII letters
        String subject = "team a/orders?v=é-value";
        Schema schema = record("Encoded");

        // When it is registered and looked up through the client, which percent-encodes it
        int id = client().register(subject, schema);

        // Then the registry decodes the name: the lookup finds it and the subject list shows it as given
        assertThat(client().lookup(subject, schema)).contains(id);
        assertThat(cluster.http.get("/subjects").body()).anySatisfy(s -> assertThat(s.asText()).isEqualTo(subject));
    }
}
