"""Sluice's records in the Confluent wire format, with Apache Avro (Debian's python3-avro) and the schema registry
client of confluent-kafka (python3-confluent-kafka): a magic byte 0, the schema id as 4 big-endian bytes, then the
Avro binary body. confluent-kafka's own AvroSerializer needs fastavro, which Debian does not package."""
import io
import pathlib
import struct

import avro.io
import avro.schema
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "schemas" / "avro"


class Wire:
    def __init__(self, registry_url):
        self.registry = SchemaRegistryClient({"url": registry_url})
        self._readers = {}

    def encoder(self, subject, avsc):
        """Registers schemas/avro/<avsc> under subject (an identical schema keeps its id) and returns an encoder."""
        text = (SCHEMAS / avsc).read_text()
        schema_id = self.registry.register_schema(subject, Schema(text, "AVRO"))
        writer = avro.io.DatumWriter(avro.schema.parse(text))

        def encode(value):
            out = io.BytesIO()
            out.write(struct.pack(">bI", 0, schema_id))
            writer.write(value, avro.io.BinaryEncoder(out))
            return out.getvalue()

        return encode

    def decode(self, data):
        """Reads a record with the schema its id names, fetched once from the registry."""
        magic, schema_id = struct.unpack(">bI", data[:5])
        if magic != 0:
            raise ValueError("not the Confluent wire format: magic byte %d" % magic)
        if schema_id not in self._readers:
            schema = avro.schema.parse(self.registry.get_schema(schema_id).schema_str)
            self._readers[schema_id] = avro.io.DatumReader(schema)
        return self._readers[schema_id].read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))
