// Reads Sluice's three outcome topics (responses, rejected, dead-letter) until every request id in --ids has its
// outcome, and checks each has exactly one. Exits 0 when so, 1 on a missing or duplicate outcome.
// Usage: node consumer.js [--ids ids.txt] [--bootstrap localhost:9092] [--registry http://localhost:8081]
const fs = require('fs');
const crypto = require('crypto');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
const { option } = require('./options');

async function main() {
  const prefix = option('prefix', 'sluice.');
  const timeoutMs = Number(option('timeout', '120')) * 1000;
  const expected = new Set(fs.readFileSync(option('ids', 'ids.txt'), 'utf8').split('\n').filter(Boolean));
  const registry = new SchemaRegistry({ host: option('registry', 'http://localhost:8081') });
  const kafka = new Kafka({ clientId: 'node-example', brokers: option('bootstrap', 'localhost:9092').split(','),
    logLevel: logLevel.WARN });
  // only outcomes Sluice committed: an aborted attempt before a crash is never seen
  const consumer = kafka.consumer({ groupId: `node-example-${crypto.randomUUID()}`, readUncommitted: false });
  const [responses, rejected, dead] = ['responses', 'rejected', 'dead-letter'].map((t) => prefix + t);
  await consumer.connect();
  await consumer.subscribe({ topics: [responses, rejected, dead], fromBeginning: true });
  const outcomes = new Map();
  let duplicates = 0;
  let allIn;
  const done = new Promise((resolve) => { allIn = resolve; });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const header = (name) => (message.headers && message.headers[name] ? message.headers[name].toString() : null);
      const requestId = header('sluice.dlq.request.id') || (message.key && message.key.toString());
      if (!expected.has(requestId)) return;
      let said;
      if (topic === responses) {
        const answer = await registry.decode(message.value);
        said = `${answer.status} from ${answer.provider}/${answer.model}: ${answer.content.slice(0, 60)}`;
      } else if (topic === rejected) {
        const refusal = await registry.decode(message.value);
        said = `REJECTED ${refusal.reason}: ${refusal.detail}`;
      } else {
        said = `DEAD_LETTER ${header('sluice.dlq.reason') || 'poison_record'}`;
      }
      if (outcomes.has(requestId)) {
        duplicates++;
        console.log(`DUPLICATE ${requestId}: ${said}`);
      }
      outcomes.set(requestId, said);
      console.log(`${requestId}: ${said}`);
      if (outcomes.size === expected.size) allIn();
    },
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, timeoutMs))]);
  // all in (or out of time): read a little longer, so a second outcome for an id would show
  await new Promise((r) => setTimeout(r, 3000));
  await consumer.disconnect();
  const missing = [...expected].filter((id) => !outcomes.has(id));
  console.log(`${outcomes.size} of ${expected.size} requests have an outcome; ${missing.length} missing,`
    + ` ${duplicates} duplicates`);
  process.exit(missing.length === 0 && duplicates === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
