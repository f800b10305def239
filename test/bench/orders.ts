/**
 * bench:orders — orders per second through the order API over HTTP: concurrency 64, 3-line orders of
 * one unit each on SKUs drawn uniformly, against the real server (`wcs/server/main.ts`, a child process
 * with a fresh SQLite data folder), with the simulation paused and with it running live at 10x.
 * Prints orders/s (201s), p50/p99 latency, refusals by code, and oversold units (must be 0): units
 * acknowledged per SKU beyond what the site had on hand, and reserved beyond on hand at the end.
 *
 *   npm run bench:orders -- [--scenario polaris] [--seconds 10] [--concurrency 64] [--synchronous FULL|NORMAL]
 *     [--only paused|live] [--port N (a server already running)]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng, nextInt } from '../../sim/rng.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'polaris' }, seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' }, synchronous: { type: 'string' }, only: { type: 'string' },
    port: { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);

/** package.json's start script, split into words: tsx, its node flags, the server's entry. */
const START = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);

function freePort(): Promise<number> {
  return new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
}

/**
 * A keep-alive HTTP/1.1 connection of its own, one request at a time, as lean as a load generator's: the
 * bench shares the 2-core machine with the server, and node:http's client cost about as much CPU per
 * request as the server's order work (measured: 170 µs a request), which the server then lacked.
 * Responses are read by their content-length (the server never answers chunked).
 */
class Connection {
  private readonly socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { res: (r: { status: number; text: string }) => void; rej: (e: Error) => void } | undefined;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (c: Buffer) => { this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c; this.parse(); });
    this.socket.on('error', (e) => { this.waiting?.rej(e); this.waiting = undefined; });
    this.socket.on('close', () => { this.waiting?.rej(new Error('connection closed')); this.waiting = undefined; });
  }

  private parse(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buf.toString('latin1', 0, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buf.length < end + 4 + length) return;
    const text = this.buf.toString('utf8', end + 4, end + 4 + length);
    this.buf = this.buf.subarray(end + 4 + length);
    const w = this.waiting;
    this.waiting = undefined;
    w.res({ status: Number(head.slice(9, 12)), text });
  }

  call(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((res, rej) => {
      this.waiting = { res, rej };
      const head = `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${body ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n`;
      this.socket.write(body ? head + body : head);
    });
  }

  close(): void { this.socket.destroy(); }
}

/** One call on a connection of its own. */
async function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const c = new Connection(port);
  try { return await c.call(method, path, body); } finally { c.close(); }
}

async function startServer(mode: 'paused' | 'live'): Promise<{ child: ChildProcess; port: number; data: string }> {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'omnicube-bench-orders-'));
  // The server as `npm start` runs it (its node flags included), with the bench's options.
  const args = [...START.slice(1), '--port', String(port), '--scenario', values.scenario!, '--data', data, '--no-viewer'];
  if (mode === 'paused') args.push('--paused'); else args.push('--speed', '10');
  if (values.synchronous) args.push('--synchronous', values.synchronous);
  const child = spawn(join('node_modules', '.bin', START[0]!), args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  let err = '';
  child.stderr!.on('data', (c) => { err += String(c); });
  for (let i = 0; i < 600; i++) {
    try { if ((await call(port, 'GET', '/api/health')).status === 200) return { child, port, data }; } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`server exited: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not come up: ${err}`);
}

async function run(mode: 'paused' | 'live'): Promise<Record<string, unknown>> {
  // --port: a server already running (e.g. under a profiler); else a fresh one per mode.
  const { child, port, data } = values.port ? { child: undefined, port: Number(values.port), data: undefined } : await startServer(mode);
  try {
    const skus: string[] = [];
    for (let after: string | undefined; ;) {
      const page = JSON.parse((await call(port, 'GET', `/api/skus?limit=1000${after ? `&after=${after}` : ''}`)).text) as { skus: { code: string }[]; next?: string };
      for (const s of page.skus) skus.push(s.code);
      if (!page.next) break;
      after = page.next;
    }
    const rng = createRng(1);
    const latencies: number[] = [];
    const refused = new Map<string, number>();
    const acknowledged = new Map<string, number>();
    let created = 0, n = 0;
    const warmEnd = performance.now() + 2000;
    const end = warmEnd + SECONDS * 1000;
    const worker = async (): Promise<void> => {
      const conn = new Connection(port);
      try {
      while (performance.now() < end) {
        const lines = [0, 1, 2].map(() => ({ sku: skus[nextInt(rng, skus.length)]!, qty: 1 }));
        const id = `bench-${mode}-${n++}`;
        const t0 = performance.now();
        const r = await conn.call('POST', '/api/orders', JSON.stringify({ id, channel: 'web', lines }));
        const t1 = performance.now();
        if (t0 < warmEnd) continue;
        latencies.push(t1 - t0);
        if (r.status === 201) {
          created++;
          for (const l of lines) acknowledged.set(l.sku, (acknowledged.get(l.sku) ?? 0) + 1);
        } else {
          const code = (JSON.parse(r.text) as { code?: string }).code ?? String(r.status);
          refused.set(code, (refused.get(code) ?? 0) + 1);
        }
      }
      } finally { conn.close(); }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Oversold: reserved beyond on hand now, over every SKU the bench touched.
    let oversold = 0;
    const check = new Connection(port);
    for (const sku of acknowledged.keys()) {
      const inv = JSON.parse((await check.call('GET', `/api/inventory/${sku}`)).text) as { onHand: number; reserved: number; available: number };
      oversold += Math.max(0, inv.reserved - inv.onHand) + Math.max(0, -inv.available);
    }
    check.close();
    latencies.sort((a, b) => a - b);
    const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 100) / 100;
    return {
      mode, scenario: values.scenario, synchronous: values.synchronous ?? 'default', concurrency: CONCURRENCY, seconds: SECONDS,
      ordersPerSecond: Math.round(created / SECONDS), requestsPerSecond: Math.round(latencies.length / SECONDS),
      p50ms: q(0.5), p99ms: q(0.99), refused: Object.fromEntries(refused), oversoldUnits: oversold,
    };
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (data) rmSync(data, { recursive: true, force: true });
  }
}

for (const mode of ['paused', 'live'] as const) {
  if (values.only && values.only !== mode) continue;
  process.stdout.write(`${JSON.stringify(await run(mode))}\n`);
}
