/**
 * How long /api/health takes to answer while a long step runs: the live server on a free port with its
 * stream running and one WebSocket client reading it (as a viewer would), a step of N ticks posted, and
 * health requested over HTTP every few milliseconds until the step answers. Prints one JSON line.
 * `--warm` takes the scenario's first tick before measuring: on Thalia that tick (the first dispatch of
 * 530 robots) alone takes most of a second, and no slicing can split a tick.
 *   tsx test/bench/live-step-latency.ts [--scenario thalia] [--ticks 36000] [--gap 20] [--warm]
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../../wcs/server/app.ts';

const { values } = parseArgs({ options: { scenario: { type: 'string' }, ticks: { type: 'string' }, gap: { type: 'string' }, warm: { type: 'boolean' } } });
const scenario = values.scenario ?? 'thalia';
const ticks = Number(values.ticks ?? 36000);
const gapMs = Number(values.gap ?? 20);

const { app, state } = await buildApp({ scenario, speed: 1, paused: true });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
if (values.warm) await state.hub.sim.stepTicks(1, 10, () => performance.now());
state.hub.start();
const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
let messages = 0;
ws.on('message', () => { messages++; });
await new Promise((r) => ws.once('open', r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(500);

const health = async (): Promise<number> => {
  const t0 = performance.now();
  const r = await fetch(`${base}/api/health`);
  await r.json();
  return performance.now() - t0;
};
// Before: the server idle (paused, streaming), for comparison.
const idle: number[] = [];
for (let i = 0; i < 50; i++) { idle.push(await health()); await sleep(gapMs); }

const tick0 = state.hub.sim.world.tick;
const messages0 = messages;
const t0 = performance.now();
let answered = false;
const step = fetch(`${base}/api/control`, { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ action: 'step', ticks }) }).then(async (r) => { answered = true; return (await r.json()) as { ticks: number; tick: number }; });
const during: number[] = [];
while (!answered) { during.push(await health()); await sleep(gapMs); }
const result = await step;
const stepSeconds = (performance.now() - t0) / 1000;

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10;
};
process.stdout.write(`${JSON.stringify({
  scenario, warm: values.warm === true, ticks: result.ticks, tickReached: result.tick, ticksAdvanced: state.hub.sim.world.tick - tick0,
  stepWallSeconds: Math.round(stepSeconds * 10) / 10, streamMessagesDuringStep: messages - messages0,
  healthIdleMs: { n: idle.length, p50: q(idle, 0.5), p99: q(idle, 0.99), max: q(idle, 1) },
  healthDuringStepMs: { n: during.length, p50: q(during, 0.5), p90: q(during, 0.9), p99: q(during, 0.99), max: q(during, 1) },
})}\n`);
ws.close();
await app.close();
