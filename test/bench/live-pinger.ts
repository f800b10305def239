/**
 * A health pinger for the live benchmarks, on a thread of its own: it requests `GET /api/health` every
 * `gapMs` and records when each request went out and how long its answer took. On its own thread its
 * timers and its HTTP client run whatever the server's thread is doing, so a server thread busy with
 * ticks shows as latency (a pinger on the server's own event loop could only send a request when that
 * loop was free, and would never see the stalls it is there to measure).
 */
import { Worker } from 'node:worker_threads';

/** One health request: when it was sent (ms, performance.timeOrigin-based, shared by all threads) and its latency. */
export interface Ping { at: number; ms: number }

const PINGER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, gapMs } = workerData;
const pings = [];
let stop = false;
const now = () => performance.timeOrigin + performance.now();
parentPort.on('message', (m) => { if (m === 'stop') stop = true; });
(async () => {
  while (!stop) {
    const at = now();
    try { const r = await fetch(url); await r.json(); pings.push({ at, ms: now() - at }); }
    catch (e) { pings.push({ at, ms: NaN }); }
    await new Promise((r) => setTimeout(r, gapMs));
  }
  parentPort.postMessage(pings);
})();
`;

/** Start pinging `base`/api/health; `stop()` ends it and resolves with every ping. */
export function startPinger(base: string, gapMs: number): { stop(): Promise<Ping[]> } {
  const w = new Worker(PINGER, { eval: true, workerData: { url: `${base}/api/health`, gapMs } });
  return {
    stop: () => new Promise<Ping[]>((resolve, reject) => {
      w.once('message', (pings: Ping[]) => { void w.terminate(); resolve(pings); });
      w.once('error', reject);
      w.postMessage('stop');
    }),
  };
}

/** The wall clock the pings are stamped with. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Quantiles of latencies (ms, one decimal). */
export function latencySummary(xs: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const q = (p: number) => (s.length === 0 ? NaN : Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10);
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) };
}

/** The latencies of the pings sent in [from, to). */
export function between(pings: Ping[], from: number, to: number): number[] {
  return pings.filter((p) => p.at >= from && p.at < to).map((p) => p.ms);
}
