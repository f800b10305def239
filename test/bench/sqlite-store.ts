/**
 * npx tsx test/bench/sqlite-store.ts [--orders N] [--batch B,...] [--dir PATH]: orders made durable per
 * second by the SqliteStore, with synchronous NORMAL and FULL (WAL), in rounds of B orders and one group
 * commit (default B = 64, and 1 for a commit per order):
 * - store: the writes of N real place() calls (the order, its events, its reservations), recorded from
 *   an OrderService over a MemoryStore and replayed into a SqliteStore, B orders then `await flush()`;
 * - service: an OrderService over a SqliteStore, each round B concurrent requests that each place an
 *   order and await the service's flush (the B flushes share one commit, as HTTP requests handled in one
 *   event-loop turn do); the service's own work (validation, ledger, line machines) is included.
 * Orders have 1 to 3 lines over 1,000 SKUs. Files go in a fresh folder under the OS temp folder (or --dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng, nextInt } from '../../sim/rng.ts';
import { Catalogue, seededSkuCode } from '../../wcs/orders/catalogue.ts';
import type { Movement } from '../../wcs/orders/ledger.ts';
import { MemoryStore } from '../../wcs/orders/memory-store.ts';
import type { Hold, OrderEvent, OrderRecord, OrderRequest, OrderStore } from '../../wcs/orders/records.ts';
import { OrderService } from '../../wcs/orders/service.ts';
import { SqliteStore } from '../../wcs/orders/sqlite-store.ts';

const { values } = parseArgs({ options: { orders: { type: 'string' }, batch: { type: 'string' }, dir: { type: 'string' } } });
const ORDERS = Number(values.orders ?? 20_000);
const BATCHES = (values.batch ?? '64,1').split(',').map(Number);
const SKUS = 1000;
const MODES = ['NORMAL', 'FULL'] as const;

function requests(n: number): OrderRequest[] {
  const rng = createRng(12345);
  const rand = (k: number) => nextInt(rng, k);
  return Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}`, channel: 'web' as const,
    lines: Array.from({ length: 1 + rand(3) }, () => ({ sku: seededSkuCode(rand(SKUS)), qty: 1 + rand(3) })) }));
}

function openService(store: OrderStore, clock: () => number): OrderService {
  return new OrderService({ site: 'B', catalogue: Catalogue.seeded(SKUS), store, clock },
    (receive) => { for (let s = 0; s < SKUS; s++) receive(s, 1_000_000); });
}

/** A MemoryStore that also keeps a copy of every write, to replay into another store. */
class Recorder extends MemoryStore {
  readonly ops: ((s: OrderStore) => void)[] = [];
  override putOrder(o: OrderRecord): void { super.putOrder(o); const c = structuredClone(o); this.ops.push((s) => s.putOrder(c)); }
  override addEvent(e: OrderEvent, orderSeq: number): void { super.addEvent(e, orderSeq); const c = { ...e }; this.ops.push((s) => s.addEvent(c, orderSeq)); }
  override addMovement(m: Movement): void { super.addMovement(m); const c = { ...m }; this.ops.push((s) => s.addMovement(c)); }
  override putHold(h: Hold): void { super.putHold(h); const c = structuredClone(h); this.ops.push((s) => s.putHold(c)); }
  override deleteHold(id: string): void { super.deleteHold(id); this.ops.push((s) => s.deleteHold(id)); }
}

function line(what: string, synchronous: string, batch: number, orders: number, seconds: number, commits: number, rows: number): void {
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`${what.padEnd(7)} synchronous=${synchronous.padEnd(6)} batch ${String(batch).padStart(3)}: ${f(orders)} orders in ${seconds.toFixed(2)} s = ${f(orders / seconds).padStart(6)} orders/s`
    + ` (${f(commits)} commits = ${f(commits / seconds)}/s, ${f(rows / seconds)} rows/s, ${(rows / orders).toFixed(1)} rows per order)`);
}

function tempFile(): { file: string; done: () => void } {
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'omnicube-bench-'));
  return { file: join(dir, 'orders.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The store alone: the recorded writes of `orders` orders, `batch` orders per commit. */
async function storeOnly(synchronous: 'NORMAL' | 'FULL', batch: number, orders: number): Promise<void> {
  const rec = new Recorder();
  let now = 0;
  const svc = openService(rec, () => now);
  const opening = rec.ops.length;
  const bounds: number[] = [];
  for (const r of requests(orders)) { now += 0.01; svc.place(r); bounds.push(rec.ops.length); }
  const { file, done } = tempFile();
  try {
    const store = new SqliteStore(file, { synchronous });
    for (let i = 0; i < opening; i++) rec.ops[i]!(store);
    await store.flush();
    const before = store.stats();
    const t0 = performance.now();
    let op = opening;
    for (let k = batch; k <= orders; k += batch) {
      for (const end = bounds[k - 1]!; op < end; op++) rec.ops[op]!(store);
      await store.flush();
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = store.stats();
    store.close();
    line('store', synchronous, batch, orders, seconds, after.commits - before.commits, after.rows - before.rows);
  } finally { done(); }
}

/** The service over the store: `batch` concurrent place-then-flush requests per round. */
async function service(synchronous: 'NORMAL' | 'FULL', batch: number, orders: number): Promise<void> {
  const { file, done } = tempFile();
  try {
    const store = new SqliteStore(file, { synchronous });
    let now = 0;
    const svc = openService(store, () => now);
    await svc.flush();
    const list = requests(orders);
    const before = store.stats();
    const t0 = performance.now();
    for (let k = 0; k < orders;) {
      now += 1;
      await Promise.all(list.slice(k, k += batch).map(async (r) => { svc.place(r); await svc.flush(); }));
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = store.stats();
    store.close();
    line('service', synchronous, batch, orders, seconds, after.commits - before.commits, after.rows - before.rows);
  } finally { done(); }
}

for (const batch of BATCHES) {
  // A commit per order is slow with FULL: fewer orders keep the run short.
  const orders = Math.floor((batch === 1 ? ORDERS / 10 : ORDERS) / batch) * batch;
  for (const mode of MODES) await storeOnly(mode, batch, orders);
  for (const mode of MODES) await service(mode, batch, orders);
}
