// Watches the console's dashboard in Debian's Chromium while a rollout runs on the server, and reports what the
// page cost: the main thread's busy time from a Chromium trace (the renderer's top-level tasks), the longest task,
// the API requests the page made, and the events the server's stream delivered meanwhile (counted by a second
// stream client with the page's own filter). Ends when the rollout is completed (or failed to), or at --timeout.
// Usage: node dashboard-during-rollout.mjs --api URL --token-file FILE [--timeout-s 900] [--trace FILE]
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../../server/src/main/console/package.json'));
const { chromium } = require('@playwright/test');

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const api = args.api;
const tokenFile = args['token-file'];
const timeoutMs = Number(args['timeout-s'] || 900) * 1000;
const tracePath = args.trace || 'dashboard-trace.json';
const STREAM_TYPES = 'registered,updated,deregistered,expired,provisioned,changed,deprovisioned,update,rollout,command';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilToken() {
  for (const started = Date.now(); Date.now() - started < 120000; await sleep(200)) {
    if (existsSync(tokenFile)) {
      try {
        const response = await fetch(`${api}/health`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return readFileSync(tokenFile, 'utf8').trim();
      } catch { /* not up yet */ }
    }
  }
  throw new Error(`no server at ${api} with a token in ${tokenFile} within 120 s`);
}

async function json(path, token) {
  const response = await fetch(`${api}${path}`, { headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10000) });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return response.json();
}

/** Counts stream events per second until stopped; the same filter as the console's own stream. */
function countEvents(token) {
  const perSecond = new Map();
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(`${api}/api/v1/events/stream?type=${STREAM_TYPES}`, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` }, signal: controller.signal });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.startsWith(':')) {
          const second = Math.floor(Date.now() / 1000);
          perSecond.set(second, (perSecond.get(second) || 0) + 1);
        }
      }
    }
  })().catch((e) => { if (!controller.signal.aborted) throw e; });
  return { perSecond, stop: async () => { controller.abort(); await done; } };
}

/** Top-level task time on the renderer's main thread, from Chromium's trace events. */
function mainThreadTime(trace) {
  const events = trace.traceEvents || trace;
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`));
  let busyUs = 0;
  let longestUs = 0;
  let tasks = 0;
  for (const e of events) {
    if (e.ph === 'X' && e.name === 'RunTask' && main.has(`${e.pid}:${e.tid}`) && e.dur) {
      busyUs += e.dur;
      longestUs = Math.max(longestUs, e.dur);
      tasks++;
    }
  }
  return { busyMs: busyUs / 1000, longestMs: longestUs / 1000, tasks };
}

const token = await untilToken();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const apiRequests = [];
page.on('request', (request) => {
  if (new URL(request.url()).pathname.startsWith('/api/') && !request.url().includes('/events/stream')) {
    apiRequests.push(Date.now());
  }
});
const consoleErrors = [];
page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
await page.goto(`${api}/`);
await page.getByLabel('API token').fill(token);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 30000 });

let rollout;
for (const started = Date.now(); !rollout; await sleep(500)) {
  if (Date.now() - started > timeoutMs) throw new Error('no rollout was started');
  rollout = (await json('/api/v1/rollouts?status=running', token)).items[0];
}
const events = countEvents(token);
await browser.startTracing(page, { path: tracePath, categories: ['toplevel'] });
const start = Date.now();
const requestsBefore = apiRequests.length;
let status = rollout.status;
let probeMs = [];
while (!['completed', 'cancelled', 'rolled-back', 'paused'].includes(status) && Date.now() - start < timeoutMs) {
  const asked = Date.now();
  await page.evaluate(() => 0); // a round trip through the page's main thread: long when the page is busy
  probeMs.push(Date.now() - asked);
  await sleep(1000);
  try {
    status = (await json(`/api/v1/rollouts/${rollout.id}`, token)).status;
  } catch (e) {
    status = `unknown (${e.message}: the benchmark stopped the server once its rollout ended)`;
    break;
  }
}
const wallMs = Date.now() - start;
await browser.stopTracing();
await events.stop();
await page.screenshot({ path: tracePath.replace(/\.json$/, '.png'), fullPage: true });
await browser.close();

const trace = mainThreadTime(JSON.parse(readFileSync(tracePath, 'utf8')));
const counts = [...events.perSecond.values()];
const delivered = counts.reduce((a, b) => a + b, 0);
probeMs = probeMs.sort((a, b) => a - b);
const figures = {
  rollout: rollout.id, status, wallSeconds: +(wallMs / 1000).toFixed(1),
  eventsDelivered: delivered, eventsPerSecondMean: +(delivered / (wallMs / 1000)).toFixed(1),
  eventsPerSecondPeak: Math.max(0, ...counts),
  mainThreadBusyMs: Math.round(trace.busyMs), mainThreadBusyPercent: +(100 * trace.busyMs / wallMs).toFixed(2),
  longestTaskMs: +trace.longestMs.toFixed(1), tasks: trace.tasks,
  apiRequests: apiRequests.length - requestsBefore,
  apiRequestsPerSecond: +((apiRequests.length - requestsBefore) / (wallMs / 1000)).toFixed(2),
  probeMedianMs: probeMs[Math.floor(probeMs.length / 2)] ?? null, probeMaxMs: probeMs.at(-1) ?? null,
  consoleErrors: consoleErrors.length,
};
writeFileSync(tracePath.replace(/\.json$/, '-figures.json'), JSON.stringify(figures, null, 2));
console.log(JSON.stringify(figures));
if (consoleErrors.length) console.error('console errors:', consoleErrors.slice(0, 5));
if (!/completed|unknown/.test(status)) process.exitCode = 1;
