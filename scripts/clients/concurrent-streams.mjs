// 64 concurrent streaming chat clients against GPT4Video Server. Each asks its own question with
// greedy decoding; its streamed text must equal the non-streaming answer to the same question
// (fetched one at a time first), so no stream carries another's tokens. Prints latency and server
// memory figures (RSS of the given pid before, after, and after a GC).
// Usage: node concurrent-streams.mjs http://127.0.0.1:8080 <server pid> [clients=64]
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const pid = process.argv[3];
const clients = Number(process.argv[4] ?? 64);
const fail = (msg) => { console.error(`concurrent-streams: FAIL: ${msg}`); process.exit(1); };
const rssMiB = () => {
  if (!pid) return NaN;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.replace(/\D/g, '')) / 1024;
};
const gc = () => { if (pid && process.env.JCMD) { try { execFileSync(process.env.JCMD, [pid, 'GC.run'], { stdio: 'ignore' }); } catch { /* ignore */ } } };
const body = (i, stream) => JSON.stringify({ stream, max_tokens: 24, temperature: 0,
  messages: [{ role: 'user', content: `Client ${i}: tell me about harbour number ${i * 7919 % 1000}.` }] });

async function reference(i) {
  const r = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i, false) });
  if (r.status !== 200) fail(`reference ${i}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()).choices[0].message.content;
}

async function streamed(i) {
  const t0 = performance.now();
  const r = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i, true) });
  if (r.status !== 200) fail(`stream ${i}: HTTP ${r.status}`);
  let buffer = '';
  let text = '';
  let ttft = null;
  let done = false;
  const ids = new Set();
  const decoder = new TextDecoder();
  for await (const bytes of r.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let nl;
    while ((nl = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      if (!event.startsWith('data: ')) continue;
      const data = event.slice(6);
      if (data === '[DONE]') { done = true; continue; }
      const chunk = JSON.parse(data);
      if (chunk.error) fail(`stream ${i}: ${JSON.stringify(chunk.error)}`);
      ids.add(chunk.id);
      const delta = chunk.choices?.[0]?.delta?.content ?? '';
      if (delta && ttft === null) ttft = performance.now() - t0;
      text += delta;
    }
  }
  if (!done) fail(`stream ${i}: no [DONE]`);
  if (ids.size !== 1) fail(`stream ${i}: chunks carry ${ids.size} different ids`);
  return { text, ttft, total: performance.now() - t0 };
}

const refs = [];
for (let i = 0; i < clients; i++) refs.push(await reference(i));
gc();
const before = rssMiB();
const t0 = performance.now();
const results = await Promise.all(Array.from({ length: clients }, (_, i) => streamed(i)));
const wall = (performance.now() - t0) / 1000;
let mismatches = 0;
results.forEach((r, i) => { if (r.text !== refs[i]) { mismatches++; console.error(`client ${i}: ${JSON.stringify(r.text)} != ${JSON.stringify(refs[i])}`); } });
if (mismatches) fail(`${mismatches} of ${clients} streams differ from their own non-streaming answer`);
const after = rssMiB();
gc();
const settled = rssMiB();
const ttfts = results.map((r) => r.ttft ?? r.total).sort((a, b) => a - b);
const pct = (p) => ttfts[Math.min(ttfts.length - 1, Math.floor(p * ttfts.length))].toFixed(0);
const metrics = await (await fetch(`${base}/actuator/prometheus`)).text();
const gauge = (name) => Number((metrics.split('\n').find((l) => l.startsWith(`${name}{`)) ?? ' NaN').split(' ').pop());
console.log(`concurrent-streams: ${clients} clients completed in ${wall.toFixed(1)} s; each stream equals its own non-streaming answer`);
console.log(`concurrent-streams: time to first token p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms`);
console.log(`concurrent-streams: server RSS before ${before.toFixed(0)} MiB, right after ${after.toFixed(0)} MiB, after GC ${settled.toFixed(0)} MiB`);
console.log(`concurrent-streams: running ${gauge('gpt4video_num_requests_running')}, waiting ${gauge('gpt4video_num_requests_waiting')}, kv usage ${gauge('gpt4video_kv_cache_usage_perc')}`);
if (gauge('gpt4video_num_requests_running') !== 0 || gauge('gpt4video_kv_cache_usage_perc') !== 0) fail('sequences still held after all clients finished');
if (pid && settled - before > 128) fail(`server RSS grew by ${(settled - before).toFixed(0)} MiB`);
console.log('concurrent-streams: passed');
