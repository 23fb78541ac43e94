// Sends prompt requests to Sluice's requests topic, keyed by request id, and writes their ids to a file for
// consumer.js. Usage: node producer.js [--count 20] [--ids ids.txt] [--bootstrap localhost:9092]
// [--registry http://localhost:8081] [--tenant node-example]
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const { option } = require('./options');

async function main() {
  const bootstrap = option('bootstrap', 'localhost:9092');
  const topic = option('topic', 'sluice.requests');
  const count = Number(option('count', '20'));
  const tenant = option('tenant', 'node-example');
  const idsFile = option('ids', 'ids.txt');
  const registry = new SchemaRegistry({ host: option('registry', 'http://localhost:8081') });
  const schema = fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'avro', 'PromptRequest.avsc'), 'utf8');
  // the registry client's defaults: register under <topic>-value (an identical schema keeps its id)
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: `${topic}-value` });

  const kafka = new Kafka({ clientId: 'node-example', brokers: bootstrap.split(','), logLevel: logLevel.WARN });
  // idempotent: a retried send after a broker hiccup is not written twice
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const run = crypto.randomBytes(4).toString('hex');
  const ids = [];
  const messages = [];
  for (let i = 0; i < count; i++) {
    const requestId = `node-${run}-${i}`;
    const request = {
      requestId, tenantId: tenant, userId: `user-${i % 3}`, appId: 'node-example', createdAt: Date.now(),
      route: 'default',
      messages: [{ role: 'user', content: `Draft a polite reply to the customer, number ${i}.` }],
      params: { maxTokens: 64, temperature: null, topP: null, stop: [] },
      metadata: { example: 'node' }, deadline: null,
    };
    messages.push({ key: requestId, value: await registry.encode(id, request) });
    ids.push(requestId);
  }
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
  fs.writeFileSync(idsFile, ids.join('\n') + '\n');
  console.log(`sent ${ids.length} requests to ${topic}; ids in ${idsFile}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
