/**
 * The durable order store: the order service's behaviours over SQLite, restart from the file, reads that
 * see queued writes, group commit, agreement with the MemoryStore on random operation sequences, the
 * file's schema, and survival of kill -9 (a child process writing orders is killed; every order it had
 * acknowledged is in the file, and the ledger agrees with the journal).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { order, testSite } from './support/orders.ts';
import { createRng, nextFloat, nextInt } from '../sim/rng.ts';
import { Catalogue, seededSkuCode } from '../wcs/orders/catalogue.ts';
import { MemoryStore } from '../wcs/orders/memory-store.ts';
import { CHANNELS, ORDER_STATUSES, type OrderQuery, type OrderStore } from '../wcs/orders/records.ts';
import { OrderRefusal, OrderService } from '../wcs/orders/service.ts';
import { SqliteStore } from '../wcs/orders/sqlite-store.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const A = seededSkuCode(0), B = seededSkuCode(1), C = seededSkuCode(2);

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(() => { for (const s of stores.splice(0)) { try { s.close(); } catch { /* a test's broken store */ } } });
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A database path in a fresh temp folder, one level below it (the store creates the folder). */
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'omnicube-sqlite-'));
  dirs.push(dir);
  return join(dir, 'site', 'orders.db');
}

function open(file: string, synchronous?: 'NORMAL' | 'FULL'): SqliteStore {
  const s = new SqliteStore(file, synchronous ? { synchronous } : {});
  stores.push(s);
  return s;
}

/** The order service test's site, over any store (a SqliteStore here). */
const site = <S extends OrderStore>(store: S, stock: number[] = [10, 5, 0]) => testSite(stock, store);

function refusal(fn: () => unknown): OrderRefusal {
  try { fn(); } catch (e) { if (e instanceof OrderRefusal) return e; throw e; }
  throw new Error('expected an OrderRefusal');
}

/** Reserved units per SKU that open orders' lines and live holds account for. */
function promised(store: OrderStore, skus: number): number[] {
  const want = new Array<number>(skus).fill(0);
  const { openOrders, holds } = store.load();
  for (const o of openOrders) {
    for (const l of o.lines) if (l.state === 'reserved' || l.state === 'released' || l.state === 'picking') want[Number(l.sku.slice(4)) - 1]! += l.qty;
  }
  for (const h of holds) for (const l of h.lines) want[Number(l.sku.slice(4)) - 1]! += l.qty;
  return want;
}

describe('the order service over SQLite', () => {
  it('reserves every line at once and refuses what cannot be covered', async () => {
    const { svc, store } = site(open(tempFile()));
    const r = svc.place(order('o1', [[A, 3], [B, 2], [A, 4]]));
    expect(r.status).toBe(201);
    expect(r.order.lines.map((l) => l.state)).toEqual(['reserved', 'reserved', 'reserved']);
    expect(svc.inventory(0)).toMatchObject({ onHand: 10, reserved: 7, available: 3 });
    const e = refusal(() => svc.place(order('o2', [[A, 6], [B, 1]])));
    expect([e.status, e.code]).toEqual([409, 'INSUFFICIENT_STOCK']);
    expect(svc.get('o2')).toBeUndefined();
    await svc.flush();
    expect(store.getOrder('o1')).toMatchObject({ id: 'o1', status: 'reserved', seq: 1 });
    expect(store.getOrder('o2')).toBeUndefined();
  });

  it('is idempotent on id, also after a restart (the order is read back from the file)', async () => {
    const file = tempFile();
    const s1 = site(open(file));
    const first = s1.svc.place(order('o1', [[A, 2]])).order;
    await s1.svc.flush();
    s1.store.close();
    const s2 = site(open(file));
    const again = s2.svc.place(order('o1', [[A, 2]]));
    expect(again.status).toBe(200);
    expect(again.order.seq).toBe(first.seq);
    expect(s2.svc.inventory(0).reserved).toBe(2);
    expect(refusal(() => s2.svc.place(order('o1', [[A, 3]]))).code).toBe('ID_CONFLICT');
    expect(s2.svc.place(order('o2', [[A, 1]])).order.seq).toBe(2);
  });

  it('fills backorders in arrival order, and keeps that order across a restart', async () => {
    const file = tempFile();
    const s1 = site(open(file));
    s1.svc.place(order('o1', [[A, 1], [C, 3]], { backorder: true }));
    s1.svc.place(order('o2', [[C, 2]], { backorder: true }));
    await s1.svc.flush();
    s1.store.close();
    const s2 = site(open(file));
    expect(s2.svc.inventory(2)).toMatchObject({ backordered: 5, available: 0 });
    expect(s2.svc.receive(C, 4, 'r1').filled).toEqual([{ orderId: 'o1', line: 2 }]);
    expect(refusal(() => s2.svc.place(order('o3', [[C, 1]]))).code).toBe('INSUFFICIENT_STOCK');
    s2.svc.receive(C, 1, 'r2');
    expect(s2.svc.get('o2')!.lines[0]!.state).toBe('reserved');
    expect(s2.svc.ledger.audit(s2.store.load().movements)).toEqual([]);
  });

  it('cancels, picks, ships, and keeps every state change as an event', async () => {
    const { svc, store, withdrawn } = site(open(tempFile()));
    svc.place(order('o1', [[A, 3], [B, 2]]));
    svc.place(order('o2', [[A, 1]]));
    expect(svc.release(1)).toMatchObject([{ orderId: 'o1', n: 1 }]);
    expect(svc.cancel('o1').status).toBe('cancelled');
    expect(withdrawn).toEqual(['o1/1']);
    svc.release(1);
    svc.confirmPick('o2', 1, 1);
    svc.dispatch('o2', 'shipped');
    await svc.flush();
    expect(refusal(() => svc.cancel('o1')).code).toBe('ORDER_FINISHED');
    expect(svc.inventory(0)).toMatchObject({ onHand: 9, reserved: 0 });
    expect(store.events('o2').map((e) => `${e.type}:${e.line ?? ''}:${e.to}`)).toEqual([
      'order.created::received', 'line.state:1:reserved', 'order.status::reserved', 'line.state:1:released',
      'order.status::released', 'line.state:1:picking', 'line.state:1:picked', 'order.status::complete', 'order.status::shipped',
    ]);
    expect(store.load().openOrders).toEqual([]);
    expect(svc.ledger.audit(store.load().movements)).toEqual([]);
  });

  it('holds expire, extend and become orders; a live hold survives a restart, a used one does not', async () => {
    const file = tempFile();
    const s1 = site(open(file));
    s1.svc.hold('h1', 'web', [{ sku: A, qty: 8 }], 600);
    s1.advance(599);
    s1.svc.extendHold('h1', 600);
    s1.svc.hold('h2', 'web', [{ sku: B, qty: 2 }], 600);
    s1.svc.place(order('o2', [[B, 3]], { holdId: 'h2' }));
    await s1.svc.flush();
    expect(s1.store.load().holds.map((h) => [h.id, h.expiresAt])).toEqual([['h1', 1199]]);
    s1.store.close();
    const s2 = site(open(file));
    s2.advance(1198);
    expect(s2.svc.expireHolds()).toBe(0);
    expect(s2.svc.inventory(0)).toMatchObject({ reserved: 8, available: 2 });
    expect(s2.svc.inventory(1)).toMatchObject({ reserved: 3, available: 2 });
    s2.advance(1);
    expect(s2.svc.expireHolds()).toBe(1);
    expect(s2.svc.inventory(0).available).toBe(10);
    expect(s2.store.load().holds).toEqual([]);
  });
});

describe('restart', () => {
  it('stock policies are in the file at once and come back', () => {
    const file = tempFile();
    const s1 = site(open(file));
    s1.svc.setStockPolicy(A, { safetyStock: 3, buffers: { marketplace: 2 } });
    const s2 = site(open(file));
    expect(s2.svc.inventory(0)).toMatchObject({ safetyStock: 3, available: 7, byChannel: { web: 7, marketplace: 5 } });
  });

  it('a new service over a new SqliteStore on the same file has every order, its reservations, and released lines back in the queue', async () => {
    const file = tempFile();
    const s1 = site(open(file));
    s1.svc.place(order('o1', [[A, 3], [B, 2]]));
    s1.svc.place(order('o2', [[A, 1]]));
    s1.svc.release(2); // o1 line 1 and 2 released
    s1.svc.confirmPick('o1', 1, 3);
    await s1.svc.flush();
    // Not closed: as after a crash, the file is all there is (a second connection reads it).
    const s2 = site(open(file));
    expect(s2.svc.inventory(0)).toMatchObject({ onHand: 7, reserved: 1 });
    expect(s2.svc.inventory(1)).toMatchObject({ onHand: 5, reserved: 2 });
    expect(s2.svc.ledger.audit(s2.store.load().movements)).toEqual([]);
    expect(s2.svc.get('o1')!.lines.map((l) => l.state)).toEqual(['picked', 'reserved']);
    expect(s2.svc.release(10).map((l) => `${l.orderId}/${l.n}`)).toEqual(['o1/2', 'o2/1']);
    const lastEvent = Math.max(...['o1', 'o2'].flatMap((id) => s2.store.events(id).map((e) => e.seq)));
    expect(s2.store.load()).toMatchObject({ lastOrderSeq: 2, lastEventSeq: lastEvent });
  });

  it('close() commits what is queued; the clock, last seqs and journal come back', () => {
    const file = tempFile();
    const s1 = site(open(file));
    s1.advance(42);
    s1.svc.place(order('o1', [[A, 3]]));
    s1.store.close();
    const state = open(file).load();
    expect(state.openOrders.map((o) => o.id)).toEqual(['o1']);
    expect(state.clock).toBe(42);
    expect(state.lastOrderSeq).toBe(1);
    expect(state.lastEventSeq).toBe(3);
    expect([...state.movements].map((m) => `${m.seq} ${m.kind} ${m.sku} ${m.onHand} ${m.reserved}`))
      .toEqual(['1 receipt 0 10 0', '2 receipt 1 5 0', '3 reserve 0 0 3']);
  });
});

describe('reads see queued writes', () => {
  it('getOrder, listOrders, events and journal answer with writes not yet flushed; another connection sees them only once committed', async () => {
    const file = tempFile();
    const { svc, store } = site(open(file));
    await svc.flush();
    // Another connection to the file (not a store: a store is its file's only writer and trusts its own
    // id filter), reading what is committed.
    const db = new Database(file);
    const other = {
      getOrder: (id: string) => {
        const row = db.prepare('SELECT body FROM orders WHERE id = ?').get(id) as { body: string } | undefined;
        return row ? JSON.parse(row.body) as { status: string } : undefined;
      },
    };
    svc.place(order('o1', [[A, 3]]));
    expect(store.stats().pending).toBeGreaterThan(0);
    expect(store.getOrder('o1')).toMatchObject({ id: 'o1', status: 'reserved' });
    expect(other.getOrder('o1')).toBeUndefined(); // getOrder reads the queue: nothing was committed
    svc.release(1);
    expect(store.getOrder('o1')!.lines[0]!.state).toBe('released');
    // The records returned are copies: changing them changes nothing stored.
    store.getOrder('o1')!.status = 'cancelled';
    expect(store.getOrder('o1')!.status).toBe('released');
    expect(store.listOrders({ limit: 10 }).map((o) => [o.id, o.status])).toEqual([['o1', 'released']]);
    expect(store.events('o1').map((e) => e.to)).toEqual(['received', 'reserved', 'reserved', 'released', 'released']);
    expect(store.journal(0, 0, 10).map((m) => m.kind)).toEqual(['receipt', 'reserve']);
    expect(other.getOrder('o1')).toMatchObject({ status: 'released' }); // listOrders committed the queue first
    svc.cancel('o1');
    expect(store.getOrder('o1')!.status).toBe('cancelled');
    await svc.flush();
    expect(other.getOrder('o1')!.status).toBe('cancelled');
    db.close();
  });
});

describe('group commit', () => {
  it('1,000 place() calls and one flush are one transaction', async () => {
    const { svc, store } = site(open(tempFile()), [100_000, 100_000, 100_000]);
    await svc.flush();
    const before = store.stats().commits;
    for (let k = 0; k < 1000; k++) svc.place(order(`o${k}`, [[seededSkuCode(k % 3), 1 + (k % 4)]]));
    await svc.flush();
    expect(store.stats().commits - before).toBe(1);
    expect(store.stats().pending).toBe(0);
    expect(store.load().lastOrderSeq).toBe(1000);
  }, 30_000);

  it('flushes called in one event-loop turn share one commit and one promise; a later one makes another', async () => {
    const { svc, store } = site(open(tempFile()), [100_000, 100_000, 100_000]);
    await svc.flush();
    const before = store.stats().commits;
    const flushes = Array.from({ length: 64 }, (_, k) => { svc.place(order(`o${k}`, [[A, 1]])); return svc.flush(); });
    expect(new Set(flushes).size).toBe(1);
    await Promise.all(flushes);
    expect(store.stats().commits - before).toBe(1);
    await svc.flush(); // nothing queued: no transaction
    expect(store.stats().commits - before).toBe(1);
    svc.place(order('late', [[A, 1]]));
    await svc.flush();
    expect(store.stats().commits - before).toBe(2);
  });

  it('a failing commit rejects every waiting flush, writes nothing of it, and keeps its writes queued and readable', async () => {
    const file = tempFile();
    const store = open(file);
    const base = { site: 'S1', channel: 'web' as const, priority: 0, backorder: false, createdAt: 0, updatedAt: 0, status: 'reserved' as const, lines: [], fingerprint: '' };
    store.putOrder({ ...base, id: 'a', seq: 1 });
    await store.flush();
    store.putOrder({ ...base, id: 'b', seq: 1 }); // seq 1 is a's: the UNIQUE rule fails the transaction
    store.addEvent({ seq: 1, at: 5, orderId: 'b', type: 'order.created', to: 'received' }, 1);
    const waiting = [store.flush(), store.flush(), store.flush()];
    const results = await Promise.allSettled(waiting);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(store.stats()).toMatchObject({ commits: 1, pending: 3 });
    expect(store.getOrder('b')).toMatchObject({ id: 'b' });
    expect(open(file).load()).toMatchObject({ lastOrderSeq: 1, lastEventSeq: 0 });
    await expect(store.flush()).rejects.toThrow(/UNIQUE/);
  });
});

describe('agreement with the MemoryStore', () => {
  it('random operation sequences give the same listings, events, journal and restart state, and the ledger agrees with the journal', async () => {
    const queries = (t: number, after: number): OrderQuery[] => [
      { limit: 1e6 }, { limit: 3 }, { limit: 4, after }, { status: 'reserved', limit: 5 }, { status: 'backordered', limit: 100, after },
      { channel: 'click-and-collect', limit: 100 }, { channel: 'web', status: 'complete', limit: 2 }, { from: t / 3, limit: 100 },
      { to: t / 2, limit: 100 }, { from: t / 4, to: (3 * t) / 4, channel: 'app', limit: 100, after }, { limit: 0 },
    ];
    for (let seed = 1; seed <= 6; seed++) {
      const file = tempFile();
      const rng = createRng(seed);
      const skus = 4;
      const stock = Array.from({ length: skus }, () => 5 + nextInt(rng, 10));
      const mem = site(new MemoryStore(), stock);
      const sql = site(open(file), stock);
      const both = (f: (s: ReturnType<typeof site>) => unknown): unknown => {
        let a: unknown, b: unknown, ea: unknown, eb: unknown;
        try { a = f(mem); } catch (e) { ea = e; }
        try { b = f(sql); } catch (e) { eb = e; }
        expect(eb === undefined ? b : String(eb)).toEqual(ea === undefined ? a : String(ea));
        if (ea !== undefined && !(ea instanceof OrderRefusal)) throw ea;
        return a;
      };
      const ids: string[] = [];
      let t = 0;
      try {
        for (let k = 0; k < 250; k++) {
          const op = nextInt(rng, 10);
          const sku = seededSkuCode(nextInt(rng, skus));
          if (op <= 2) {
            const id = `o${k}`;
            const lines: [string, number][] = Array.from({ length: 1 + nextInt(rng, 3) }, () => [seededSkuCode(nextInt(rng, skus)), 1 + nextInt(rng, 4)]);
            const r = order(id, lines, { backorder: nextFloat(rng) < 0.5, priority: nextInt(rng, 3), channel: CHANNELS[nextInt(rng, CHANNELS.length)]! });
            if (both((s) => s.svc.place(r))) ids.push(id);
          } else if (op === 3) { const qty = 1 + nextInt(rng, 6); both((s) => s.svc.receive(sku, qty, `r${k}`)); }
          else if (op === 4 && ids.length) { const id = ids[nextInt(rng, ids.length)]!; both((s) => s.svc.cancel(id)); }
          else if (op === 5) {
            const picks = both((s) => s.svc.release(2)) as { orderId: string; n: number; qty: number }[];
            for (const l of picks) { const got = nextFloat(rng) < 0.8 ? l.qty : nextInt(rng, l.qty); both((s) => s.svc.confirmPick(l.orderId, l.n, got)); }
          } else if (op === 6) { const ttl = 1 + nextInt(rng, 120), qty = 1 + nextInt(rng, 3); both((s) => s.svc.hold(`h${k}`, 'web', [{ sku, qty }], ttl)); }
          else if (op === 7) { const dt = nextInt(rng, 60); t += dt; both((s) => { s.advance(dt); return s.svc.expireHolds(); }); }
          else if (op === 8 && ids.length) {
            const id = ids[nextInt(rng, ids.length)]!;
            both((s) => s.svc.dispatch(id, s.svc.get(id)!.channel === 'click-and-collect' ? 'collected' : 'shipped'));
          } else if (op === 9) await sql.svc.flush();
          // Reads, with or without writes queued.
          if (k % 5 === 0) {
            // Each read before the others in turn: a read that commits the queue first would hide another's bug.
            const reads = [
              () => { if (ids.length) { const id = ids[nextInt(rng, ids.length)]!; both((s) => s.store.getOrder(id)); both((s) => s.store.events(id)); } },
              () => { const j = nextInt(rng, skus), from = nextInt(rng, 20), limit = 1 + nextInt(rng, 10); both((s) => s.store.journal(j, from, limit)); },
              () => { const after = 1 + nextInt(rng, ids.length + 1); for (const q of queries(t, after)) both((s) => s.store.listOrders(q)); },
            ];
            const first = (k / 5) % 3;
            for (let r = 0; r < 3; r++) reads[(first + r) % 3]!();
          }
          if (k % 25 === 0) {
            expect(sql.svc.ledger.audit(sql.store.load().movements)).toEqual([]);
            expect(promised(sql.store, skus)).toEqual(Array.from({ length: skus }, (_, s) => sql.svc.ledger.reserved[s]));
          }
        }
        // Restart both from their stores: the same state.
        await sql.svc.flush();
        const a = mem.store.load(), b = sql.store.load();
        expect({ ...b, movements: [...b.movements], holds: [...b.holds].sort((x, y) => (x.id < y.id ? -1 : 1)) })
          .toEqual({ ...a, movements: [...a.movements], holds: [...a.holds].sort((x, y) => (x.id < y.id ? -1 : 1)) });
        sql.store.close();
        const mem2 = site(mem.store, stock), sql2 = site(open(file), stock);
        for (let s = 0; s < skus; s++) expect(sql2.svc.inventory(s)).toEqual(mem2.svc.inventory(s));
        expect(sql2.svc.release(1000)).toEqual(mem2.svc.release(1000));
        expect(sql2.svc.ledger.audit(sql2.store.load().movements)).toEqual([]);
        for (const st of ORDER_STATUSES) expect(sql2.store.listOrders({ status: st, limit: 1e6 })).toEqual(mem2.store.listOrders({ status: st, limit: 1e6 }));
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}`);
      }
    }
  }, 60_000);
});

describe('the file', () => {
  it('creates its folder, uses WAL with the synchronous mode asked for (FULL by default), and has schema version 3', () => {
    const file = tempFile();
    expect(open(file).settings()).toEqual({ journalMode: 'wal', synchronous: 'FULL', userVersion: 3 });
    expect(open(file, 'NORMAL').settings()).toEqual({ journalMode: 'wal', synchronous: 'NORMAL', userVersion: 3 });
    expect(existsSync(file)).toBe(true);
  });

  it('refuses a file of another schema version', () => {
    const file = tempFile();
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.exec('PRAGMA user_version = 7');
    db.close();
    expect(() => new SqliteStore(file)).toThrow(/schema version 7/);
  });

  it('brings a version 1 file up to date (its SKU index dropped, events found by order seq) and answers the journal from the index it rebuilds', async () => {
    const file = tempFile();
    const first = site(open(file), [50, 50, 50]);
    for (let k = 0; k < 30; k++) first.svc.place(order(`o${k}`, [[seededSkuCode(k % 3), 1 + (k % 2)]]));
    await first.svc.flush();
    const before = [0, 1, 2].map((sku) => first.store.journal(sku, 0, 1000));
    const events = ['o0', 'o17', 'o29'].map((id) => first.store.events(id));
    first.store.close();
    // As version 1 left it: the journal's SKU index, events as JSON found by order id.
    const db = new Database(file);
    db.exec(`CREATE INDEX movements_sku ON movements(sku);
      CREATE TABLE events_v1 (seq INTEGER PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL);
      INSERT INTO events_v1 SELECT seq, order_id, json_object('seq', seq, 'at', at, 'orderId', order_id, 'line', line, 'type', type, 'from', from_state, 'to', to_state) FROM events;
      UPDATE events_v1 SET body = json_remove(body, '$.line') WHERE json_extract(body, '$.line') IS NULL;
      UPDATE events_v1 SET body = json_remove(body, '$.from') WHERE json_extract(body, '$.from') IS NULL;
      DROP TABLE events; ALTER TABLE events_v1 RENAME TO events; CREATE INDEX events_order ON events(order_id); PRAGMA user_version = 1`);
    db.close();
    const store = open(file);
    expect(store.settings().userVersion).toBe(3);
    const check = new Database(file);
    expect(check.prepare(`SELECT group_concat(name) AS names FROM sqlite_master WHERE name IN ('movements_sku', 'events_order', 'events_order_seq')`).get()).toMatchObject({ names: 'events_order_seq' });
    check.close();
    expect(['o0', 'o17', 'o29'].map((id) => store.events(id))).toEqual(events);
    expect(events[1]!.map((e) => e.type)).toEqual(['order.created', 'line.state', 'order.status']);
    expect([0, 1, 2].map((sku) => store.journal(sku, 0, 1000))).toEqual(before);
    expect(before[1]!.length).toBe(11); // its receipt and 10 reservations
    // Paged by the cursor, the pages add up to the whole.
    const paged = [];
    for (let after = 0; ;) {
      const page = store.journal(1, after, 4);
      if (page.length === 0) break;
      paged.push(...page);
      after = page.at(-1)!.seq;
    }
    expect(paged).toEqual(before[1]);
    expect(store.journal(99, 0, 10)).toEqual([]);
  });

  it('load() reads the journal lazily, in seq order, each time it is iterated', async () => {
    const { svc, store } = site(open(tempFile()), [50, 50, 50]);
    for (let k = 0; k < 300; k++) svc.place(order(`o${k}`, [[seededSkuCode(k % 3), 1]], { backorder: true }));
    await svc.flush();
    const { movements } = store.load();
    expect(Array.isArray(movements)).toBe(false);
    const seqs = [...movements].map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: 153 }, (_, i) => i + 1)); // 3 receipts, 150 reservations
    svc.receive(A, 5, 'late');
    expect([...movements].length).toBe(seqs.length + 1 + 5); // the receipt and 5 backorders filled
  });
});

describe('kill -9', () => {
  for (const synchronous of ['NORMAL', 'FULL'] as const) {
    it(`every order acknowledged before the writer is killed is there after a restart, and the ledger agrees with the journal (synchronous ${synchronous})`, async () => {
      const file = tempFile();
      const skus = 20;
      // tsx runs the script in a child node process of its own: the writer is killed with its whole
      // process group (detached: a group of its own), as kill -9 of a server and everything it started.
      const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'test/support/order-writer.ts'), file, synchronous, String(skus)],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const killGroup = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone already */ } };
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      // The pipe closes once every process holding it (tsx and the writer) is gone.
      const closed = new Promise<void>((resolve) => child.stdout.on('close', () => resolve()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      const acked: string[] = [];
      try {
        await new Promise<void>((resolve, reject) => {
          const lines = createInterface({ input: child.stdout });
          lines.on('line', (l) => {
            if (!l.startsWith('ack ')) return;
            acked.push(l.slice(4));
            if (acked.length === 500) { killGroup(); resolve(); }
          });
          void exited.then((how) => reject(new Error(`the writer exited (${how}) after ${acked.length} orders: ${stderr}`)));
        });
        expect(await exited).toBe('SIGKILL');
        await closed;
      } finally {
        killGroup();
      }
      expect(acked.length).toBeGreaterThanOrEqual(500);

      const store = open(file);
      let now = store.load().clock;
      const svc = new OrderService({ site: 'K', catalogue: Catalogue.seeded(skus), store, clock: () => now },
        (receive) => { for (let s = 0; s < skus; s++) receive(s, 1_000_000); });
      now += 1;
      const missing = acked.filter((id) => svc.get(id) === undefined);
      expect(missing).toEqual([]);
      for (const id of acked) {
        for (const l of svc.get(id)!.lines) expect(['reserved', 'picked', 'short']).toContain(l.state);
      }
      expect(svc.ledger.audit(store.load().movements)).toEqual([]);
      expect(promised(store, skus)).toEqual(Array.from({ length: skus }, (_, s) => svc.ledger.reserved[s]));
      expect(store.load().lastOrderSeq).toBeGreaterThanOrEqual(acked.length);
    }, 120_000);
  }
});
