package io.sluice.embedded.registry;

import static io.sluice.embedded.registry.RegistryHttp.REGISTRY_TYPE;
import static io.sluice.embedded.registry.RegistryHttp.schemaBody;
import static io.sluice.embedded.registry.TestSchemas.recordJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.registry.RestSchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each endpoint's status, content type and JSON shape, as a Confluent client sees them on the wire. */
class EmbeddedSchemaRegistryHttpTest {
    @RegisterExtension
    static final RegistryCluster cluster = new RegistryCluster();
    private static final ObjectMapper JSON = new ObjectMapper();



    /** Registers {@code schemaJson} under {@code subject} and returns its id. */
    private static int register(String subject, String schemaJson) {
        RegistryHttp.Response response = cluster.http.post("/subjects/" + subject + "/versions", schemaBody(schemaJson));
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body().get("id").asInt();
    }

    private static void assertError(RegistryHttp.Response response, int status, int errorCode, String message) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).isEqualTo(REGISTRY_TYPE);
        assertThat(fieldNames(response.body())).containsExactlyInAnyOrder("error_code", "message");
        assertThat(response.body().get("error_code").asInt()).isEqualTo(errorCode);
        assertThat(response.body().get("message").asText()).contains(message);
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }

    /** Runs {@code call} for 0..n-1, each on its own thread, all released together. */
    private static <T> List<T> atOnce(int n, IntFunction<T> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = IntStream.range(0, n).mapToObj(i -> threads.submit(() -> {
                start.await();
                return call.apply(i);
            })).toList();
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        }
    }

    @Test
    void answersTheRootAndTheGlobalConfig() {
        // Given a running registry
        // When the root and the global config are read
        RegistryHttp.Response root = cluster.http.get("/");
        RegistryHttp.Response config = cluster.http.get("/config");

        // Then the root is an empty object and compatibility is BACKWARD, in the registry content type
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.contentType()).isEqualTo(REGISTRY_TYPE);
        assertThat(root.body().toString()).isEqualTo("{}");
        assertThat(config.body().toString()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
    }

    @Test
    void registrationAnswersOnlyTheIdWhateverTheRequestContentType() {
        // Given one schema sent with each content type clients use, the last one with schemaType and extra spaces
        String schema = recordJson("ContentTypes");
        String spaced = "{ \"schema\" : " + JSON.valueToTree(schema) + " , \"schemaType\" : \"AVRO\" }";

        // When it is registered under one subject four times
        RegistryHttp.Response vnd = cluster.http.post("/subjects/types-value/versions", schemaBody(schema), REGISTRY_TYPE);
        RegistryHttp.Response json = cluster.http.post("/subjects/types-value/versions", schemaBody(schema), "application/json");
        RegistryHttp.Response octets = cluster.http.post("/subjects/types-value/versions", schemaBody(schema),
                "application/octet-stream");
        RegistryHttp.Response typed = cluster.http.post("/subjects/types-value/versions", spaced, REGISTRY_TYPE);

        // Then each answer is {"id": N} with the same id, and there is one version
        assertThat(List.of(vnd, json, octets, typed)).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(200);
            assertThat(fieldNames(r.body())).containsExactly("id");
            assertThat(r.body().get("id").asInt()).isEqualTo(vnd.body().get("id").asInt());
        });
        assertThat(cluster.http.get("/subjects/types-value/versions").body().toString()).isEqualTo("[1]");
    }

    @Test
    void treatsAReformattedSchemaAsTheSameSchema() {
        // Given a registered schema
        int id = register("format-value", recordJson("Format"));

        // When the same schema with other whitespace and key order is registered
        String reformatted = "{\n  \"namespace\": \"io.sluice.test\", \"name\": \"Format\", \"type\": \"record\",\n"
                + "  \"fields\": [ { \"type\": \"string\", \"name\": \"id\" } ]\n}";
        int again = register("format-value", reformatted);

        // Then it gets the same id and no new version
        assertThat(again).isEqualTo(id);
        assertThat(cluster.http.get("/subjects/format-value/versions").body().toString()).isEqualTo("[1]");
    }

    @Test
    void servesASchemaByIdAndTheSubjectVersionsUsingIt() {
        // Given a schema registered under two subjects
        String schema = recordJson("ById");
        int id = register("by-id-a-value", schema);
        register("by-id-b-value", schema);

        // When it is fetched by id, and the versions using it are listed
        RegistryHttp.Response byId = cluster.http.get("/schemas/ids/" + id);
        RegistryHttp.Response uses = cluster.http.get("/schemas/ids/" + id + "/versions");

        // Then the schema comes back as {"schema": "..."} and both subject versions are listed
        assertThat(byId.status()).isEqualTo(200);
        assertThat(fieldNames(byId.body())).containsExactly("schema");
        assertThat(new Schema.Parser().parse(byId.body().get("schema").asText()))
                .isEqualTo(new Schema.Parser().parse(schema));
        assertThat(uses.body().toString()).isEqualTo(
                "[{\"subject\":\"by-id-a-value\",\"version\":1},{\"subject\":\"by-id-b-value\",\"version\":1}]");
    }

    @Test
    void answersUnknownSchemaIdsWith40403() {
        // Given no schema 9999
        // When it is fetched, or its versions listed, or a non-numeric id is asked for
        // Then each answer is 404 with error code 40403
        assertError(cluster.http.get("/schemas/ids/9999"), 404, 40403, "Schema 9999 not found");
        assertError(cluster.http.get("/schemas/ids/9999/versions"), 404, 40403, "Schema 9999 not found");
        assertError(cluster.http.get("/schemas/ids/abc"), 404, 40403, "Schema abc not found");
    }

    @Test
    void listsSubjectsAndTheirVersions() {
        // Given two versions of one subject
        register("listed-value", recordJson("Listed"));
        register("listed-value", recordJson("Listed", "{\"name\":\"n\",\"type\":\"int\",\"default\":1}"));

        // When subjects and versions are listed
        JsonNode subjects = cluster.http.get("/subjects").body();
        RegistryHttp.Response versions = cluster.http.get("/subjects/listed-value/versions");

        // Then the subject is listed, with versions [1,2]
        assertThat(subjects.isArray()).isTrue();
        assertThat(subjects).anySatisfy(s -> assertThat(s.asText()).isEqualTo("listed-value"));
        assertThat(versions.status()).isEqualTo(200);
        assertThat(versions.body().toString()).isEqualTo("[1,2]");
        assertError(cluster.http.get("/subjects/unlisted-value/versions"), 404, 40401, "Subject 'unlisted-value' not found.");
    }

    @Test
    void servesASubjectVersionByNumberAndAsLatest() {
        // Given two versions of a subject
        String v1 = recordJson("Versioned");
        String v2 = recordJson("Versioned", "{\"name\":\"n\",\"type\":\"int\",\"default\":1}");
        int id1 = register("versioned-value", v1);
        int id2 = register("versioned-value", v2);

        // When version 1, latest and version 1's bare schema are read
        RegistryHttp.Response first = cluster.http.get("/subjects/versioned-value/versions/1");
        RegistryHttp.Response latest = cluster.http.get("/subjects/versioned-value/versions/latest");
        RegistryHttp.Response bare = cluster.http.get("/subjects/versioned-value/versions/1/schema");

        // Then each is {"subject","id","version","schema"} for the right version
        assertThat(fieldNames(first.body())).containsExactlyInAnyOrder("subject", "id", "version", "schema");
        assertThat(first.body().get("subject").asText()).isEqualTo("versioned-value");
        assertThat(first.body().get("id").asInt()).isEqualTo(id1);
        assertThat(first.body().get("version").asInt()).isEqualTo(1);
        assertThat(new Schema.Parser().parse(first.body().get("schema").asText()))
                .isEqualTo(new Schema.Parser().parse(v1));
        assertThat(latest.body().get("id").asInt()).isEqualTo(id2);
        assertThat(latest.body().get("version").asInt()).isEqualTo(2);
        assertThat(new Schema.Parser().parse(bare.body().toString())).isEqualTo(new Schema.Parser().parse(v1));
    }

    @Test
    void answersUnknownSubjectsVersionsAndBadVersionIdsWithTheirErrorCodes() {
        // Given a subject with one version
        register("one-version-value", recordJson("OneVersion"));

        // When a missing version, a missing subject and a malformed version are asked for
        // Then they are 40402, 40401 and 42202
        assertError(cluster.http.get("/subjects/one-version-value/versions/2"), 404, 40402, "Version 2 not found");
        assertError(cluster.http.get("/subjects/missing-value/versions/1"), 404, 40401, "Subject 'missing-value' not found.");
        assertError(cluster.http.get("/subjects/missing-value/versions/latest"), 404, 40401, "missing-value");
        assertError(cluster.http.get("/subjects/one-version-value/versions/first"), 422, 42202, "'first'");
        assertError(cluster.http.get("/subjects/one-version-value/versions/0"), 422, 42202, "'0'");
    }

    @Test
    void looksASchemaUpUnderASubject() {
        // Given a registered schema
        String schema = recordJson("LookedUp");
        int id = register("lookup-value", schema);

        // When it, an unregistered schema, and a schema under an unknown subject are looked up
        RegistryHttp.Response found = cluster.http.post("/subjects/lookup-value", schemaBody(schema));
        RegistryHttp.Response otherSchema = cluster.http.post("/subjects/lookup-value", schemaBody(recordJson("Other")));
        RegistryHttp.Response otherSubject = cluster.http.post("/subjects/nobody-value", schemaBody(schema));

        // Then the first is found as version 1 with its id; the others are 40403 and 40401
        assertThat(found.status()).isEqualTo(200);
        assertThat(fieldNames(found.body())).containsExactlyInAnyOrder("subject", "id", "version", "schema");
        assertThat(found.body().get("id").asInt()).isEqualTo(id);
        assertThat(found.body().get("version").asInt()).isEqualTo(1);
        assertThat(found.body().get("subject").asText()).isEqualTo("lookup-value");
        assertError(otherSchema, 404, 40403, "Schema not found");
        assertError(otherSubject, 404, 40401, "Subject 'nobody-value' not found.");
    }

    @Test
    void refusesAnIncompatibleSchemaWith409AndConfluentsMessage() {
        // Given version 1 of a subject
        register("compat-value", recordJson("Compat", "{\"name\":\"n\",\"type\":\"int\"}"));

        // When a version changing the field's type is registered
        RegistryHttp.Response refused = cluster.http.post("/subjects/compat-value/versions",
                schemaBody(recordJson("Compat", "{\"name\":\"n\",\"type\":\"string\"}")));

        // Then it is 409 with Confluent's message and the details
        assertError(refused, 409, 409, "Schema being registered is incompatible with an earlier schema for subject "
                + "\"compat-value\", details: ");
        assertThat(refused.body().get("message").asText()).contains("TYPE_MISMATCH", "/fields/1/type");
    }

    @Test
    void refusesInvalidSchemasAndBodiesWith42201() {
        // Given bodies with broken schemas (bad type, undefined names, a bad default), no schema, a non-Avro type,
        // a reference to a subject that does not exist, and a body that is not JSON
        // When they are registered
        // Then each is 422 with error code 42201, and nothing is registered
        assertError(cluster.http.post("/subjects/invalid-value/versions", schemaBody("{\"type\":\"recrod\"}")),
                422, 42201, "Invalid schema");
        assertError(cluster.http.post("/subjects/invalid-value/versions", schemaBody("\"Undefined\"")), 422, 42201,
                "not defined");
        assertError(cluster.http.post("/subjects/invalid-value/versions",
                schemaBody(recordJson("Invalid", "{\"name\":\"x\",\"type\":\"Undefined\"}"))), 422, 42201,
                "Undefined");
        assertError(cluster.http.post("/subjects/invalid-value/versions",
                schemaBody(recordJson("Invalid", "{\"name\":\"x\",\"type\":\"int\",\"default\":\"a\"}"))),
                422, 42201, "Invalid default");
        assertError(cluster.http.post("/subjects/invalid-value/versions", "{\"schemata\":\"x\"}"), 422, 42201,
                "Invalid schema");
        assertError(cluster.http.post("/subjects/invalid-value/versions",
                "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}"), 422, 42201, "AVRO only");
        assertError(cluster.http.post("/subjects/invalid-value/versions", "{\"schema\":\"\\\"string\\\"\","
                + "\"references\":[{\"name\":\"a\",\"subject\":\"b\",\"version\":1}]}"), 422, 42201,
                "version 1 of subject 'b', which does not exist");
        assertError(cluster.http.post("/subjects/invalid-value", schemaBody("not a schema")), 422, 42201, "Invalid schema");
        assertError(cluster.http.post("/subjects/invalid-value/versions", "not json"), 400, 400, "not JSON");
        assertError(cluster.http.get("/subjects/invalid-value/versions"), 404, 40401, "invalid-value");
    }

    @Test
    void answersUnknownRoutesAndMethodsWithJsonErrors() {
        // Given a running registry
        // When an unknown path and an unsupported method on a known path are requested
        RegistryHttp.Response unknownPath = cluster.http.get("/no/such/thing");
        RegistryHttp.Response unknownMethod = cluster.http.put("/subjects/any-value/versions/1", "{}");

        // Then both are JSON errors
        assertError(unknownPath, 404, 404, "Not Found");
        assertError(unknownMethod, 405, 405, "Method Not Allowed");
    }

    @Test
    void givesConcurrentRegistrationsOfNewSchemasDistinctIds() throws Exception {
        // Given twenty different schemas
        List<Schema> schemas = IntStream.range(0, 20)
                .mapToObj(i -> new Schema.Parser().parse(recordJson("Concurrent" + i))).toList();

        // When they are registered at the same time under twenty subjects
        List<Integer> ids = atOnce(20, i -> new RestSchemaRegistryClient(cluster.registry.url())
                .register("concurrent-" + i, schemas.get(i)));

        // Then every schema has its own id
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void givesConcurrentRegistrationsOfOneSchemaOneIdAndOneVersion() throws Exception {
        // Given one schema
        Schema schema = new Schema.Parser().parse(recordJson("Racing"));

        // When it is registered at the same time, twenty times, under one subject
        List<Integer> ids = atOnce(20, i -> new RestSchemaRegistryClient(cluster.registry.url())
                .register("racing-value", schema));

        // Then every answer is the same id and the subject has one version
        assertThat(ids).containsOnly(ids.getFirst());
        assertThat(cluster.http.get("/subjects/racing-value/versions").body().toString()).isEqualTo("[1]");
    }

    @Test
    void answersPlainJsonToClientsThatAcceptOnlyThat() throws Exception {
        // Given a client accepting only application/json
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.registry.url() + "/config"))
                .header("Accept", "application/json").build();

        // When it reads the config
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        // Then the answer is labelled application/json
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    }
}
