// Calls Sluice's OpenAI-compatible front door with the official openai package, then checks that every call ended
// in exactly one outcome: GET /v1/requests/{id} is TERMINAL for each, and its steps hold one outcome record, not two.
// Exits 0 when so, 1 on a missing or duplicate outcome.
// Usage: SLUICE_API_KEY=$(cat .sluice/demo-api-key) node openai.js [--url http://localhost:8080] [--count 10]
const OpenAI = require('openai');
const { option } = require('./options');

async function main() {
  const url = option('url', 'http://localhost:8080');
  const count = Number(option('count', '10'));
  const apiKey = process.env.SLUICE_API_KEY;
  if (!apiKey) {
    console.error('set SLUICE_API_KEY to a tenant key: the demo one is in .sluice/demo-api-key');
    process.exit(2);
  }
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 2 });
  const ids = [];
  let answered = 0;
  let refused = 0;
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    // the idempotency key is the request id: the SDK's own retries of this call are not charged twice
    const idempotencyKey = `openai-example-${Date.now()}-${i}`;
    try {
      const completion = await client.chat.completions.create({
        model: 'default', user: `user-${i % 3}`,
        messages: [{ role: 'user', content: `Summarize the notes in three bullet points, number ${i}.` }],
      }, { headers: { 'Idempotency-Key': idempotencyKey } });
      answered++;
      console.log(`${completion.id}: ${completion.choices[0].message.content.slice(0, 60)}`);
    } catch (e) {
      if (!(e instanceof OpenAI.APIError) || e.status >= 500) throw e;
      refused++; // a limit or a policy said no: still an outcome, an OpenAI-style error
      console.log(`${idempotencyKey}: ${e.status} ${e.code}: ${e.message}`);
    }
    ids.push(idempotencyKey);
  }));
  const job = async (id, wait) => {
    const answer = await fetch(`${url}/v1/requests/${id}${wait ? '?wait=30s' : ''}`,
      { headers: { Authorization: `Bearer ${apiKey}` } });
    return answer.json();
  };
  for (const id of ids) {
    const body = await job(id, true);
    if (body.state !== 'TERMINAL') console.log(`${id}: not terminal: ${JSON.stringify(body)}`);
  }
  // all ended (or out of time): look again a little later, so that a second outcome for an id would show
  await new Promise((r) => setTimeout(r, 3000));
  let missing = 0;
  let duplicates = 0;
  for (const id of ids) {
    const body = await job(id, false);
    // a step per record the request was seen in: PENDING on the way, then one per outcome record
    const outcomes = (body.steps || []).filter((step) => step.outcome !== 'PENDING');
    if (outcomes.length === 0) {
      missing++;
      console.log(`MISSING ${id}: ${JSON.stringify(body)}`);
    } else if (outcomes.length > 1) {
      duplicates++;
      console.log(`DUPLICATE ${id}: ${outcomes.map((step) => step.outcome).join(', ')}`);
    }
  }
  console.log(`${answered} answered, ${refused} refused; ${ids.length - missing} of ${ids.length} calls have an`
    + ` outcome; ${missing} missing, ${duplicates} duplicates`);
  process.exit(missing === 0 && duplicates === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
