/**
 * The order store's writer thread (started by wcs/orders/sqlite-store.ts through ../worker-boot.mjs):
 * the only connection that writes the file. It takes batches from the store, writes each as one
 * transaction (a group commit: with synchronous FULL its fsync is shared by the whole batch), and answers
 * twice: in the shared signal words (so that the store can wait for it synchronously, with
 * Atomics.wait) and by a message (so that flush promises resolve without blocking anything).
 *
 * The commit (SQLite's work and the fsync) so runs beside the thread that answers HTTP requests, not in
 * it: measured with bench:orders, that work was a fifth of the server's main thread and held every
 * request behind it while it ran.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchInsert, EVENT_COLUMNS, EVENT_WIDTH, MOVEMENT_COLUMNS, MOVEMENT_WIDTH, ORDER_WIDTH, SIGNAL, TEXT_OFFSET, TEXT_SIZE, openDatabase, type Db, type Statement, type Synchronous } from './sqlite-schema.ts';

/** One group commit: rows laid out flat, as the batched INSERTs take them. */
export interface WriterBatch {
  type: 'batch';
  id: number;
  /** The store's failure count when it sent the batch: after a batch fails, later ones of its epoch are refused. */
  epoch: number;
  orders: unknown[];
  events: unknown[];
  movements: unknown[];
  /** Hold id and body (null: delete). */
  holds: [string, string | null][];
  /** The site clock to keep (the larger of it and the stored one), or null. */
  clock: number | null;
  /** meta rows to set (stock policies). */
  meta: [string, string][];
}
export type WriterMessage = WriterBatch | { type: 'close' };
export interface WriterReply { id: number; ok: boolean; error?: string }
export interface WriterData { entry: string; path: string; synchronous: Synchronous; signals: SharedArrayBuffer }

class Writer {
  private readonly putOrders: BatchInsert;
  private readonly addEvents: BatchInsert;
  private readonly addMovements: BatchInsert;
  private readonly st: Record<'begin' | 'commit' | 'rollback' | 'putHold' | 'deleteHold' | 'putClock' | 'putMeta', Statement>;

  constructor(readonly db: Db) {
    this.st = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      putHold: db.prepare('INSERT INTO holds (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body'),
      deleteHold: db.prepare('DELETE FROM holds WHERE id = ?'),
      putClock: db.prepare(`INSERT INTO meta (key, value) VALUES ('clock', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`),
      putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    this.putOrders = new BatchInsert(db, 'INSERT INTO orders (seq, id, status, channel, created_at, body)', ORDER_WIDTH,
      // By id; an order's seq is kept from its first put (the service never changes it). A seq taken by
      // another order breaks the UNIQUE rule and fails the commit (a bug upstream, not to be papered over).
      'ON CONFLICT (id) DO UPDATE SET status = excluded.status, channel = excluded.channel, created_at = excluded.created_at, body = excluded.body');
    this.addEvents = new BatchInsert(db, `INSERT INTO events (${EVENT_COLUMNS})`, EVENT_WIDTH);
    this.addMovements = new BatchInsert(db, `INSERT INTO movements (${MOVEMENT_COLUMNS})`, MOVEMENT_WIDTH);
  }

  /** Writes the batch as one transaction; on failure rolls it back and throws. */
  write(b: WriterBatch): void {
    const st = this.st;
    st.begin.run();
    try {
      if (b.orders.length > 0) this.putOrders.run(b.orders);
      if (b.events.length > 0) this.addEvents.run(b.events);
      if (b.movements.length > 0) this.addMovements.run(b.movements);
      for (const [id, body] of b.holds) {
        if (body === null) st.deleteHold.run(id); else st.putHold.run(id, body);
      }
      for (const [key, value] of b.meta) st.putMeta.run(key, value);
      if (b.clock !== null) st.putClock.run(b.clock);
      st.commit.run();
    } catch (e) {
      if (this.db.inTransaction) {
        try { st.rollback.run(); } catch { /* the commit's error is the one to report */ }
      }
      throw e;
    }
  }
}

function main(): void {
  const data = workerData as WriterData;
  const signals = new Int32Array(data.signals, 0, 4);
  const text = new Uint8Array(data.signals, TEXT_OFFSET, TEXT_SIZE);
  const port = parentPort!;
  const setError = (message: string) => {
    const bytes = new TextEncoder().encode(message).subarray(0, TEXT_SIZE);
    text.set(bytes);
    Atomics.store(signals, SIGNAL.errorBytes, bytes.length);
  };
  const signal = (word: number, value: number) => {
    Atomics.store(signals, word, value);
    Atomics.notify(signals, word);
  };
  let writer: Writer | undefined;
  let openError = '';
  let refusedEpoch = -1;
  try {
    writer = new Writer(openDatabase(data.path, data.synchronous));
    signal(SIGNAL.state, 1);
  } catch (e) {
    openError = `order store ${data.path}: the writer could not open it: ${e instanceof Error ? e.message : String(e)}`;
    setError(openError);
    signal(SIGNAL.state, -1);
  }
  port.on('message', (m: WriterMessage) => {
    if (m.type === 'close') {
      writer?.db.close();
      writer = undefined;
      signal(SIGNAL.state, 2);
      port.close();
      return;
    }
    let error: string | undefined;
    try {
      if (!writer) throw new Error(openError || 'order store writer is closed');
      if (m.epoch === refusedEpoch) throw new Error('not written: an earlier batch failed');
      writer.write(m);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      setError(error);
      Atomics.store(signals, SIGNAL.failed, m.id);
      refusedEpoch = m.epoch;
    }
    // The message first, then the word: a store that waited on the word and settled the batch ignores
    // the message; one that did not settles it from the message.
    port.postMessage({ id: m.id, ok: error === undefined, error } satisfies WriterReply);
    signal(SIGNAL.done, m.id);
  });
}

if (parentPort && (workerData as Partial<WriterData> | undefined)?.signals) main();
