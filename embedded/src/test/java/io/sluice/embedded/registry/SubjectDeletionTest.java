package io.sluice.embedded.registry;

import static io.sluice.embedded.registry.RegistryHttp.schemaBody;
import static io.sluice.embedded.registry.TestSchemas.recordJson;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Confluent's soft and permanent deletes of subjects and versions, with its error codes, as a client sees them. */
class SubjectDeletionTest {
    @RegisterExtension
    static final RegistryCluster cluster = new RegistryCluster();

    private static final String NOTE = "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}";

    private static int register(String subject, String schemaJson) {
        RegistryHttp.Response response = cluster.http.post("/subjects/" + subject + "/versions", schemaBody(schemaJson));
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body().get("id").asInt();
    }

    private static void assertError(RegistryHttp.Response response, int status, int errorCode, String message) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.body().get("error_code").asInt()).isEqualTo(errorCode);
        assertThat(response.body().get("message").asText()).contains(message);
    }

    @Test
    void softDeletingASubjectHidesItButKeepsItsIdsReadable() {
        // Given a subject with two versions
        int id1 = register("soft-value", recordJson("Soft"));
        register("soft-value", recordJson("Soft", NOTE));

        // When it is deleted
        RegistryHttp.Response deleted = cluster.http.delete("/subjects/soft-value");

        // Then the answer lists both versions, and the subject is gone from listings unless deleted ones are asked for
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().toString()).isEqualTo("[1,2]");
        assertThat(cluster.http.get("/subjects").body().toString()).doesNotContain("soft-value");
        assertThat(cluster.http.get("/subjects?deleted=true").body().toString()).contains("soft-value");
        assertThat(cluster.http.get("/subjects?deletedOnly=true").body().toString()).contains("soft-value");
        assertError(cluster.http.get("/subjects/soft-value/versions"), 404, 40401, "Subject 'soft-value' not found.");
        assertThat(cluster.http.get("/subjects/soft-value/versions?deleted=true").body().toString()).isEqualTo("[1,2]");
        assertError(cluster.http.get("/subjects/soft-value/versions/1"), 404, 40401, "soft-value");
        assertThat(cluster.http.get("/subjects/soft-value/versions/1?deleted=true").body().get("id").asInt())
                .isEqualTo(id1);
        // records written with its schemas still decode
        assertThat(cluster.http.get("/schemas/ids/" + id1).status()).isEqualTo(200);
        // and a second soft delete says it was done already
        assertError(cluster.http.delete("/subjects/soft-value"), 404, 40404,
                "Subject 'soft-value' was soft deleted.Set permanent=true to delete permanently");
    }

    @Test
    void deletesASubjectPermanentlyOnlyAfterASoftDelete() {
        // Given a subject with one version
        int id = register("hard-value", recordJson("Hard"));

        // When it is deleted permanently straight away, Then that is refused with 40405
        assertError(cluster.http.delete("/subjects/hard-value?permanent=true"), 404, 40405,
                "Subject 'hard-value' was not deleted first before being permanently deleted");

        // When it is deleted softly and then permanently
        assertThat(cluster.http.delete("/subjects/hard-value").status()).isEqualTo(200);
        RegistryHttp.Response permanent = cluster.http.delete("/subjects/hard-value?permanent=true");

        // Then the answer lists its version, and the subject and its id are gone even from deleted listings
        assertThat(permanent.body().toString()).isEqualTo("[1]");
        assertThat(cluster.http.get("/subjects?deleted=true").body().toString()).doesNotContain("hard-value");
        assertError(cluster.http.get("/schemas/ids/" + id), 404, 40403, "Schema " + id + " not found");
        assertError(cluster.http.delete("/subjects/hard-value"), 404, 40401, "Subject 'hard-value' not found.");
    }

    @Test
    void registeringASoftDeletedSchemaAgainReusesItsIdAsTheNextVersion() {
        // Given a schema whose subject was soft-deleted
        String schema = recordJson("Again");
        int id = register("again-value", schema);
        cluster.http.delete("/subjects/again-value");

        // When it is registered again
        int again = register("again-value", schema);

        // Then it has the same id, as version 2, and the subject is listed again
        assertThat(again).isEqualTo(id);
        RegistryHttp.Response latest = cluster.http.get("/subjects/again-value/versions/latest");
        assertThat(latest.body().get("version").asInt()).isEqualTo(2);
        assertThat(latest.body().get("id").asInt()).isEqualTo(id);
        assertThat(cluster.http.get("/subjects").body().toString()).contains("again-value");
    }

    @Test
    void deletesVersionsSoftlyThenPermanentlyWithConfluentsCodes() {
        // Given versions 1 and 2 of a subject
        register("versions-value", recordJson("Versions"));
        register("versions-value", recordJson("Versions", NOTE));

        // When latest is deleted, Then that is version 2, and latest is now version 1
        assertThat(cluster.http.delete("/subjects/versions-value/versions/latest").body().asInt()).isEqualTo(2);
        assertThat(cluster.http.get("/subjects/versions-value/versions/latest").body().get("version").asInt())
                .isEqualTo(1);

        // And deleting it softly again, or version 1 permanently first, are refused with 40406 and 40407
        assertError(cluster.http.delete("/subjects/versions-value/versions/2"), 404, 40406,
                "Subject 'versions-value' Version 2 was soft deleted.Set permanent=true to delete permanently");
        assertError(cluster.http.delete("/subjects/versions-value/versions/1?permanent=true"), 404, 40407,
                "Subject 'versions-value' Version 1 was not deleted first before being permanently deleted");

        // When version 2 is deleted permanently, Then it is gone from the deleted listing too
        assertThat(cluster.http.delete("/subjects/versions-value/versions/2?permanent=true").body().asInt())
                .isEqualTo(2);
        assertThat(cluster.http.get("/subjects/versions-value/versions?deleted=true").body().toString())
                .isEqualTo("[1]");

        // And unknown versions and subjects and bad version ids answer 40402, 40401 and 42202
        assertError(cluster.http.delete("/subjects/versions-value/versions/9"), 404, 40402, "Version 9 not found");
        assertError(cluster.http.delete("/subjects/nobody-value/versions/1"), 404, 40401, "nobody-value");
        assertError(cluster.http.delete("/subjects/versions-value/versions/one"), 422, 42202, "'one'");
    }

    @Test
    void aSoftDeletedVersionNoLongerConstrainsCompatibility() {
        // Given version 1 with an int field, which a string field would be incompatible with
        register("retype-value", recordJson("Retype", "{\"name\":\"n\",\"type\":\"int\"}"));
        String retyped = recordJson("Retype", "{\"name\":\"n\",\"type\":\"string\"}");
        assertThat(cluster.http.post("/subjects/retype-value/versions", schemaBody(retyped)).status()).isEqualTo(409);

        // When version 1 is soft-deleted
        cluster.http.delete("/subjects/retype-value/versions/1");

        // Then the string version registers, as version 2
        register("retype-value", retyped);
        assertThat(cluster.http.get("/subjects/retype-value/versions").body().toString()).isEqualTo("[2]");
    }

    @Test
    void looksUpASoftDeletedSchemaOnlyWhenAskedTo() {
        // Given a schema whose only version was soft-deleted
        String schema = recordJson("Hidden");
        int id = register("hidden-value", schema);
        cluster.http.delete("/subjects/hidden-value/versions/1");

        // When it is looked up, with and without deleted=true (and the Java client's lookupDeletedSchema=true)
        RegistryHttp.Response plain = cluster.http.post("/subjects/hidden-value", schemaBody(schema));
        RegistryHttp.Response deleted = cluster.http.post("/subjects/hidden-value?deleted=true", schemaBody(schema));
        RegistryHttp.Response javaName = cluster.http.post("/subjects/hidden-value?lookupDeletedSchema=true",
                schemaBody(schema));

        // Then only the lookups asking for deleted versions find it
        assertError(plain, 404, 40401, "hidden-value");
        assertThat(deleted.body().get("id").asInt()).isEqualTo(id);
        assertThat(javaName.body().get("version").asInt()).isEqualTo(1);
    }
}
