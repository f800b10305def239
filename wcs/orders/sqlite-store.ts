/**
 * The durable order store: one SQLite file (through `libsql`, a better-sqlite3-compatible binding whose
 * binary ships in an npm package), in WAL mode, with a versioned schema (`PRAGMA user_version`).
 *
 * Writes (putOrder, addEvent, addMovement, putHold, deleteHold) are queued in memory and written by
 * `flush()` as ONE transaction: a group commit. Every flush called in the same event-loop turn shares
 * that transaction (it runs from `setImmediate`) and gets the same promise; a failing transaction
 * rejects all of them and keeps the writes queued, so the next flush tries them again.
 *
 * Reads see queued writes (read-your-writes): `getOrder` looks in the queue first; `listOrders`,
 * `events` and `journal` first commit what is queued when it could change their answer (a queued order
 * for listOrders, a queued event of that order, a queued movement of that SKU), and `load` always does.
 * Writes can so become durable before their flush, never later. The order service calls those four only
 * between operations, so a commit always ends at an operation boundary.
 *
 * What survives what. Nothing written since the last commit survives a crash of the process: it is in
 * memory only, and the caller has not answered "done" for it (it answers only after its flush resolved).
 * A commit is atomic: after any crash the file holds the state after some whole number of commits — an
 * order, its events and its ledger movements together or not at all — so the ledger rebuilt from the
 * journal agrees with the orders. Then, by `synchronous` mode (WAL):
 * - `FULL` (the default): the WAL is fsynced by every commit before `flush()` resolves. A resolved flush
 *   survives the process being killed (kill -9, OOM), a kernel crash and a power loss, as far as the
 *   disk honours its flush command.
 * - `NORMAL`: a commit writes the WAL to the operating system without fsync (the WAL is synced at
 *   checkpoints only). A resolved flush survives the process being killed (the kernel still writes the
 *   pages out), but a kernel crash or power loss can lose the last commits (whole commits, newest
 *   first; the file is never corrupt and stays consistent).
 * FULL is the default: with group commits its fsync is shared by the whole batch, so it costs little.
 * Measured on the 2-core development machine (under load from other work; test/bench/sqlite-store.ts),
 * 64 orders per commit, about 7 rows per order: the store alone takes 17,500-19,000 orders/s
 * (123,000-134,000 rows/s) with FULL and 19,500-20,000 with NORMAL; through the OrderService (64
 * concurrent place + flush) 5,900-9,300 orders/s with either, the service's own work being the larger
 * part. One commit per order would be another matter (a few hundred to 2,600 orders/s with FULL, as
 * the disk's fsync allows, 2,900-4,000 with NORMAL): that is what the group commit avoids.
 *
 * Schema (version 1): orders (seq INTEGER PRIMARY KEY, id UNIQUE, status, channel, created_at, body JSON),
 * with indexes for listing by status, channel and creation time, and a partial index of open orders for
 * `load`; events (seq, order_id, body JSON); movements (seq, sku, and one column per field); holds (id,
 * body JSON); meta (key, value: the clock). One process per file: two services writing one file would
 * each believe their own memory.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import type { Movement, MovementKind } from './ledger.ts';
import type { Hold, OrderEvent, OrderQuery, OrderRecord, OrderStore, StoredState, StockPolicy } from './records.ts';

type Db = Database.Database;
type Statement = Database.Statement;

/** The schema version this build reads and writes (PRAGMA user_version). */
export const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE orders (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  channel TEXT NOT NULL,
  created_at REAL NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX orders_status ON orders(status);
CREATE INDEX orders_channel ON orders(channel);
CREATE INDEX orders_created ON orders(created_at);
CREATE INDEX orders_open ON orders(seq) WHERE status NOT IN ('shipped', 'collected', 'cancelled');
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX events_order ON events(order_id);
CREATE TABLE movements (
  seq INTEGER PRIMARY KEY,
  at REAL NOT NULL,
  kind TEXT NOT NULL,
  sku INTEGER NOT NULL,
  on_hand INTEGER NOT NULL,
  reserved INTEGER NOT NULL,
  ref TEXT NOT NULL,
  bin INTEGER
);
CREATE INDEX movements_sku ON movements(sku);
CREATE TABLE holds (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value
);
`;

const OPEN_ORDERS = `SELECT body FROM orders WHERE status NOT IN ('shipped', 'collected', 'cancelled') ORDER BY seq`;
const MOVEMENT_COLUMNS = 'seq, at, kind, sku, on_hand, reserved, ref, bin';

export interface SqliteStoreOptions {
  /** SQLite's `synchronous` in WAL mode (default FULL): see the top of this file for what each survives. */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * Milliseconds a group commit waits for more writes to join it after the first flush asks for one
   * (default 0: at the end of the event-loop turn). A server under load trades that much latency for
   * fewer, larger transactions (one fsync each with FULL).
   */
  commitDelayMs?: number;
}

export interface SqliteStoreStats {
  /** Transactions committed with writes in them (flushes, and reads that committed queued writes). */
  commits: number;
  /** Rows written by those transactions (an order put twice in one commit is written once). */
  rows: number;
  /** Writes queued now. */
  pending: number;
}

interface PendingOrder { seq: number; id: string; status: string; channel: string; createdAt: number; body: string }
interface MovementRow { seq: number; at: number; kind: string; sku: number; on_hand: number; reserved: number; ref: string; bin: number | null }

function toMovement(r: MovementRow): Movement {
  const m: Movement = { seq: r.seq, at: r.at, kind: r.kind as MovementKind, sku: r.sku, onHand: r.on_hand, reserved: r.reserved, ref: r.ref };
  if (r.bin !== null) m.bin = r.bin;
  return m;
}

/**
 * An INSERT of many rows per statement: prepared once for 32, 8 and 1 rows, so a commit of n rows makes
 * about n/32 calls into SQLite instead of n (each call costs a few microseconds in the binding).
 */
class BatchInsert {
  private readonly sizes: { rows: number; st: Statement }[];
  constructor(db: Db, head: string, readonly width: number, tail = '') {
    const tuple = `(${Array(width).fill('?').join(', ')})`;
    this.sizes = [32, 8, 1].map((rows) => ({ rows, st: db.prepare(`${head} VALUES ${Array(rows).fill(tuple).join(', ')} ${tail}`) }));
  }

  /** Inserts the rows whose values are laid out one after another in `values`. */
  run(values: unknown[]): void {
    const rows = values.length / this.width;
    let at = 0;
    for (const { rows: size, st } of this.sizes) {
      for (; rows - at >= size; at += size) st.run(size === rows ? values : values.slice(at * this.width, (at + size) * this.width));
    }
  }
}

export class SqliteStore implements OrderStore {
  readonly path: string;
  readonly synchronous: 'NORMAL' | 'FULL';
  private readonly db: Db;
  private closed = false;

  // Queued writes: the latest body of each order and hold (null: deleted), events and movements in order.
  private readonly pendingOrders = new Map<string, PendingOrder>();
  private readonly pendingHolds = new Map<string, string | null>();
  private pendingEvents: { seq: number; orderId: string; body: string }[] = [];
  private pendingMovements: Movement[] = [];
  /** Orders with queued events, SKUs with queued movements: the reads that must commit first. */
  private readonly pendingEventOrders = new Set<string>();
  private readonly pendingMovementSkus = new Set<number>();
  private clock: number;
  private clockDirty = false;

  /** The commit every flush of this event-loop turn shares, until it runs. */
  private scheduled: Promise<void> | undefined;
  private commits = 0;
  private readonly commitDelayMs: number;
  private rows = 0;

  private readonly st: {
    begin: Statement; commit: Statement; rollback: Statement;
    putHold: Statement; deleteHold: Statement; putClock: Statement;
    getOrder: Statement; events: Statement; journal: Statement; openOrders: Statement; holds: Statement;
    lastOrderSeq: Statement; lastEventSeq: Statement;
  };
  private readonly putOrders: BatchInsert;
  private readonly addEvents: BatchInsert;
  private readonly addMovements: BatchInsert;
  /** listOrders statements by the filters present (16 combinations at most), prepared on first use. */
  private readonly listStatements = new Map<string, Statement>();

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.path = path;
    this.synchronous = opts.synchronous ?? 'FULL';
    this.commitDelayMs = opts.commitDelayMs ?? 0;
    if (this.synchronous !== 'FULL' && this.synchronous !== 'NORMAL') throw new RangeError(`synchronous: expected NORMAL or FULL, got ${String(this.synchronous)}`);
    const memory = path === ':memory:';
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    try {
      const mode = this.pragma('journal_mode = WAL');
      if (!memory && String(mode).toLowerCase() !== 'wal') throw new Error(`order store ${path}: cannot use WAL mode (journal_mode is ${String(mode)})`);
      this.db.exec(`PRAGMA synchronous = ${this.synchronous}`);
      this.db.exec('PRAGMA busy_timeout = 5000');
      this.migrate();
      this.st = {
        begin: this.db.prepare('BEGIN IMMEDIATE'),
        commit: this.db.prepare('COMMIT'),
        rollback: this.db.prepare('ROLLBACK'),
        putHold: this.db.prepare('INSERT INTO holds (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body'),
        deleteHold: this.db.prepare('DELETE FROM holds WHERE id = ?'),
        putClock: this.db.prepare(`INSERT INTO meta (key, value) VALUES ('clock', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`),
        getOrder: this.db.prepare('SELECT body FROM orders WHERE id = ?'),
        events: this.db.prepare('SELECT body FROM events WHERE order_id = ? ORDER BY seq'),
        journal: this.db.prepare(`SELECT ${MOVEMENT_COLUMNS} FROM movements WHERE sku = ? AND seq > ? ORDER BY seq LIMIT ?`),
        openOrders: this.db.prepare(OPEN_ORDERS),
        holds: this.db.prepare('SELECT body FROM holds ORDER BY rowid'),
        lastOrderSeq: this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM orders'),
        lastEventSeq: this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM events'),
      };
      this.putOrders = new BatchInsert(this.db, 'INSERT INTO orders (seq, id, status, channel, created_at, body)', 6,
        // By id; an order's seq is kept from its first put (the service never changes it). A seq taken by
        // another order breaks the UNIQUE rule and fails the commit (a bug upstream, not to be papered over).
        'ON CONFLICT (id) DO UPDATE SET status = excluded.status, channel = excluded.channel, created_at = excluded.created_at, body = excluded.body');
      this.addEvents = new BatchInsert(this.db, 'INSERT INTO events (seq, order_id, body)', 3);
      this.addMovements = new BatchInsert(this.db, `INSERT INTO movements (${MOVEMENT_COLUMNS})`, 8);
      const clock = (this.db.prepare(`SELECT value FROM meta WHERE key = 'clock'`).get() as { value: number } | undefined)?.value;
      this.clock = typeof clock === 'number' ? clock : 0;
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  /** The value of a pragma (its first column). */
  private pragma(source: string): unknown {
    const row = this.db.prepare(`PRAGMA ${source}`).get() as Record<string, unknown> | undefined;
    return row ? Object.values(row)[0] : undefined;
  }

  /** Creates the schema in a new file; refuses a file of another schema version. */
  private migrate(): void {
    const version = Number(this.pragma('user_version'));
    if (version === SCHEMA_VERSION) return;
    if (version !== 0) throw new Error(`order store ${this.path}: schema version ${version}, this build reads version ${SCHEMA_VERSION}`);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have created it while this one waited for the lock.
      const again = Number(this.pragma('user_version'));
      if (again === 0) this.db.exec(`${SCHEMA}\nPRAGMA user_version = ${SCHEMA_VERSION};`);
      else if (again !== SCHEMA_VERSION) throw new Error(`order store ${this.path}: schema version ${again}, this build reads version ${SCHEMA_VERSION}`);
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  // ---- writes (queued) --------------------------------------------------------------------------------

  private writable(): void {
    if (this.closed) throw new Error(`order store ${this.path} is closed`);
  }

  private seen(at: number): void {
    if (at > this.clock) { this.clock = at; this.clockDirty = true; }
  }

  putOrder(o: OrderRecord): void {
    this.writable();
    // Serialised now: the caller goes on changing its record.
    this.pendingOrders.set(o.id, { seq: o.seq, id: o.id, status: o.status, channel: o.channel, createdAt: o.createdAt, body: JSON.stringify(o) });
    this.seen(o.updatedAt);
  }

  addEvent(e: OrderEvent): void {
    this.writable();
    this.pendingEvents.push({ seq: e.seq, orderId: e.orderId, body: JSON.stringify(e) });
    this.pendingEventOrders.add(e.orderId);
    this.seen(e.at);
  }

  addMovement(m: Movement): void {
    this.writable();
    this.pendingMovements.push({ ...m });
    this.pendingMovementSkus.add(m.sku);
    this.seen(m.at);
  }

  /** Stock policies live in meta (key `policy:<sku>`), written at once in a transaction of their own. */
  putPolicy(p: StockPolicy): void {
    this.readable();
    this.db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
      .run(`policy:${p.sku}`, JSON.stringify(p));
  }

  putHold(h: Hold): void {
    this.writable();
    this.pendingHolds.set(h.id, JSON.stringify(h));
  }

  deleteHold(id: string): void {
    this.writable();
    this.pendingHolds.set(id, null);
  }

  private get pendingCount(): number {
    return this.pendingOrders.size + this.pendingHolds.size + this.pendingEvents.length + this.pendingMovements.length + (this.clockDirty ? 1 : 0);
  }

  /**
   * Writes everything queued in one transaction, synchronously. On failure the transaction is rolled
   * back, the writes stay queued and the error is thrown.
   */
  private commit(): void {
    const n = this.pendingCount;
    if (n === 0) return;
    const st = this.st;
    st.begin.run();
    try {
      if (this.pendingOrders.size > 0) {
        const values: unknown[] = [];
        for (const o of this.pendingOrders.values()) values.push(o.seq, o.id, o.status, o.channel, o.createdAt, o.body);
        this.putOrders.run(values);
      }
      if (this.pendingEvents.length > 0) {
        const values: unknown[] = [];
        for (const e of this.pendingEvents) values.push(e.seq, e.orderId, e.body);
        this.addEvents.run(values);
      }
      if (this.pendingMovements.length > 0) {
        const values: unknown[] = [];
        for (const m of this.pendingMovements) values.push(m.seq, m.at, m.kind, m.sku, m.onHand, m.reserved, m.ref, m.bin ?? null);
        this.addMovements.run(values);
      }
      for (const [id, body] of this.pendingHolds) {
        if (body === null) st.deleteHold.run(id); else st.putHold.run(id, body);
      }
      if (this.clockDirty) st.putClock.run(this.clock);
      st.commit.run();
    } catch (e) {
      if (this.db.inTransaction) {
        try { st.rollback.run(); } catch { /* the commit's error is the one to report */ }
      }
      throw e;
    }
    this.pendingOrders.clear();
    this.pendingHolds.clear();
    this.pendingEvents = [];
    this.pendingMovements = [];
    this.pendingEventOrders.clear();
    this.pendingMovementSkus.clear();
    this.clockDirty = false;
    this.commits++;
    this.rows += n;
  }

  /**
   * Makes everything written so far durable: one transaction for all the writes queued since the last
   * commit, shared by every flush called before it runs (in the same event-loop turn). Rejects, for
   * every caller sharing it, when the transaction fails.
   */
  flush(): Promise<void> {
    if (this.scheduled) return this.scheduled;
    if (this.pendingCount === 0) return Promise.resolve();
    this.scheduled = new Promise<void>((resolve, reject) => {
      const run = () => {
        this.scheduled = undefined;
        try {
          if (!this.closed) this.commit();
          else if (this.pendingCount > 0) throw new Error(`order store ${this.path} was closed with writes it could not commit`);
          resolve();
        } catch (e) {
          reject(e);
        }
      };
      if (this.commitDelayMs > 0) setTimeout(run, this.commitDelayMs); else setImmediate(run);
    });
    return this.scheduled;
  }

  /** Counters for tests and benchmarks. */
  stats(): SqliteStoreStats {
    return { commits: this.commits, rows: this.rows, pending: this.pendingCount };
  }

  /** The connection's settings as SQLite reports them. */
  settings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; userVersion: number } {
    this.readable();
    return {
      journalMode: String(this.pragma('journal_mode')),
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[Number(this.pragma('synchronous'))]!,
      userVersion: Number(this.pragma('user_version')),
    };
  }

  // ---- reads (see queued writes) ------------------------------------------------------------------------

  private readable(): void {
    if (this.closed) throw new Error(`order store ${this.path} is closed`);
  }

  getOrder(id: string): OrderRecord | undefined {
    this.readable();
    const queued = this.pendingOrders.get(id);
    if (queued) return JSON.parse(queued.body) as OrderRecord;
    const row = this.st.getOrder.get(id) as { body: string } | undefined;
    return row ? JSON.parse(row.body) as OrderRecord : undefined;
  }

  listOrders(q: OrderQuery): OrderRecord[] {
    this.readable();
    const limit = Math.floor(q.limit);
    if (!(limit > 0)) return [];
    if (this.pendingOrders.size > 0) this.commit();
    const where = ['seq < ?'];
    const params: (string | number)[] = [q.after ?? Number.MAX_SAFE_INTEGER];
    if (q.status !== undefined) { where.push('status = ?'); params.push(q.status); }
    if (q.channel !== undefined) { where.push('channel = ?'); params.push(q.channel); }
    if (q.from !== undefined) { where.push('created_at >= ?'); params.push(q.from); }
    if (q.to !== undefined) { where.push('created_at < ?'); params.push(q.to); }
    params.push(limit);
    const key = where.join(' AND ');
    let st = this.listStatements.get(key);
    if (!st) this.listStatements.set(key, (st = this.db.prepare(`SELECT body FROM orders WHERE ${key} ORDER BY seq DESC LIMIT ?`)));
    return (st.all(...params) as { body: string }[]).map((r) => JSON.parse(r.body) as OrderRecord);
  }

  events(orderId: string): OrderEvent[] {
    this.readable();
    if (this.pendingEventOrders.has(orderId)) this.commit();
    return (this.st.events.all(orderId) as { body: string }[]).map((r) => JSON.parse(r.body) as OrderEvent);
  }

  journal(sku: number, afterSeq: number, limit: number): Movement[] {
    this.readable();
    const n = Math.floor(limit);
    if (!(n > 0)) return [];
    if (this.pendingMovementSkus.has(sku)) this.commit();
    return (this.st.journal.all(sku, afterSeq, n) as MovementRow[]).map(toMovement);
  }

  /**
   * What a restart needs. Commits what is queued first. `movements` is read lazily, in chunks, each time
   * it is iterated (the journal is never one array); an iteration sees the journal as it is when it starts.
   */
  load(): StoredState {
    this.readable();
    this.commit();
    const n = (st: Statement) => (st.get() as { n: number }).n;
    return {
      openOrders: (this.st.openOrders.all() as { body: string }[]).map((r) => JSON.parse(r.body) as OrderRecord),
      movements: { [Symbol.iterator]: () => this.iterateMovements() },
      holds: (this.st.holds.all() as { body: string }[]).map((r) => JSON.parse(r.body) as Hold),
      policies: (this.db.prepare(`SELECT value FROM meta WHERE key LIKE 'policy:%' ORDER BY key`).all() as { value: string }[])
        .map((r) => JSON.parse(r.value) as StockPolicy),
      lastOrderSeq: n(this.st.lastOrderSeq),
      lastEventSeq: n(this.st.lastEventSeq),
      clock: this.clock,
    };
  }

  private *iterateMovements(): Generator<Movement> {
    this.readable();
    this.commit();
    // A statement of its own per iteration: libsql's iterators of one statement must not interleave.
    const rows = this.db.prepare(`SELECT ${MOVEMENT_COLUMNS} FROM movements ORDER BY seq`).iterate() as Iterable<MovementRow>;
    for (const r of rows) yield toMovement(r);
  }

  /**
   * Commits what is queued (synchronously), then closes the file. Idempotent. When that commit fails the
   * file is closed all the same, the queued writes are lost, and the error is thrown.
   */
  close(): void {
    if (this.closed) return;
    try {
      this.commit();
    } finally {
      this.closed = true;
      this.db.close();
    }
  }
}
