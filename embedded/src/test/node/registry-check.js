// The usual Node registry client, default options, against the registry at argv[2]: register (which also sets the
// subject's compatibility), look the id up again, encode and decode a record, register a schema referencing a type
// under another subject and decode a record of it (the client fetches the references by subject and version),
// and fail loudly on any error.
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

  const money = { type: 'record', name: 'Money', namespace: 'io.sluice.check', fields: [{ name: 'cents', type: 'long' }] };
  const order = {
    type: 'record', name: 'Order', namespace: 'io.sluice.check',
    fields: [{ name: 'id', type: 'string' }, { name: 'price', type: 'io.sluice.check.Money' }],
  };
  await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(money) }, { subject: 'node-money' });
  const references = [{ name: 'io.sluice.check.Money', subject: 'node-money', version: 1 }];
  const { id: orderId } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(order), references }, { subject: 'node-order-value' });
  const orderBytes = await registry.encode(orderId, { id: 'o-1', price: { cents: 1250 } });
  // a fresh client, so the schema and its reference are fetched, not taken from the cache
  const order2 = await new SchemaRegistry({ host: process.argv[2] }).decode(orderBytes);
  if (order2.id !== 'o-1' || Number(order2.price.cents) !== 1250) throw new Error('decoded ' + JSON.stringify(order2));
  console.log(JSON.stringify({ id, bytes: bytes.length, decoded, orderId }));
}

main().catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
