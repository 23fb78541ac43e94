"""Debian's confluent-kafka Python client, default options, against the registry at argv[1].

Registers, reads by id, latest and version list, checks compatibility, sets and reads levels, deletes versions and
subjects (soft and permanent), and round-trips a record through the Avro serializer and deserializer, which
register and fetch schemas themselves. Any surprise raises, so the process exits non-zero; the last line printed is
a JSON summary.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

URL = sys.argv[1]
GREETING = {"type": "record", "name": "Greeting", "namespace": "io.sluice.check",
            "fields": [{"name": "text", "type": "string"}, {"name": "count", "type": "int", "default": 0}]}
GREETING_V2 = {**GREETING, "fields": GREETING["fields"] + [{"name": "lang", "type": ["null", "string"],
                                                             "default": None}]}
MONEY = {"type": "record", "name": "Money", "namespace": "io.sluice.check",
         "fields": [{"name": "cents", "type": "long"}]}
ORDER = {"type": "record", "name": "Order", "namespace": "io.sluice.check",
         "fields": [{"name": "id", "type": "string"}, {"name": "price", "type": "io.sluice.check.Money"}]}


def fresh():
    return SchemaRegistryClient({"url": URL})


def avro(schema, references=()):
    return Schema(json.dumps(schema), "AVRO", list(references))


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_error(code, call, *args):
    try:
        call(*args)
    except SchemaRegistryError as e:
        expect(e.error_code == code, "expected error %d from %s, got %d: %s"
               % (code, call.__name__, e.error_code, e.error_message))
        return
    raise AssertionError("expected error %d from %s, but it succeeded" % (code, call.__name__))


def rest_calls(client, subject):
    schema_id = client.register_schema(subject, avro(GREETING))
    expect(client.register_schema(subject, avro(GREETING)) == schema_id, "same schema, same id")
    expect(json.loads(client.get_schema(schema_id).schema_str)["name"] == "Greeting", "schema by id")
    latest = client.get_latest_version(subject)
    expect((latest.schema_id, latest.version) == (schema_id, 1), "latest is version 1")
    expect(client.lookup_schema(subject, avro(GREETING)).schema_id == schema_id, "lookup")
    expect(subject in client.get_subjects(), "subject listed")
    expect_error(40403, client.get_schema, 987654)

    expect(client.test_compatibility(subject, avro(GREETING_V2)), "adding an optional field is compatible")
    incompatible = {**GREETING, "fields": [{"name": "text", "type": "int"}]}
    expect(not client.test_compatibility(subject, avro(incompatible)), "retyping a field is not")
    expect(client.set_compatibility(subject_name=subject, level="FULL")["compatibility"] == "FULL", "set level")
    expect(client.get_compatibility(subject_name=subject) == "FULL", "read level")
    expect(client.get_compatibility() == "BACKWARD", "global level")

    v2_id = client.register_schema(subject, avro(GREETING_V2))
    expect(client.get_versions(subject) == [1, 2], "two versions")
    expect(client.get_version(subject, 2).schema_id == v2_id, "version 2 by number")
    expect(client.delete_version(subject, 2) == 2, "soft-delete version 2")
    expect(client.get_versions(subject) == [1], "version 2 hidden")
    expect_error(40406, client.delete_version, subject, 2)
    expect(client.get_schema(v2_id).schema_str, "a soft-deleted version's id still reads")

    expect(client.delete_subject(subject) == [1], "soft-delete the subject")
    expect(subject not in client.get_subjects(), "subject hidden")
    expect_error(40404, client.delete_subject, subject)
    # a fresh client each time from here: the client caches registrations and schemas by id
    expect(fresh().register_schema(subject, avro(GREETING)) == schema_id, "registered again: the same id")
    fresh().delete_subject(subject, permanent=True)
    expect_error(40401, fresh().get_versions, subject)
    expect_error(40403, fresh().get_schema, v2_id)
    return schema_id


def references(client):
    client.register_schema("check-money", avro(MONEY))
    ref = SchemaReference("io.sluice.check.Money", "check-money", 1)
    order_id = client.register_schema("check-order-value", avro(ORDER, [ref]))
    fetched = client.get_schema(order_id)
    expect([(r.name, r.subject, r.version) for r in fetched.references]
           == [("io.sluice.check.Money", "check-money", 1)], "references served with the schema")
    expect_error(42206, client.delete_version, "check-money", 1)
    return order_id


def legacy_serde(subject_topic):
    """The serializer that needs only python3-avro: registers on first use, fetches by id to decode."""
    from confluent_kafka import avro as legacy
    from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
    registry = legacy.CachedSchemaRegistryClient({"url": URL})
    serializer = MessageSerializer(registry)
    payload = serializer.encode_record_with_schema(subject_topic, legacy.loads(json.dumps(GREETING)),
                                                   {"text": "hello", "count": 2})
    expect(payload[0] == 0, "Confluent wire format: magic byte 0")
    decoded = MessageSerializer(legacy.CachedSchemaRegistryClient({"url": URL})).decode_message(payload)
    expect(decoded == {"text": "hello", "count": 2}, "decoded " + repr(decoded))
    return len(payload)


def serializer_serde(client, topic):
    """AvroSerializer and AvroDeserializer with default config; these need fastavro, which Debian does not package."""
    try:
        from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    except ImportError as e:
        return "skipped: " + str(e)
    from confluent_kafka.serialization import MessageField, SerializationContext
    ctx = SerializationContext(topic, MessageField.VALUE)
    payload = AvroSerializer(client, json.dumps(GREETING))({"text": "hi", "count": 3}, ctx)
    decoded = AvroDeserializer(fresh())(payload, ctx)
    expect(decoded == {"text": "hi", "count": 3}, "decoded " + repr(decoded))
    return len(payload)


def main():
    client = fresh()
    summary = {
        "id": rest_calls(client, "python-check-value"),
        "order_id": references(client),
        "legacy_serde_bytes": legacy_serde("python-legacy"),
        "avro_serializer": serializer_serde(client, "python-serde"),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
