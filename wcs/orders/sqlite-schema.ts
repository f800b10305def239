/**
 * The order store's SQLite file: its schema, how a connection is opened (WAL, the synchronous mode, the
 * schema created or checked) and the batched INSERT. Shared by the store (wcs/orders/sqlite-store.ts,
 * which reads) and its writer thread (wcs/orders/sqlite-writer.ts, which writes).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';

export type Db = Database.Database;
export type Statement = Database.Statement;
export type Synchronous = 'NORMAL' | 'FULL';

/**
 * The schema version this build reads and writes (PRAGMA user_version). Version 2 dropped the journal's
 * index by SKU (the store keeps that index in memory, see SqliteStore): an index over random SKUs made
 * every commit rewrite about four pages per order, half of what the writer wrote. Version 3 finds an
 * order's events by the order's seq (events_order_seq) instead of its id, and keeps an event in columns
 * instead of JSON: an index over random text ids took about 40 % of the writer's SQLite time (nine
 * events an order, each at a random place; measured with 100,000 orders: 165 µs an order against 92),
 * one over seqs appends; and the server's main thread no longer serialises every event.
 */
export const SCHEMA_VERSION = 3;

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
  order_seq INTEGER,
  at REAL NOT NULL,
  line INTEGER,
  type TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL
);
CREATE INDEX events_order_seq ON events(order_seq);
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
CREATE TABLE holds (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value
);
`;

export const MOVEMENT_COLUMNS = 'seq, at, kind, sku, on_hand, reserved, ref, bin';
export const EVENT_COLUMNS = 'seq, order_id, order_seq, at, line, type, from_state, to_state';

/** Values per row of each batched table, in the order the writer's INSERTs take them. */
export const ORDER_WIDTH = 6; // seq, id, status, channel, created_at, body
export const EVENT_WIDTH = 8; // EVENT_COLUMNS
export const MOVEMENT_WIDTH = 8; // MOVEMENT_COLUMNS

/** The writer thread's signal words (Int32Array over the shared buffer; see ./sqlite-writer.ts). */
export const SIGNAL = {
  /** Id of the last batch the writer finished, committed or failed. */
  done: 0,
  /** Id of the last batch that failed. */
  failed: 1,
  /** Bytes of the last error's message in the text area. */
  errorBytes: 2,
  /** 0 opening, 1 open, -1 could not open (message in the text area), 2 closed. */
  state: 3,
} as const;
/** Byte offset and size of the text area after the signal words. */
export const TEXT_OFFSET = 16;
export const TEXT_SIZE = 4096;

/** The value of a pragma (its first column). */
export function pragma(db: Db, source: string): unknown {
  const row = db.prepare(`PRAGMA ${source}`).get() as Record<string, unknown> | undefined;
  return row ? Object.values(row)[0] : undefined;
}

/**
 * Opens (creating its folder and the schema when new) the store's file in WAL mode with the synchronous
 * mode given; refuses a file of another schema version. Several connections (the store's and its
 * writer's) may open one file; the schema is created once, under the write lock.
 */
export function openDatabase(path: string, synchronous: Synchronous): Db {
  if (path === ':memory:') throw new RangeError('order store: a file path is needed (use MemoryStore for an order layer in memory)');
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new RangeError(`synchronous: expected NORMAL or FULL, got ${String(synchronous)}`);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const mode = pragma(db, 'journal_mode = WAL');
    if (String(mode).toLowerCase() !== 'wal') throw new Error(`order store ${path}: cannot use WAL mode (journal_mode is ${String(mode)})`);
    db.exec(`PRAGMA synchronous = ${synchronous}`);
    migrate(db, path);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Steps from each older version to the next: 1 to 2, the journal's SKU index goes; 2 to 3, events in
 * columns, found by their order's seq.
 */
const MIGRATIONS: Record<number, string> = {
  1: 'DROP INDEX IF EXISTS movements_sku;',
  2: `CREATE TABLE events_v3 (seq INTEGER PRIMARY KEY, order_id TEXT NOT NULL, order_seq INTEGER, at REAL NOT NULL, line INTEGER,
  type TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL);
INSERT INTO events_v3 SELECT e.seq, e.order_id, o.seq, json_extract(e.body, '$.at'), json_extract(e.body, '$.line'), json_extract(e.body, '$.type'),
  json_extract(e.body, '$.from'), json_extract(e.body, '$.to') FROM events e LEFT JOIN orders o ON o.id = e.order_id;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE INDEX events_order_seq ON events(order_seq);`,
};

/** Creates the schema in a new file, or brings an older version's up to date; refuses a newer or unknown one. */
function migrate(db: Db, path: string): void {
  const wrong = (v: number) => new Error(`order store ${path}: schema version ${v}, this build reads version ${SCHEMA_VERSION}`);
  const version = Number(pragma(db, 'user_version'));
  if (version === SCHEMA_VERSION) return;
  if (version !== 0 && MIGRATIONS[version] === undefined) throw wrong(version);
  db.exec('BEGIN IMMEDIATE');
  try {
    // Another connection may have created or migrated it while this one waited for the lock.
    let again = Number(pragma(db, 'user_version'));
    if (again === 0) db.exec(`${SCHEMA}\nPRAGMA user_version = ${SCHEMA_VERSION};`);
    else {
      for (; MIGRATIONS[again] !== undefined && again < SCHEMA_VERSION; again++) db.exec(`${MIGRATIONS[again]}\nPRAGMA user_version = ${again + 1};`);
      if (again !== SCHEMA_VERSION) throw wrong(again);
    }
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

/**
 * An INSERT of many rows per statement: prepared once for 32, 8 and 1 rows, so a commit of n rows makes
 * about n/32 calls into SQLite instead of n (each call costs a few microseconds in the binding).
 */
export class BatchInsert {
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
