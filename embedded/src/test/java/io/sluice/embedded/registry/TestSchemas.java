package io.sluice.embedded.registry;

import org.apache.avro.Schema;

/** Small Avro record schemas for registry tests. */
final class TestSchemas {
    private TestSchemas() {}

    /** A record {@code name} with a required string {@code id} and the given extra field JSON. */
    static String recordJson(String name, String... extraFields) {
        StringBuilder fields = new StringBuilder("{\"name\":\"id\",\"type\":\"string\"}");
        for (String field : extraFields) {
            fields.append(',').append(field);
        }
        return "{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"io.sluice.test\",\"fields\":["
                + fields + "]}";
    }

    static Schema record(String name, String... extraFields) {
        return new Schema.Parser().parse(recordJson(name, extraFields));
    }
}
