/**
 * The durable order store: one SQLite file (through `libsql`, a better-sqlite3-compatible binding whose
 * binary ships in an npm package), in WAL mode, with a versioned schema (`PRAGMA user_version`; see
 * ./sqlite-schema.ts).
 *
 * Writes (putOrder, addEvent, addMovement, putHold, deleteHold) are queued in memory; `flush()` hands
 * what is queued to the store's writer thread (./sqlite-writer.ts), which writes it as ONE transaction: a
 * group commit. Every flush called in the same event-loop turn shares that batch and its promise. One
 * batch is in the writer at a time; what is written meanwhile waits and goes as the next batch the
 * moment the writer is done, so batches grow with the load and the thread that answers requests never
 * waits for SQLite or the disk. A failing transaction rejects every flush of its batch and puts its
 * writes back in the queue (before the newer ones), so the next flush tries them again.
 *
 * Reads run on the store's own connection and see queued writes (read-your-writes): `getOrder` looks in
 * the queue and the batch in the writer first; `listOrders`, `events` and `journal` first wait until
 * what is queued is committed when it could change their answer (a queued order for listOrders, a
 * queued event of that order, a queued movement of that SKU), and `load` always does. That wait is
 * synchronous (Atomics.wait on the writer's signal words), so reads keep their synchronous interface.
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
 * Measured on the 2-core development machine (test/bench/sqlite-store.ts; bench:orders for the server).
 *
 * One store per file: two services writing one file would each believe their own memory, and a store's
 * id filter (below) knows only the orders in the file when it opened and those written through it.
 */
import { Worker } from 'node:worker_threads';
import type { Movement, MovementKind } from './ledger.ts';
import type { Hold, OrderEvent, OrderQuery, OrderRecord, OrderStore, StoredState, StockPolicy } from './records.ts';
import { EVENT_COLUMNS, EVENT_WIDTH, MOVEMENT_COLUMNS, SIGNAL, TEXT_OFFSET, TEXT_SIZE, openDatabase, pragma, type Db, type Statement, type Synchronous } from './sqlite-schema.ts';
import type { WriterBatch, WriterData, WriterReply } from './sqlite-writer.ts';
import { IdFilter } from './id-filter.ts';

export { SCHEMA_VERSION } from './sqlite-schema.ts';

const OPEN_ORDERS = `SELECT body FROM orders WHERE status NOT IN ('shipped', 'collected', 'cancelled') ORDER BY seq`;
/** How long a synchronous read waits for the writer before it gives up. */
const WRITER_WAIT_MS = 60_000;

export interface SqliteStoreOptions {
  /** SQLite's `synchronous` in WAL mode (default FULL): see the top of this file for what each survives. */
  synchronous?: Synchronous;
}

export interface SqliteStoreStats {
  /** Transactions committed with writes in them (flushes, and reads that committed queued writes). */
  commits: number;
  /** Rows written by those transactions (an order put twice in one commit is written once). */
  rows: number;
  /** Writes queued now (including a batch the writer has not finished). */
  pending: number;
}

/**
 * An order to write: the service's own record while queued (it goes on changing it, and only its latest
 * state is written), serialised once when its batch goes to the writer (`body`), and frozen from then.
 */
interface PendingOrder { record: OrderRecord; body?: string }
interface MovementRow { seq: number; at: number; kind: string; sku: number; on_hand: number; reserved: number; ref: string; bin: number | null }

interface EventRow { seq: number; order_id: string; at: number; line: number | null; type: OrderEvent['type']; from_state: string | null; to_state: string }

/** An event as the service emitted it (its keys in the same order). */
function toEvent(r: EventRow): OrderEvent {
  return { seq: r.seq, at: r.at, orderId: r.order_id, ...(r.line !== null ? { line: r.line } : {}), type: r.type, ...(r.from_state !== null ? { from: r.from_state } : {}), to: r.to_state };
}

function toMovement(r: MovementRow): Movement {
  const m: Movement = { seq: r.seq, at: r.at, kind: r.kind as MovementKind, sku: r.sku, onHand: r.on_hand, reserved: r.reserved, ref: r.ref };
  if (r.bin !== null) m.bin = r.bin;
  return m;
}

/** Batches handed to the writer at once: the next goes while one commits, so the writer never waits for this thread. */
const MAX_IN_FLIGHT = 2;

/** Index of the first element of ascending `a` above `x` (a.length when none is). */
function firstAbove(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

interface Deferred { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void }
function deferred(): Deferred {
  let resolve!: () => void, reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  // A batch nobody awaits (a read committed it) must not be an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

type InFlight = Deferred & { id: number; batch: Batch };

/** Writes queued for one commit: the latest body of each order and hold (null: deleted), events and movements in order. */
class Batch {
  readonly orders = new Map<string, PendingOrder>();
  readonly holds = new Map<string, string | null>();
  /** Events as the writer takes them: EVENT_WIDTH values each (EVENT_COLUMNS), one after another. */
  events: unknown[] = [];
  movements: Movement[] = [];
  /** Orders with events here, SKUs with movements here: the reads that must wait for this batch. */
  readonly eventOrders = new Set<string>();
  readonly movementSkus = new Set<number>();
  readonly meta = new Map<string, string>();
  clock: number | null = null;

  get size(): number {
    return this.orders.size + this.holds.size + this.events.length / EVENT_WIDTH + this.movements.length + this.meta.size + (this.clock !== null ? 1 : 0);
  }

  /** This batch's writes followed by `newer`'s (newer bodies win): a failed batch put back before the queue. */
  then(newer: Batch): Batch {
    const b = new Batch();
    for (const m of [this.orders, newer.orders]) for (const [k, v] of m) b.orders.set(k, v);
    for (const m of [this.holds, newer.holds]) for (const [k, v] of m) b.holds.set(k, v);
    for (const m of [this.meta, newer.meta]) for (const [k, v] of m) b.meta.set(k, v);
    b.events = this.events.concat(newer.events);
    b.movements = this.movements.concat(newer.movements);
    for (let i = 1; i < b.events.length; i += EVENT_WIDTH) b.eventOrders.add(b.events[i] as string);
    for (const m of b.movements) b.movementSkus.add(m.sku);
    b.clock = this.clock === null ? newer.clock : newer.clock === null ? this.clock : Math.max(this.clock, newer.clock);
    return b;
  }

  message(id: number, epoch: number): WriterBatch {
    const orders: unknown[] = [];
    for (const o of this.orders.values()) {
      const r = o.record;
      o.body ??= JSON.stringify(r);
      orders.push(r.seq, r.id, r.status, r.channel, r.createdAt, o.body);
    }
    const movements: unknown[] = [];
    for (const m of this.movements) movements.push(m.seq, m.at, m.kind, m.sku, m.onHand, m.reserved, m.ref, m.bin ?? null);
    return { type: 'batch', id, epoch, orders, events: this.events, movements, holds: [...this.holds], clock: this.clock, meta: [...this.meta] };
  }
}

export class SqliteStore implements OrderStore {
  readonly path: string;
  readonly synchronous: Synchronous;
  /** The store's connection: reads only (the writer thread writes). */
  private readonly db: Db;
  private closed = false;

  private pending = new Batch();
  /** Batches in the writer, oldest first, each with the flushes waiting for it. */
  private inflight: InFlight[] = [];
  /** Batches carry this; after a failure the writer refuses the rest of the failed batch's epoch. */
  private epoch = 0;
  /** Flushes waiting for the queued writes (the next batch). */
  private next: Deferred | undefined;
  private sendScheduled = false;
  private lastBatchId = 0;
  /** Set when the writer thread stopped: every flush from then on rejects with it. */
  private broken: Error | undefined;
  private clock: number;
  /**
   * The journal's index by SKU, in memory: each SKU's movement seqs, ascending (8 bytes a movement),
   * built from the file when it opens and kept with every movement written. On disk it cost every commit
   * about four random pages per order (see SCHEMA_VERSION).
   */
  private readonly bySku = new Map<number, number[]>();
  /**
   * The id of every order in the file or queued for it, as a Bloom filter: an id it has never seen is
   * answered "no such order" without a query (a new order's idempotency check, nearly every order).
   */
  private readonly ids: IdFilter;
  private commits = 0;
  private rows = 0;

  private readonly worker: Worker;
  private readonly signals: Int32Array;
  private readonly text: Uint8Array;

  private readonly st: { getOrder: Statement; events: Statement; journal: Statement; openOrders: Statement; holds: Statement; lastOrderSeq: Statement; lastEventSeq: Statement };
  /** listOrders statements by the filters present (16 combinations at most), prepared on first use. */
  private readonly listStatements = new Map<string, Statement>();

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.path = path;
    this.synchronous = opts.synchronous ?? 'FULL';
    // Opened (and the schema created or checked) here first, so that a wrong file is refused at once.
    this.db = openDatabase(path, this.synchronous);
    try {
      this.st = {
        getOrder: this.db.prepare('SELECT body FROM orders WHERE id = ?'),
        events: this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE order_seq = (SELECT seq FROM orders WHERE id = ?) ORDER BY seq`),
        journal: this.db.prepare(`SELECT ${MOVEMENT_COLUMNS} FROM movements WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`),
        openOrders: this.db.prepare(OPEN_ORDERS),
        holds: this.db.prepare('SELECT body FROM holds ORDER BY rowid'),
        lastOrderSeq: this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM orders'),
        lastEventSeq: this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM events'),
      };
      for (const r of this.db.prepare('SELECT seq, sku FROM movements ORDER BY seq').raw().iterate() as Iterable<[number, number]>) this.indexMovement(r[1], r[0]);
      // Room for twice the orders there are before the filter adds a layer.
      this.ids = new IdFilter(Math.max(1 << 16, 2 * (this.db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n));
      for (const r of this.db.prepare('SELECT id FROM orders').raw().iterate() as Iterable<[string]>) this.ids.add(r[0]);
      const clock = (this.db.prepare(`SELECT value FROM meta WHERE key = 'clock'`).get() as { value: number } | undefined)?.value;
      this.clock = typeof clock === 'number' ? clock : 0;
      const shared = new SharedArrayBuffer(TEXT_OFFSET + TEXT_SIZE);
      this.signals = new Int32Array(shared, 0, 4);
      this.text = new Uint8Array(shared, TEXT_OFFSET, TEXT_SIZE);
      const data: WriterData = { entry: new URL('./sqlite-writer.ts', import.meta.url).href, path, synchronous: this.synchronous, signals: shared };
      this.worker = new Worker(new URL('../worker-boot.mjs', import.meta.url), { workerData: data });
    } catch (e) {
      this.db.close();
      throw e;
    }
    // Idle, the writer does not keep the process alive; a batch in it does (see send).
    this.worker.unref();
    this.worker.on('message', (r: WriterReply) => this.settle(r.id, r.ok, r.error));
    this.worker.on('error', (e) => this.writerStopped(`${e.name}: ${e.message}`));
    this.worker.on('exit', (code) => this.writerStopped(`exited with code ${code}`));
  }

  private writerStopped(why: string): void {
    if (this.closed || this.broken) return;
    this.broken = new Error(`order store ${this.path}: its writer thread stopped (${why}); writes since the last commit are not durable`);
    const waiting = [...this.inflight, this.next];
    this.requeueInFlight();
    this.next = undefined;
    for (const w of waiting) w?.reject(this.broken);
  }

  private indexMovement(sku: number, seq: number): void {
    const seqs = this.bySku.get(sku);
    if (!seqs) this.bySku.set(sku, [seq]);
    // Movements come in seq order; one out of order (never, from the service) is put in its place.
    else if (seqs.length === 0 || seqs[seqs.length - 1]! < seq) seqs.push(seq);
    else seqs.splice(firstAbove(seqs, seq), 0, seq);
  }

  // ---- writes (queued) --------------------------------------------------------------------------------

  private writable(): void {
    if (this.closed) throw new Error(`order store ${this.path} is closed`);
  }

  private seen(at: number): void {
    if (at > this.clock) { this.clock = at; this.pending.clock = at; }
  }

  putOrder(o: OrderRecord): void {
    this.writable();
    // Kept by reference until the batch goes (see PendingOrder): an order changed several times in one
    // batch is serialised once.
    this.pending.orders.set(o.id, { record: o });
    // Once per order (a false "maybe" for a new id needs no entry: it already answers maybe).
    if (!this.ids.mayHave(o.id)) this.ids.add(o.id);
    this.seen(o.updatedAt);
  }

  addEvent(e: OrderEvent, orderSeq: number): void {
    this.writable();
    this.pending.events.push(e.seq, e.orderId, orderSeq, e.at, e.line ?? null, e.type, e.from ?? null, e.to);
    this.pending.eventOrders.add(e.orderId);
    this.seen(e.at);
  }

  addMovement(m: Movement): void {
    this.writable();
    this.pending.movements.push({ ...m });
    this.pending.movementSkus.add(m.sku);
    this.indexMovement(m.sku, m.seq);
    this.seen(m.at);
  }

  /** Stock policies live in meta (key `policy:<sku>`), committed at once (with what is queued). */
  putPolicy(p: StockPolicy): void {
    this.writable();
    this.pending.meta.set(`policy:${p.sku}`, JSON.stringify(p));
    this.drain();
  }

  putHold(h: Hold): void {
    this.writable();
    this.pending.holds.set(h.id, JSON.stringify(h));
  }

  deleteHold(id: string): void {
    this.writable();
    this.pending.holds.set(id, null);
  }

  /** Hands the queued writes to the writer as the next batch, with the flushes waiting for them. */
  private send(): void {
    const batch = this.pending;
    this.pending = new Batch();
    const waiting = this.next ?? deferred();
    this.next = undefined;
    const id = ++this.lastBatchId;
    this.inflight.push({ ...waiting, id, batch });
    this.worker.ref();
    this.worker.postMessage(batch.message(id, this.epoch));
  }

  /** Puts the batches in the writer back at the head of the queue, oldest first (they were not written). */
  private requeueInFlight(): void {
    let back = this.pending;
    for (let i = this.inflight.length - 1; i >= 0; i--) back = this.inflight[i]!.batch.then(back);
    this.pending = back;
    this.inflight = [];
  }

  /** The writer finished batch `id` (from its message, or read from the signal words by a waiting read). */
  private settle(id: number, ok: boolean, error?: string): void {
    // The writer answers in order: batch `id` is the oldest in flight, or was settled (or put back) already.
    const f = this.inflight[0];
    if (!f || f.id !== id) return;
    if (ok) {
      this.inflight.shift();
      this.commits++;
      this.rows += f.batch.size;
      f.resolve();
    } else {
      // The writer refuses the later batches of this epoch unwritten: all of them go back to the queue,
      // and their flushes fail with this one (a flush promises everything written before it).
      const failed = this.inflight;
      this.requeueInFlight();
      this.epoch++;
      const e = new Error(error ?? 'order store commit failed');
      for (const w of failed) w.reject(e);
    }
    if (this.next && !this.closed && this.inflight.length < MAX_IN_FLIGHT) this.send();
    else if (this.inflight.length === 0) this.worker.unref();
  }

  /**
   * Makes everything written so far durable: one transaction for all the writes queued since the last
   * batch, shared by every flush called before it goes to the writer (at the end of this event-loop turn,
   * or when the batch before it is done). Rejects, for every caller sharing it, when the transaction fails.
   */
  flush(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.pending.size > 0) {
      if (!this.next) {
        this.next = deferred();
        if (this.inflight.length < MAX_IN_FLIGHT && !this.sendScheduled) {
          this.sendScheduled = true;
          setImmediate(() => {
            this.sendScheduled = false;
            if (this.inflight.length < MAX_IN_FLIGHT && this.next && !this.closed && !this.broken) this.send();
          });
        }
      }
      return this.next.promise;
    }
    return this.inflight.length > 0 ? this.inflight[this.inflight.length - 1]!.promise : Promise.resolve();
  }

  /**
   * Commits everything queued, synchronously: waits for the batch in the writer, then sends the queue
   * and waits for it. Throws the writer's error when a batch fails (its writes stay queued).
   */
  private drain(): void {
    if (this.broken) throw this.broken;
    while (this.inflight.length > 0 || this.pending.size > 0) {
      if (this.inflight.length === 0) this.send();
      const id = this.inflight[0]!.id;
      this.waitFor(id);
      const failed = Atomics.load(this.signals, SIGNAL.failed) === id;
      const error = failed ? new TextDecoder().decode(this.text.slice(0, Atomics.load(this.signals, SIGNAL.errorBytes))) : undefined;
      this.settle(id, !failed, error);
      if (failed) throw new Error(error);
    }
  }

  /** Blocks until the writer has finished batch `id`. */
  private waitFor(id: number): void {
    const deadline = Date.now() + WRITER_WAIT_MS;
    for (;;) {
      const done = Atomics.load(this.signals, SIGNAL.done);
      if (done >= id) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`order store ${this.path}: its writer thread did not answer in ${WRITER_WAIT_MS / 1000} s`);
      Atomics.wait(this.signals, SIGNAL.done, done, left);
    }
  }

  /** Counters for tests and benchmarks. */
  stats(): SqliteStoreStats {
    return { commits: this.commits, rows: this.rows, pending: this.inflight.reduce((n, f) => n + f.batch.size, this.pending.size) };
  }

  /** The connection's settings as SQLite reports them. */
  settings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; userVersion: number } {
    this.readable();
    return {
      journalMode: String(pragma(this.db, 'journal_mode')),
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[Number(pragma(this.db, 'synchronous'))]!,
      userVersion: Number(pragma(this.db, 'user_version')),
    };
  }

  // ---- reads (see queued writes) ------------------------------------------------------------------------

  private readable(): void {
    if (this.closed) throw new Error(`order store ${this.path} is closed`);
  }

  getOrder(id: string): OrderRecord | undefined {
    this.readable();
    let queued = this.pending.orders.get(id);
    for (let i = this.inflight.length - 1; !queued && i >= 0; i--) queued = this.inflight[i]!.batch.orders.get(id);
    if (queued) return JSON.parse(queued.body ?? JSON.stringify(queued.record)) as OrderRecord;
    if (!this.ids.mayHave(id)) return undefined;
    const row = this.st.getOrder.get(id) as { body: string } | undefined;
    return row ? JSON.parse(row.body) as OrderRecord : undefined;
  }

  listOrders(q: OrderQuery): OrderRecord[] {
    this.readable();
    const limit = Math.floor(q.limit);
    if (!(limit > 0)) return [];
    if (this.pending.orders.size > 0 || this.inflight.some((f) => f.batch.orders.size > 0)) this.drain();
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
    if (this.pending.eventOrders.has(orderId) || this.inflight.some((f) => f.batch.eventOrders.has(orderId))) this.drain();
    return (this.st.events.all(orderId) as EventRow[]).map(toEvent);
  }

  journal(sku: number, afterSeq: number, limit: number): Movement[] {
    this.readable();
    const n = Math.floor(limit);
    if (!(n > 0)) return [];
    const seqs = this.bySku.get(sku);
    if (!seqs) return [];
    const from = firstAbove(seqs, afterSeq);
    if (from >= seqs.length) return [];
    if (this.pending.movementSkus.has(sku) || this.inflight.some((f) => f.batch.movementSkus.has(sku))) this.drain();
    return (this.st.journal.all(JSON.stringify(seqs.slice(from, from + n))) as MovementRow[]).map(toMovement);
  }

  /**
   * What a restart needs. Commits what is queued first. `movements` is read lazily, in chunks, each time
   * it is iterated (the journal is never one array); an iteration sees the journal as it is when it starts.
   */
  load(): StoredState {
    this.readable();
    this.drain();
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
    this.drain();
    // A statement of its own per iteration: libsql's iterators of one statement must not interleave.
    const rows = this.db.prepare(`SELECT ${MOVEMENT_COLUMNS} FROM movements ORDER BY seq`).iterate() as Iterable<MovementRow>;
    for (const r of rows) yield toMovement(r);
  }

  /**
   * Commits what is queued (synchronously), then closes the file and stops the writer. Idempotent. When
   * that commit fails the file is closed all the same, the queued writes are lost, and the error is thrown.
   */
  close(): void {
    if (this.closed) return;
    try {
      if (!this.broken) this.drain();
    } finally {
      this.closed = true;
      if (!this.broken) {
        // The writer closes its connection, and says so, before the store's own goes.
        this.worker.postMessage({ type: 'close' });
        const deadline = Date.now() + WRITER_WAIT_MS;
        for (let s; (s = Atomics.load(this.signals, SIGNAL.state)) !== 2 && Date.now() < deadline;) Atomics.wait(this.signals, SIGNAL.state, s, deadline - Date.now());
      }
      void this.worker.terminate();
      this.db.close();
    }
  }
}
