/**
 * The order layer's records and the store they live in: customer orders with their lines, the events of
 * every state change, cart holds, and the ledger's journal (movements). Plain JSON-safe data; times are
 * simulated seconds since the site's clock started. The store is an interface so that the order logic
 * does no I/O: an in-memory store serves tests and headless runs, SQLite serves the server.
 */
import type { LineState } from './customer-line.ts';
import type { Movement } from './ledger.ts';

/** Where orders come from. */
export const CHANNELS = ['web', 'app', 'store', 'marketplace', 'click-and-collect', 'replenishment'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a caller sends to place an order. */
export interface OrderRequest {
  id: string;
  channel: Channel;
  lines: { sku: string; qty: number }[];
  /** Higher first when lines are released to the grid (default 0). */
  priority?: number;
  /** ISO date the customer was promised. */
  promisedBy?: string;
  /** Accept lines that cannot be covered now as backorders (default: refuse the whole order). */
  backorder?: boolean;
  customer?: string;
  /** A cart hold whose reserved stock this order takes over. */
  holdId?: string;
}

export interface LineRecord {
  /** Line number within the order, from 1. */
  n: number;
  sku: string;
  qty: number;
  state: LineState;
  picked: number;
  history: { state: LineState; at: number }[];
}

/** An order's status, derived from its lines (see deriveStatus), plus what happened after picking. */
export type OrderStatus = 'reserved' | 'backordered' | 'released' | 'picking' | 'complete' | 'shipped' | 'collected' | 'cancelled';

export const ORDER_STATUSES: readonly OrderStatus[] = ['reserved', 'backordered', 'released', 'picking', 'complete', 'shipped', 'collected', 'cancelled'];

export interface OrderRecord {
  id: string;
  site: string;
  channel: Channel;
  priority: number;
  promisedBy?: string;
  backorder: boolean;
  customer?: string;
  /** Arrival order at the site (1, 2, ...): the order in which backorders are filled. */
  seq: number;
  createdAt: number;
  updatedAt: number;
  status: OrderStatus;
  lines: LineRecord[];
  /** The request as received, normalised: the same id with another fingerprint is an ID_CONFLICT. */
  fingerprint: string;
}

export interface OrderEvent {
  seq: number;
  at: number;
  orderId: string;
  /** The line, for line events. */
  line?: number;
  type: 'order.created' | 'order.status' | 'line.state';
  from?: string;
  to: string;
}

export interface Hold {
  id: string;
  channel: Channel;
  lines: { sku: string; qty: number }[];
  createdAt: number;
  expiresAt: number;
}

/** Filters and cursor for listing orders: newest first; `after` is the seq of the last order seen. */
export interface OrderQuery {
  status?: OrderStatus;
  channel?: Channel;
  /** Created at or after / before (simulated seconds). */
  from?: number;
  to?: number;
  after?: number;
  limit: number;
}

/** A SKU's stock policy: units never promised (safety stock) and units held back from each channel. */
export interface StockPolicy { sku: number; safetyStock: number; buffers: Record<string, number> }

/** What a restart needs to rebuild the order layer. */
export interface StoredState {
  /** Orders that are not finished (shipped, collected, cancelled), oldest first. */
  openOrders: OrderRecord[];
  movements: Iterable<Movement>;
  holds: Hold[];
  policies: StockPolicy[];
  lastOrderSeq: number;
  lastEventSeq: number;
  /** Simulated seconds the site's clock had reached (the latest time written). */
  clock: number;
}

/**
 * Where the order layer keeps its records. Reads are synchronous; writes are queued and become durable
 * together at `flush()` (a group commit): a caller answers "done" only after the flush that carries its
 * writes has resolved. A store that fails to make writes durable rejects flush; the order layer's
 * memory is then ahead of its store, so the server stops (see wcs/server) rather than answer from it.
 */
export interface OrderStore {
  load(): StoredState;
  getOrder(id: string): OrderRecord | undefined;
  listOrders(q: OrderQuery): OrderRecord[];
  events(orderId: string): OrderEvent[];
  journal(sku: number, afterSeq: number, limit: number): Movement[];
  putOrder(o: OrderRecord): void;
  /** An event about the order of seq `orderSeq` (stores find an order's events by it). */
  addEvent(e: OrderEvent, orderSeq: number): void;
  addMovement(m: Movement): void;
  putHold(h: Hold): void;
  deleteHold(id: string): void;
  /** Sets a SKU's stock policy, durably at once (a rare change, outside the group commit). */
  putPolicy(p: StockPolicy): void;
  flush(): Promise<void>;
  close(): void;
}
