/**
 * How long /api/health takes to answer while the live simulation runs flat out: the live server on a free
 * port with its stream running and one WebSocket client reading it (as a viewer would), at the requested
 * speed (1000x by default, more than Thalia's ticks allow, so the simulation uses all it may). Health is
 * requested over HTTP every few milliseconds from a thread of its own (./live-pinger.ts), through three
 * phases, each reported as latency quantiles:
 * - `start`: the first seconds after the stream starts (on Thalia: the first tick, the first dispatch of
 *   530 robots, which alone takes most of a second);
 * - `running`: the simulation running at speed, for --seconds;
 * - `load`: while POST /api/scenario loads the same scenario again (validation and building the world),
 *   until it answers, and a second after (the new world's first tick).
 * Also prints `serverThreadBusy`: the share of the running phase the server's event loop was busy
 * (event loop utilization; whatever the machine's load, what is left is the OS scheduling threads).
 * Only HTTP and the WebSocket are used, so the bench measures any server design behind buildApp.
 *   tsx test/bench/live-health.ts [--scenario thalia] [--speed 1000] [--seconds 10] [--gap 20]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../../wcs/server/app.ts';
import { between, latencySummary, startPinger, wallNow } from './live-pinger.ts';

const { values } = parseArgs({ options: { scenario: { type: 'string' }, speed: { type: 'string' }, seconds: { type: 'string' }, gap: { type: 'string' } } });
const scenario = values.scenario ?? 'thalia';
const speed = Number(values.speed ?? 1000);
const seconds = Number(values.seconds ?? 10);
const gapMs = Number(values.gap ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { app, state } = await buildApp({ scenario, speed, paused: false });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
let messages = 0;
ws.on('message', () => { messages++; });
await new Promise((r) => ws.once('open', r));
const kpis = async () => (await (await fetch(`${base}/api/kpis`)).json()) as { tick: number; simSeconds: number; actualSpeed: number };
const pinger = startPinger(base, gapMs);
await sleep(300);

// start: the stream starts (and with it the first tick).
const startAt = wallNow();
state.hub.start();
await sleep(3000);

// running: at speed.
const runAt = wallNow();
const k0 = await kpis();
const m0 = messages;
const t0 = performance.now();
const elu0 = performance.eventLoopUtilization();
await sleep(seconds * 1000);
const wall = (performance.now() - t0) / 1000;
const busy = performance.eventLoopUtilization(elu0).utilization;
const k1 = await kpis();
const framesPerSecond = Math.round(((messages - m0) / wall) * 10) / 10;

// load: the same scenario again, while health is polled; then a second of the new world running.
const loadAt = wallNow();
const r = await fetch(`${base}/api/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: scenario }) });
await r.json();
const answeredMs = Math.round(wallNow() - loadAt);
await sleep(1000);
const endAt = wallNow();
const pings = await pinger.stop();

process.stdout.write(`${JSON.stringify({
  scenario, requested: speed,
  achieved: Math.round(((k1.simSeconds - k0.simSeconds) / wall) * 10) / 10, reported: k1.actualSpeed, framesPerSecond,
  serverThreadBusy: Math.round(busy * 1000) / 1000,
  healthStartMs: latencySummary(between(pings, startAt, runAt)), healthRunningMs: latencySummary(between(pings, runAt, loadAt)),
  load: { status: r.status, answeredMs }, healthDuringLoadMs: latencySummary(between(pings, loadAt, endAt)),
})}\n`);
ws.close();
await app.close();
