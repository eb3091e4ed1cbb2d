// Plays an MP4 in headless Chromium and checks what the <video> element reports.
//
//   node mp4-playback.mjs VIDEO.mp4 --width 64 --height 48 --duration 3 [--screenshot out.png]
//
// The file is served from a throwaway HTTP server on 127.0.0.1 that honours Range requests (as the
// real server must: browsers fetch media in ranges). Exit code 0 when the browser decodes the video
// with the expected size and duration and the first bars have the expected colours; 1 otherwise.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    width: { type: 'string' },
    height: { type: 'string' },
    duration: { type: 'string' },
    screenshot: { type: 'string', default: 'target/e2e/mp4-playback.png' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    timeout: { type: 'string', default: '60' },
  },
});
if (positionals.length !== 1 || !values.width || !values.height || !values.duration) {
  console.error('usage: node mp4-playback.mjs VIDEO.mp4 --width W --height H --duration SECONDS [--screenshot PNG]');
  process.exit(2);
}
const videoFile = path.resolve(positionals[0]);
const expected = { width: Number(values.width), height: Number(values.height), duration: Number(values.duration) };
// Half a frame at 8 fps; browsers report the container duration, which the encoder makes exact.
const DURATION_TOLERANCE = 0.06;
// Per channel, 0..255, for the sampled bars after Chromium's own YUV->RGB conversion.
const COLOUR_TOLERANCE = 40;

const failures = [];
const rangeRequests = [];
let server;
let context;
let userDataDir;

const watchdog = setTimeout(() => {
  console.error(`FAIL: no result within ${values.timeout} s`);
  cleanup().finally(() => process.exit(1));
}, Number(values.timeout) * 1000);

function page(name) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>mp4 playback</title>
<style>body{background:#222;color:#eee;font:14px sans-serif} video{width:320px;image-rendering:pixelated;border:1px solid #888}</style>
</head><body>
<p>${name}</p>
<video id="v" src="/video.mp4" muted playsinline preload="auto"></video>
<canvas id="c" hidden></canvas>
</body></html>`;
}

function serve(req, res) {
  if (req.url === '/' || req.url === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(path.basename(videoFile)));
    return;
  }
  if (req.url === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (req.url !== '/video.mp4') {
    res.writeHead(404).end();
    return;
  }
  const size = fs.statSync(videoFile).size;
  const headers = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes' };
  const range = req.headers.range;
  if (!range) {
    res.writeHead(200, { ...headers, 'content-length': size });
    fs.createReadStream(videoFile).pipe(res);
    return;
  }
  const m = /^bytes=(\d*)-(\d*)$/.exec(range);
  let start;
  let end;
  if (m && m[1] !== '') {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  } else if (m && m[2] !== '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  }
  if (start === undefined || start > end || start >= size) {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
    return;
  }
  rangeRequests.push(`${start}-${end}`);
  res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
  fs.createReadStream(videoFile, { start, end }).pipe(res);
}

async function cleanup() {
  if (context) await context.close().catch(() => {});
  if (server) server.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
}

async function main() {
  server = http.createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp4-playback-'));
  // A persistent context is how Playwright takes a --user-data-dir; a fresh one every run.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: values.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  const tab = context.pages()[0] ?? await context.newPage();
  tab.on('console', (msg) => console.log(`browser: ${msg.text()}`));
  await tab.goto(url);

  const support = await tab.evaluate(() => ({
    userAgent: navigator.userAgent,
    baseline: document.createElement('video').canPlayType('video/mp4; codecs="avc1.42C01E"'),
    mse: typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('video/mp4; codecs="avc1.42C01E"'),
  }));
  console.log(`chromium: ${support.userAgent}`);
  console.log(`canPlayType(avc1.42C01E) = "${support.baseline}", MediaSource = ${support.mse}`);

  const ready = await tab.waitForFunction(() => {
    const v = document.getElementById('v');
    if (v.error) return { error: `MediaError ${v.error.code}: ${v.error.message}` };
    return v.readyState >= 2 ? { readyState: v.readyState } : false;
  }, null, { timeout: 20_000 }).then((h) => h.jsonValue()).catch((e) => ({ error: `readyState never reached 2: ${e.message}` }));
  if (ready.error) {
    failures.push(ready.error);
    await screenshot(tab);
    return;
  }

  const facts = await tab.evaluate(() => {
    const v = document.getElementById('v');
    return { readyState: v.readyState, videoWidth: v.videoWidth, videoHeight: v.videoHeight, duration: v.duration };
  });
  console.log(`video: ${JSON.stringify(facts)}`);
  if (facts.videoWidth !== expected.width) failures.push(`videoWidth ${facts.videoWidth}, expected ${expected.width}`);
  if (facts.videoHeight !== expected.height) failures.push(`videoHeight ${facts.videoHeight}, expected ${expected.height}`);
  if (!(Math.abs(facts.duration - expected.duration) <= DURATION_TOLERANCE)) {
    failures.push(`duration ${facts.duration}, expected ${expected.duration} ± ${DURATION_TOLERANCE}`);
  }

  // Playback runs: currentTime moves past the first frame.
  const played = await tab.evaluate(() => document.getElementById('v').play().then(() => 'ok', (e) => String(e)));
  if (played !== 'ok') failures.push(`play() rejected: ${played}`);
  await tab.waitForFunction(() => document.getElementById('v').currentTime > 0.5, null, { timeout: 20_000 })
    .catch(() => failures.push('currentTime did not advance past 0.5 s while playing'));

  // Colours of the first frame (white, yellow, cyan, green, magenta, red, blue, black bars).
  const bars = await tab.evaluate(async () => {
    const v = document.getElementById('v');
    v.pause();
    await new Promise((resolve) => { v.onseeked = resolve; v.currentTime = 0; });
    const c = document.getElementById('c');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(v, 0, 0);
    const out = [];
    for (let i = 0; i < 8; i++) {
      const x = Math.floor((i + 0.5) * v.videoWidth / 8);
      const y = Math.floor(v.videoHeight * 3 / 8);
      out.push(Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3)));
    }
    return out;
  });
  const want = [[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0], [255, 0, 255], [255, 0, 0], [0, 0, 255], [0, 0, 0]];
  console.log(`bars: ${JSON.stringify(bars)}`);
  bars.forEach((rgb, i) => {
    if (rgb.some((v, c) => Math.abs(v - want[i][c]) > COLOUR_TOLERANCE)) {
      failures.push(`bar ${i} is ${JSON.stringify(rgb)}, expected ${JSON.stringify(want[i])} ± ${COLOUR_TOLERANCE}`);
    }
  });
  console.log(`range requests served: ${rangeRequests.length} (${rangeRequests.slice(0, 5).join(', ')})`);
  await screenshot(tab);
}

async function screenshot(tab) {
  fs.mkdirSync(path.dirname(path.resolve(values.screenshot)), { recursive: true });
  await tab.screenshot({ path: values.screenshot });
  console.log(`screenshot: ${path.resolve(values.screenshot)}`);
}

try {
  await main();
} catch (e) {
  failures.push(`error: ${e.stack || e}`);
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log(`PASS: ${path.basename(videoFile)} plays in Chromium at ${expected.width}x${expected.height}, ${expected.duration} s`);
