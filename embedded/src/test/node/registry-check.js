// The usual Node registry client, default options, against the registry at argv[2]: register (which also sets the
// subject's compatibility), look the id up again, encode and decode a record, and fail loudly on any error.
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

async function main() {
  const registry = new SchemaRegistry({ host: process.argv[2] });
  const schema = {
    type: 'record', name: 'Greeting', namespace: 'io.sluice.check',
    fields: [{ name: 'text', type: 'string' }, { name: 'count', type: 'int', default: 0 }],
  };
  const subject = 'node-check-value';
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
  const latest = await registry.getLatestSchemaId(subject);
  if (latest !== id) throw new Error(`latest id ${latest} is not the registered ${id}`);
  const bytes = await registry.encode(id, { text: 'hello', count: 2 });
  const decoded = await registry.decode(bytes);
  if (decoded.text !== 'hello' || decoded.count !== 2) throw new Error('decoded ' + JSON.stringify(decoded));
  console.log(JSON.stringify({ id, bytes: bytes.length, decoded }));
}

main().catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
