// The official openai npm client against GPT4Video Server: one non-streaming and one streaming
// chat completion, a legacy completion, and the models list. Exits non-zero on any mismatch.
// Usage: node openai-client.mjs http://127.0.0.1:8080
import OpenAI from 'openai';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: process.env.GPT4VIDEO_API_KEY ?? 'not-needed', maxRetries: 0 });
const fail = (msg) => { console.error(`openai-client: FAIL: ${msg}`); process.exit(1); };

const models = await client.models.list();
const model = models.data[0]?.id ?? fail('no model listed');
console.log(`openai-client: model ${model} (demo=${models.data[0].demo}, label=${models.data[0].label})`);

const messages = [{ role: 'user', content: 'Describe a quiet harbour at dawn.' }];
const plain = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0 });
const text = plain.choices[0].message.content;
if (typeof text !== 'string' || text.length === 0) fail('empty non-streaming reply');
if (!['stop', 'length'].includes(plain.choices[0].finish_reason)) fail(`finish_reason ${plain.choices[0].finish_reason}`);
if (!(plain.usage.completion_tokens > 0)) fail('no usage');
console.log(`openai-client: non-streaming ok (${plain.usage.completion_tokens} tokens, finish ${plain.choices[0].finish_reason})`);

const stream = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0, stream: true,
  stream_options: { include_usage: true } });
let streamed = '';
let chunks = 0;
let usage = null;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  streamed += chunk.choices?.[0]?.delta?.content ?? '';
}
if (streamed !== text) fail(`streamed text differs from the non-streaming one:\n  ${JSON.stringify(streamed)}\n  ${JSON.stringify(text)}`);
if (!usage || usage.completion_tokens !== plain.usage.completion_tokens) fail('streaming usage missing or different');
console.log(`openai-client: streaming ok (${chunks} chunks, same text as non-streaming)`);

const legacy = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8, temperature: 0 });
if (typeof legacy.choices[0].text !== 'string') fail('legacy completion has no text');
console.log('openai-client: legacy completion ok');

try {
  await client.chat.completions.create({ model: 'no-such-model', messages });
  fail('unknown model accepted');
} catch (e) {
  if (e.status !== 404 || e.code !== 'model_not_found') fail(`unknown model: status ${e.status} code ${e.code}`);
  console.log('openai-client: unknown model -> 404 model_not_found ok');
}
console.log('openai-client: all checks passed');
