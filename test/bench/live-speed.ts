/**
 * The live speed reached: for each scenario and requested speed, the live server on a free port with
 * its stream running (20 frames a second, one WebSocket client reading, as a viewer would), a short
 * warm-up, then N wall seconds measured. Prints one JSON line per run: requested speed, achieved speed
 * (simulated seconds run / wall seconds), the speed the server reported (KPI actualSpeed), the share of a
 * core the process used (all its threads) and the frames the client received per second. Only HTTP and
 * the WebSocket are used, so the bench measures any server design behind buildApp.
 *   tsx test/bench/live-speed.ts [--scenarios polaris,thalia] [--speeds 100,1000] [--seconds 20] [--warmup 3]
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../../wcs/server/app.ts';

const { values } = parseArgs({ options: { scenarios: { type: 'string' }, speeds: { type: 'string' }, seconds: { type: 'string' }, warmup: { type: 'string' } } });
const scenarios = (values.scenarios ?? 'polaris,thalia').split(',');
const speeds = (values.speeds ?? '100,1000').split(',').map(Number);
const seconds = Number(values.seconds ?? 20);
const warmup = Number(values.warmup ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const scenario of scenarios) {
  for (const speed of speeds) {
    const { app, state } = await buildApp({ scenario, speed, paused: false });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    let messages = 0;
    ws.on('message', () => { messages++; });
    await new Promise((r) => ws.once('open', r));
    state.hub.start();
    await sleep(warmup * 1000);
    const kpis = async () => (await (await fetch(`${base}/api/kpis`)).json()) as { simSeconds: number; actualSpeed: number };
    const k0 = await kpis();
    const m0 = messages, t0 = performance.now(), cpu0 = process.cpuUsage();
    await sleep(seconds * 1000);
    const k1 = await kpis();
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const achieved = (k1.simSeconds - k0.simSeconds) / wall;
    process.stdout.write(`${JSON.stringify({
      scenario, requested: speed, achieved: Math.round(achieved * 10) / 10, reported: k1.actualSpeed,
      wallSeconds: Math.round(wall * 10) / 10, simulatedSeconds: Math.round(k1.simSeconds - k0.simSeconds),
      cpuShareOfOneCore: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100) / 100,
      framesPerSecond: Math.round(((messages - m0) / wall) * 10) / 10,
    })}\n`);
    ws.close();
    await app.close();
  }
}
