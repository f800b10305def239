/**
 * How long /api/health takes to answer while a long step runs: the live server on a free port with its
 * stream running and one WebSocket client reading it (as a viewer would), a step of N ticks posted, and
 * health requested over HTTP every few milliseconds, from a thread of its own (./live-pinger.ts), until
 * the step answers. Prints one JSON line. `--warm` takes the scenario's first tick before measuring: on
 * Thalia that tick (the first dispatch of 530 robots) alone takes most of a second, and no slicing can
 * split a tick. `serverThreadBusy` is the share of the step the server's event loop was busy (event loop
 * utilization). Only HTTP and the WebSocket are used, so the bench measures any server design behind
 * buildApp.
 *   tsx test/bench/live-step-latency.ts [--scenario thalia] [--ticks 36000] [--gap 20] [--warm]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../../wcs/server/app.ts';
import { between, latencySummary, startPinger, wallNow } from './live-pinger.ts';

const { values } = parseArgs({ options: { scenario: { type: 'string' }, ticks: { type: 'string' }, gap: { type: 'string' }, warm: { type: 'boolean' } } });
const scenario = values.scenario ?? 'thalia';
const ticks = Number(values.ticks ?? 36000);
const gapMs = Number(values.gap ?? 20);

const { app, state } = await buildApp({ scenario, speed: 1, paused: true });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const post = async (url: string, body: object) => {
  const r = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as { ticks: number; tick: number };
};
const tickNow = async () => ((await (await fetch(`${base}/api/kpis`)).json()) as { tick: number }).tick;
if (values.warm) await post('/api/control', { action: 'step', ticks: 1 });
state.hub.start();
const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
let messages = 0;
ws.on('message', () => { messages++; });
await new Promise((r) => ws.once('open', r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pinger = startPinger(base, gapMs);
await sleep(500);
// Before: the server idle (paused, streaming), for comparison.
const idleAt = wallNow();
await sleep(1000);

const tick0 = await tickNow();
const messages0 = messages;
const stepAt = wallNow();
const elu0 = performance.eventLoopUtilization();
const result = await post('/api/control', { action: 'step', ticks });
const doneAt = wallNow();
const busy = performance.eventLoopUtilization(elu0).utilization;
const pings = await pinger.stop();

process.stdout.write(`${JSON.stringify({
  scenario, warm: values.warm === true, ticks: result.ticks, tickReached: result.tick, ticksAdvanced: (await tickNow()) - tick0,
  stepWallSeconds: Math.round((doneAt - stepAt) / 100) / 10, streamMessagesDuringStep: messages - messages0,
  serverThreadBusy: Math.round(busy * 1000) / 1000,
  healthIdleMs: latencySummary(between(pings, idleAt, stepAt)),
  healthDuringStepMs: latencySummary(between(pings, stepAt, doneAt)),
})}\n`);
ws.close();
await app.close();
