/**
 * The order layer of one site: takes customer orders from every channel, reserves stock for all their
 * lines at once or none (or backorders what cannot be covered), hands reserved lines to the grid,
 * takes pick confirmations back, and lets orders be shipped, collected or cancelled. Cart holds reserve
 * stock for a time on the simulated clock. Every state change is an event; every stock movement goes
 * through the ledger into the journal.
 *
 * No I/O: records go to an injected OrderStore, whose flush makes them durable; the caller answers its
 * client only after `flush()`. Every method is synchronous and all-or-nothing: it checks everything
 * first and changes nothing when it refuses (an OrderRefusal names the code, field and reason). Single
 * threaded, so a check and the reservation after it cannot interleave with another order: no oversell.
 *
 * Available to promise for a new order = ledger.available(sku, channel) − units already backordered for
 * that SKU (earlier backorders are filled first, in arrival order, when stock comes in).
 */
import TinyQueue from 'tinyqueue';
import type { Catalogue } from './catalogue.ts';
import { FINAL_LINE_STATES, LINE_TRANSITIONS, type CustomerLineEvent, type LineState } from './customer-line.ts';
import { Ledger, type Movement, type Shortfall } from './ledger.ts';
import {
  CHANNELS, type Channel, type Hold, type LineRecord, type OrderEvent, type OrderQuery, type OrderRecord,
  type OrderRequest, type OrderStatus, type OrderStore,
} from './records.ts';

/** Why a request was refused; nothing was changed. `status` is the HTTP status that fits. */
export class OrderRefusal extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422,
    readonly code: string,
    readonly field: string | undefined,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    // A refusal is an answer, not a fault: no stack trace (capturing one cost 1 % of the server's main
    // thread under bench:orders, where a tenth of the orders are refused for stock).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(field ? `${field}: ${message}` : message);
    Error.stackTraceLimit = limit;
    this.name = 'OrderRefusal';
  }
}

/** A line the grid may take: reserved, in release order (priority, then arrival, then line number). */
export interface ReleasableLine { orderId: string; n: number; sku: number; qty: number; channel: Channel; priority: number }

/** What the grid side does for the order layer (the WCS in the live server; nothing in unit tests). */
export interface GridLink {
  /**
   * Drop a released line from the grid's work. The order layer decides (a line is cancellable until the
   * grid reports it started); a pick the grid had already begun is put back, not booked.
   */
  withdraw(orderId: string, n: number): void;
  /** Put received units into bins of the SKU with room; returns the bins and units per bin. */
  putaway?(sku: number, qty: number): { bin: number; qty: number }[];
  /**
   * Told of units that arrived (delta > 0, when the grid puts them away itself: another thread) or were
   * found missing by a count (delta < 0).
   */
  stockChanged?(sku: number, delta: number): void;
  /** Bins holding the SKU, for the inventory view. */
  bins?(sku: number): { bin: number; onHand: number; reserved: number }[];
}

export interface OrderServiceOptions {
  site: string;
  catalogue: Catalogue;
  store: OrderStore;
  /** Simulated seconds now. */
  clock: () => number;
  grid?: GridLink;
  /** Longest a hold may last, seconds (default 1 day). */
  maxHoldSeconds?: number;
}

interface QueuedLine { priority: number; seq: number; orderId: string; n: number }

const FINISHED: ReadonlySet<OrderStatus> = new Set(['shipped', 'collected', 'cancelled']);
const MAX_LINES = 1000;
const MAX_QTY = 1_000_000;

/** An order's status from its lines: the least advanced open line decides; all final: complete or cancelled. Pure. */
export function deriveStatus(lines: readonly LineRecord[]): OrderStatus {
  const has = (s: LineState) => lines.some((l) => l.state === s);
  if (lines.every((l) => l.state === 'cancelled')) return 'cancelled';
  if (lines.every((l) => FINAL_LINE_STATES.has(l.state))) return 'complete';
  if (has('backordered') || has('received')) return 'backordered';
  if (has('reserved')) return 'reserved';
  if (has('released')) return 'released';
  return 'picking';
}

/** The request normalised, as a string: equal for the same order sent twice. Pure. */
export function fingerprint(r: OrderRequest): string {
  return JSON.stringify([r.channel, r.lines.map((l) => [l.sku, l.qty]), r.priority ?? 0, r.promisedBy ?? null,
    r.backorder ?? false, r.customer ?? null, r.holdId ?? null]);
}

export class OrderService {
  readonly site: string;
  readonly catalogue: Catalogue;
  readonly ledger: Ledger;
  private readonly store: OrderStore;
  private readonly clock: () => number;
  private readonly grid: GridLink | undefined;
  private readonly maxHoldSeconds: number;
  /** Orders not finished, by id (finished ones live in the store only). */
  private readonly open = new Map<string, OrderRecord>();
  /** Per SKU id: units on backordered lines, and those lines in arrival order (lazily pruned). */
  private readonly backordered: Int32Array;
  private readonly backorderQueue = new Map<number, { orderId: string; n: number }[]>();
  /** Reserved lines waiting for the grid: priority desc, then order seq, then line. */
  private readonly releaseQueue: TinyQueue<QueuedLine>;
  private readonly holds = new Map<string, Hold>();
  private readonly holdExpiry = new TinyQueue<{ at: number; id: string }>([], (a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  private orderSeq: number;
  private eventSeq: number;
  private readonly listeners = new Set<(e: OrderEvent) => void>();

  /**
   * Opens the order layer over a store: a new site (empty store) gets `openingStock` as receipts; a
   * restarted one rebuilds its ledger from the journal and its open orders from the store, and lines
   * that were released to the grid go back to reserved (the grid restarts from its scenario and takes
   * them again).
   */
  constructor(opts: OrderServiceOptions, openingStock?: (receive: (sku: number, qty: number, bin?: number) => void) => void) {
    this.site = opts.site;
    this.catalogue = opts.catalogue;
    this.store = opts.store;
    this.clock = opts.clock;
    this.grid = opts.grid;
    this.maxHoldSeconds = opts.maxHoldSeconds ?? 86_400;
    this.backordered = new Int32Array(opts.catalogue.size);
    this.releaseQueue = new TinyQueue<QueuedLine>([], (a, b) => b.priority - a.priority || a.seq - b.seq || a.n - b.n);
    const saved = this.store.load();
    this.orderSeq = saved.lastOrderSeq;
    this.eventSeq = saved.lastEventSeq;
    this.ledger = Ledger.replay(opts.catalogue.size, saved.movements);
    this.ledger.onMovement = (m) => this.store.addMovement(m);
    if (this.ledger.lastSeq === 0 && openingStock) {
      openingStock((sku, qty, bin) => this.ledger.receive(sku, qty, 0, 'opening stock', bin));
    }
    const now = this.now();
    for (const o of saved.openOrders) {
      for (const l of o.lines) {
        if (l.state === 'released' || l.state === 'picking') this.lineEvent(o, l, { type: 'REQUEUE', at: now });
        if (l.state === 'reserved') this.releaseQueue.push({ priority: o.priority, seq: o.seq, orderId: o.id, n: l.n });
        if (l.state === 'backordered') this.queueBackorder(o, l);
      }
      this.open.set(o.id, o);
      this.refreshStatus(o, now);
    }
    for (const h of saved.holds) { this.holds.set(h.id, h); this.holdExpiry.push({ at: h.expiresAt, id: h.id }); }
    for (const p of saved.policies) this.applyPolicy(p.sku, p.safetyStock, p.buffers);
  }

  private applyPolicy(sku: number, safetyStock: number, buffers: Record<string, number>): void {
    this.ledger.setSafetyStock(sku, safetyStock);
    for (const c of CHANNELS) this.ledger.setChannelBuffer(c, sku, buffers[c] ?? 0);
  }

  /**
   * Sets a SKU's safety stock (never promised) and per-channel buffers (held back from that channel).
   * Promises already made stand; a lower policy may fill backorders.
   */
  setStockPolicy(code: string, policy: { safetyStock?: number; buffers?: Record<string, number> }): void {
    const sku = this.catalogue.id(code);
    if (sku === undefined) throw new OrderRefusal(422, 'UNKNOWN_SKU', 'sku', `no SKU ${JSON.stringify(code)} at this site`);
    const safetyStock = policy.safetyStock ?? this.ledger.safety[sku]!;
    const buffers: Record<string, number> = {};
    for (const c of CHANNELS) buffers[c] = policy.buffers?.[c] ?? this.ledger.buffer(c, sku);
    for (const [c, v] of Object.entries(policy.buffers ?? {})) {
      if (!(CHANNELS as readonly string[]).includes(c)) throw new OrderRefusal(400, 'BAD_REQUEST', `buffers.${c}`, `expected a channel: ${CHANNELS.join(', ')}`);
      if (!(Number.isInteger(v) && v >= 0)) throw new OrderRefusal(400, 'BAD_REQUEST', `buffers.${c}`, 'expected a whole number of units, 0 or more');
    }
    if (!(Number.isInteger(safetyStock) && safetyStock >= 0)) throw new OrderRefusal(400, 'BAD_REQUEST', 'safetyStock', 'expected a whole number of units, 0 or more');
    this.applyPolicy(sku, safetyStock, buffers);
    this.store.putPolicy({ sku, safetyStock, buffers });
    this.fillBackorders(sku, this.now());
  }

  /**
   * A stock count corrects on hand by `delta` units. A loss may not take on hand below what is promised
   * (409 ADJUST_BELOW_RESERVED: cancel or short those lines first); found units may fill backorders.
   */
  adjust(code: string, delta: number, ref: string): { sku: string; onHand: number } {
    const sku = this.catalogue.id(code);
    if (sku === undefined) throw new OrderRefusal(422, 'UNKNOWN_SKU', 'sku', `no SKU ${JSON.stringify(code)} at this site`);
    if (!(Number.isInteger(delta) && delta !== 0 && Math.abs(delta) <= MAX_QTY)) throw new OrderRefusal(400, 'BAD_REQUEST', 'delta', `expected a whole number of units other than 0, at most ${MAX_QTY} either way`);
    if (this.ledger.onHand[sku]! + delta < this.ledger.reserved[sku]!) {
      throw new OrderRefusal(409, 'ADJUST_BELOW_RESERVED', 'delta', `on hand ${this.ledger.onHand[sku]} ${delta} would fall below the ${this.ledger.reserved[sku]} units promised`);
    }
    const now = this.now();
    this.ledger.adjust(sku, delta, now, `count ${ref}`);
    this.grid?.stockChanged?.(sku, delta);
    if (delta > 0) this.fillBackorders(sku, now);
    return { sku: code, onHand: this.ledger.onHand[sku]! };
  }

  private now(): number { return this.clock(); }

  /** Listen to every event as it happens (before it is durable). Returns the unsubscribe function. */
  subscribe(fn: (e: OrderEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves when everything done so far is durable. */
  flush(): Promise<void> { return this.store.flush(); }

  // ---- events and line transitions ------------------------------------------------------------------

  private emit(o: OrderRecord, e: Omit<OrderEvent, 'seq'>): void {
    const ev = { seq: ++this.eventSeq, ...e } as OrderEvent;
    this.store.addEvent(ev, o.seq);
    for (const fn of this.listeners) fn(ev);
  }

  /** Moves a line through its machine (its transition table); throws on a transition the machine refuses (a bug here, not a refusal). */
  private lineEvent(o: OrderRecord, l: LineRecord, e: CustomerLineEvent): void {
    const to = LINE_TRANSITIONS[l.state][e.type];
    if (to === undefined) throw new Error(`ORDER_ILLEGAL_TRANSITION: ${o.id} line ${l.n} ${l.state} ${e.type}`);
    const from = l.state;
    l.state = to;
    if (e.type === 'PICKED' || e.type === 'SHORT') l.picked = e.picked;
    l.history.push({ state: to, at: e.at });
    this.emit(o, { at: e.at, orderId: o.id, line: l.n, type: 'line.state', from, to });
  }

  /** Re-derives the status, records the order and emits a status event when it changed. */
  private refreshStatus(o: OrderRecord, at: number, force?: OrderStatus): void {
    const next = force ?? deriveStatus(o.lines);
    if (next !== o.status) {
      this.emit(o, { at, orderId: o.id, type: 'order.status', from: o.status, to: next });
      o.status = next;
    }
    o.updatedAt = at;
    this.store.putOrder(o);
    if (FINISHED.has(o.status)) this.open.delete(o.id);
  }

  private queueBackorder(o: OrderRecord, l: LineRecord): void {
    const sku = this.catalogue.id(l.sku)!;
    this.backordered[sku] = this.backordered[sku]! + l.qty;
    let q = this.backorderQueue.get(sku);
    if (!q) this.backorderQueue.set(sku, (q = []));
    q.push({ orderId: o.id, n: l.n });
  }

  /** Units of a SKU a new order from `channel` can be promised now. Pure. */
  availableToPromise(sku: number, channel?: Channel): number {
    return Math.max(0, this.ledger.available(sku, channel) - this.backordered[sku]!);
  }

  // ---- placing orders -------------------------------------------------------------------------------

  /** Checks a request's shape (what the HTTP schema also checks, for callers without one). */
  private validate(r: OrderRequest): void {
    const bad = (field: string, message: string) => new OrderRefusal(400, 'BAD_REQUEST', field, message);
    if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 64) throw bad('id', 'expected a string of 1 to 64 characters');
    if (!CHANNELS.includes(r.channel)) throw bad('channel', `expected one of ${CHANNELS.join(', ')}`);
    if (!Array.isArray(r.lines) || r.lines.length === 0 || r.lines.length > MAX_LINES) throw bad('lines', `expected 1 to ${MAX_LINES} lines`);
    r.lines.forEach((l, i) => {
      if (typeof l.sku !== 'string' || l.sku.length === 0) throw bad(`lines[${i}].sku`, 'expected a SKU code');
      if (!Number.isInteger(l.qty) || l.qty < 1 || l.qty > MAX_QTY) throw bad(`lines[${i}].qty`, `expected a whole number from 1 to ${MAX_QTY}`);
    });
    if (r.priority !== undefined && !(Number.isInteger(r.priority) && Math.abs(r.priority) <= 1000)) throw bad('priority', 'expected a whole number from -1000 to 1000');
    if (r.promisedBy !== undefined && !(typeof r.promisedBy === 'string' && Number.isFinite(Date.parse(r.promisedBy)))) throw bad('promisedBy', 'expected an ISO date');
  }

  /** Per SKU id: the total wanted over the request's lines (lines of one SKU added up). */
  private wants(r: OrderRequest): Map<number, number> {
    const total = new Map<number, number>();
    r.lines.forEach((l, i) => {
      const sku = this.catalogue.id(l.sku);
      if (sku === undefined) throw new OrderRefusal(422, 'UNKNOWN_SKU', `lines[${i}].sku`, `no SKU ${JSON.stringify(l.sku)} at this site`);
      total.set(sku, (total.get(sku) ?? 0) + l.qty);
    });
    return total;
  }

  /**
   * Places an order. 201 with the new order; 200 with the existing one when the same id comes again
   * with the same body. Refuses (nothing reserved) with 409 INSUFFICIENT_STOCK and the shortfall per SKU,
   * 409 ID_CONFLICT, 422 UNKNOWN_SKU, 404/409 for a hold that is gone or does not cover the order.
   */
  place(r: OrderRequest): { status: 200 | 201; order: OrderRecord } {
    this.validate(r);
    const fp = fingerprint(r);
    const existing = this.open.get(r.id) ?? this.store.getOrder(r.id);
    if (existing) {
      if (existing.fingerprint !== fp) throw new OrderRefusal(409, 'ID_CONFLICT', 'id', `order ${r.id} exists with another body`);
      return { status: 200, order: existing };
    }
    const wants = this.wants(r);
    const now = this.now();
    const hold = r.holdId !== undefined ? this.liveHold(r.holdId, now) : undefined;
    // What the hold has reserved counts as available to this order (it is released just below).
    const held = new Map<number, number>();
    if (hold) for (const l of hold.lines) { const s = this.catalogue.id(l.sku)!; held.set(s, (held.get(s) ?? 0) + l.qty); }
    const shortfall: Shortfall[] = [];
    for (const [sku, qty] of wants) {
      const available = this.availableToPromise(sku, r.channel) + (held.get(sku) ?? 0);
      if (qty > available) shortfall.push({ sku, requested: qty, available });
    }
    if (shortfall.length > 0 && !r.backorder) {
      throw new OrderRefusal(409, 'INSUFFICIENT_STOCK', 'lines', `not enough stock for ${shortfall.length} SKU${shortfall.length > 1 ? 's' : ''}`, {
        shortfall: shortfall.map((s) => ({ sku: this.catalogue.code(s.sku), requested: s.requested, available: s.available })),
      });
    }
    // Checked: from here on nothing can fail.
    if (hold) this.dropHold(hold, now, `order ${r.id}`);
    const short = new Set(shortfall.map((s) => s.sku));
    const o: OrderRecord = {
      id: r.id, site: this.site, channel: r.channel, priority: r.priority ?? 0, backorder: r.backorder ?? false,
      ...(r.promisedBy !== undefined ? { promisedBy: r.promisedBy } : {}), ...(r.customer !== undefined ? { customer: r.customer } : {}),
      seq: ++this.orderSeq, createdAt: now, updatedAt: now, status: 'reserved', fingerprint: fp,
      lines: r.lines.map((l, i) => ({ n: i + 1, sku: l.sku, qty: l.qty, state: 'received', picked: 0, history: [{ state: 'received', at: now }] })),
    };
    this.emit(o, { at: now, orderId: o.id, type: 'order.created', to: 'received' });
    const reserve = [...wants].filter(([sku]) => !short.has(sku)).map(([sku, qty]) => ({ sku, qty }));
    if (reserve.length > 0) this.ledger.reserve(reserve, r.channel, now, `order ${o.id}`);
    for (const l of o.lines) {
      const sku = this.catalogue.id(l.sku)!;
      if (short.has(sku)) {
        this.lineEvent(o, l, { type: 'BACKORDER', at: now });
        this.queueBackorder(o, l);
      } else {
        this.lineEvent(o, l, { type: 'RESERVE', at: now });
        this.releaseQueue.push({ priority: o.priority, seq: o.seq, orderId: o.id, n: l.n });
      }
    }
    this.open.set(o.id, o);
    o.status = deriveStatus(o.lines);
    this.emit(o, { at: now, orderId: o.id, type: 'order.status', from: 'received', to: o.status });
    this.store.putOrder(o);
    return { status: 201, order: o };
  }

  /** Places many orders in one call: a result per order, in order (refusals do not stop the rest). */
  placeBatch(list: readonly OrderRequest[]): ({ status: 200 | 201; order: OrderRecord } | { status: number; error: OrderRefusal })[] {
    return list.map((r) => {
      try { return this.place(r); } catch (e) {
        if (e instanceof OrderRefusal) return { status: e.status, error: e };
        throw e;
      }
    });
  }

  // ---- reading ----------------------------------------------------------------------------------------

  get(id: string): OrderRecord | undefined { return this.open.get(id) ?? this.store.getOrder(id); }

  list(q: OrderQuery): OrderRecord[] { return this.store.listOrders(q); }

  events(id: string): OrderEvent[] { return this.store.events(id); }

  /** The journal of one SKU id, after movement `afterSeq`, at most `limit` entries. */
  journalOf(sku: number, afterSeq: number, limit: number): Movement[] { return this.store.journal(sku, afterSeq, limit); }

  /** The inventory view of one SKU. */
  inventory(sku: number, channels: readonly Channel[] = CHANNELS): {
    sku: string; name: string; onHand: number; reserved: number; backordered: number; safetyStock: number; available: number;
    byChannel: Record<string, number>; bins: { bin: number; onHand: number; reserved: number }[];
  } {
    const rec = this.catalogue.record(sku);
    const byChannel: Record<string, number> = {};
    for (const c of channels) byChannel[c] = this.availableToPromise(sku, c);
    return {
      sku: rec.code, name: rec.name, onHand: this.ledger.onHand[sku]!, reserved: this.ledger.reserved[sku]!,
      backordered: this.backordered[sku]!, safetyStock: this.ledger.safety[sku]!, available: this.availableToPromise(sku),
      byChannel, bins: this.grid?.bins?.(sku) ?? [],
    };
  }

  // ---- cancel, ship, collect ---------------------------------------------------------------------------

  /**
   * Cancels the whole order or the listed lines: reservations are released, backorders dropped, released
   * lines withdrawn from the grid. 409 LINE_NOT_CANCELLABLE naming the state when a line is already being
   * picked or done; nothing is cancelled then.
   */
  cancel(id: string, lineNumbers?: readonly number[]): OrderRecord {
    const o = this.open.get(id);
    if (!o) {
      if (this.store.getOrder(id)) throw new OrderRefusal(409, 'ORDER_FINISHED', 'id', `order ${id} is ${this.store.getOrder(id)!.status}`);
      throw new OrderRefusal(404, 'NO_SUCH_ORDER', 'id', `no order ${id}`);
    }
    const lines = lineNumbers === undefined ? o.lines.filter((l) => l.state !== 'cancelled') : lineNumbers.map((n, i) => {
      const l = o.lines[n - 1];
      if (!l) throw new OrderRefusal(400, 'BAD_REQUEST', `lines[${i}]`, `order ${id} has lines 1 to ${o.lines.length}`);
      return l;
    });
    for (const l of lines) {
      if (l.state === 'picking' || l.state === 'picked' || l.state === 'short') {
        throw new OrderRefusal(409, 'LINE_NOT_CANCELLABLE', `lines`, `line ${l.n} is ${l.state}: it can no longer be cancelled`, { line: l.n, state: l.state });
      }
    }
    const now = this.now();
    for (const l of lines) {
      if (l.state === 'cancelled') continue;
      const sku = this.catalogue.id(l.sku)!;
      if (l.state === 'released') this.grid?.withdraw(id, l.n);
      if (l.state === 'reserved' || l.state === 'released') this.ledger.release(sku, l.qty, now, `cancel ${id}/${l.n}`);
      if (l.state === 'backordered') this.backordered[sku] = this.backordered[sku]! - l.qty;
      this.lineEvent(o, l, { type: 'CANCEL', at: now });
    }
    this.refreshStatus(o, now);
    // Cancelled backorders may unblock later ones.
    for (const l of lines) this.fillBackorders(this.catalogue.id(l.sku)!, now);
    return o;
  }

  /** A complete order leaves the site: shipped (or collected, for click-and-collect). */
  dispatch(id: string, how: 'shipped' | 'collected'): OrderRecord {
    const o = this.open.get(id);
    if (!o) {
      const done = this.store.getOrder(id);
      if (done) throw new OrderRefusal(409, 'ORDER_FINISHED', 'id', `order ${id} is ${done.status}`);
      throw new OrderRefusal(404, 'NO_SUCH_ORDER', 'id', `no order ${id}`);
    }
    if (o.status !== 'complete') throw new OrderRefusal(409, 'ORDER_NOT_COMPLETE', 'id', `order ${id} is ${o.status}: only a complete order can be ${how}`);
    if ((o.channel === 'click-and-collect') !== (how === 'collected')) {
      throw new OrderRefusal(409, 'WRONG_HANDOVER', 'id', o.channel === 'click-and-collect'
        ? `order ${id} is click-and-collect: it is collected, not shipped` : `order ${id} is not click-and-collect: it is shipped, not collected`);
    }
    this.refreshStatus(o, this.now(), how);
    return o;
  }

  // ---- receipts and backorders --------------------------------------------------------------------------

  /** Stock arrives: into bins of the SKU with room (the grid's putaway), then backorders in arrival order. */
  receive(code: string, qty: number, ref: string): { sku: string; onHand: number; filled: { orderId: string; line: number }[] } {
    const sku = this.catalogue.id(code);
    if (sku === undefined) throw new OrderRefusal(422, 'UNKNOWN_SKU', 'sku', `no SKU ${JSON.stringify(code)} at this site`);
    if (!Number.isInteger(qty) || qty < 1 || qty > MAX_QTY) throw new OrderRefusal(400, 'BAD_REQUEST', 'qty', `expected a whole number from 1 to ${MAX_QTY}`);
    const now = this.now();
    const put = this.grid?.putaway?.(sku, qty);
    if (put && put.length > 0) for (const p of put) this.ledger.receive(sku, p.qty, now, `receipt ${ref}`, p.bin);
    else {
      this.ledger.receive(sku, qty, now, `receipt ${ref}`);
      this.grid?.stockChanged?.(sku, qty);
    }
    const filled = this.fillBackorders(sku, now);
    return { sku: code, onHand: this.ledger.onHand[sku]!, filled };
  }

  /** Reserves backordered lines of `sku` in arrival order while stock covers the next one. */
  private fillBackorders(sku: number, now: number): { orderId: string; line: number }[] {
    const q = this.backorderQueue.get(sku);
    const filled: { orderId: string; line: number }[] = [];
    while (q && q.length > 0) {
      const { orderId, n } = q[0]!;
      const o = this.open.get(orderId);
      const l = o?.lines[n - 1];
      if (!o || !l || l.state !== 'backordered') { q.shift(); continue; }
      if (this.ledger.available(sku, o.channel) < l.qty) break;
      q.shift();
      this.backordered[sku] = this.backordered[sku]! - l.qty;
      this.ledger.reserve([{ sku, qty: l.qty }], o.channel, now, `order ${o.id}`);
      this.lineEvent(o, l, { type: 'RESERVE', at: now });
      this.releaseQueue.push({ priority: o.priority, seq: o.seq, orderId: o.id, n: l.n });
      this.refreshStatus(o, now);
      filled.push({ orderId, line: n });
    }
    return filled;
  }

  // ---- holds ----------------------------------------------------------------------------------------------

  private liveHold(id: string, now: number): Hold {
    const h = this.holds.get(id);
    if (!h || h.expiresAt <= now) throw new OrderRefusal(404, 'NO_SUCH_HOLD', 'holdId', `no live hold ${id} (it expired or was used)`);
    return h;
  }

  /** Reserves stock for a cart for `ttlSeconds` of simulated time: all lines or none. */
  hold(id: string, channel: Channel, lines: { sku: string; qty: number }[], ttlSeconds: number): Hold {
    if (this.holds.has(id)) throw new OrderRefusal(409, 'ID_CONFLICT', 'id', `hold ${id} exists`);
    if (!(ttlSeconds > 0 && ttlSeconds <= this.maxHoldSeconds)) throw new OrderRefusal(400, 'BAD_REQUEST', 'ttlSeconds', `expected seconds from 1 to ${this.maxHoldSeconds}`);
    const wants = this.wants({ id, channel, lines });
    const shortfall = [...wants].filter(([sku, qty]) => qty > this.availableToPromise(sku, channel))
      .map(([sku, qty]) => ({ sku: this.catalogue.code(sku), requested: qty, available: this.availableToPromise(sku, channel) }));
    if (shortfall.length > 0) throw new OrderRefusal(409, 'INSUFFICIENT_STOCK', 'lines', 'not enough stock to hold', { shortfall });
    const now = this.now();
    this.ledger.reserve([...wants].map(([sku, qty]) => ({ sku, qty })), channel, now, `hold ${id}`);
    const h: Hold = { id, channel, lines: lines.map((l) => ({ ...l })), createdAt: now, expiresAt: now + ttlSeconds };
    this.holds.set(id, h);
    this.holdExpiry.push({ at: h.expiresAt, id });
    this.store.putHold(h);
    return h;
  }

  /** Extends a live hold to `ttlSeconds` from now. */
  extendHold(id: string, ttlSeconds: number): Hold {
    const now = this.now();
    const h = this.liveHold(id, now);
    if (!(ttlSeconds > 0 && ttlSeconds <= this.maxHoldSeconds)) throw new OrderRefusal(400, 'BAD_REQUEST', 'ttlSeconds', `expected seconds from 1 to ${this.maxHoldSeconds}`);
    h.expiresAt = now + ttlSeconds;
    this.holdExpiry.push({ at: h.expiresAt, id });
    this.store.putHold(h);
    return h;
  }

  /** Releases a hold now (the customer left). */
  releaseHold(id: string): void {
    const now = this.now();
    this.dropHold(this.liveHold(id, now), now, 'released');
  }

  private dropHold(h: Hold, now: number, why: string): void {
    const per = new Map<number, number>();
    for (const l of h.lines) { const s = this.catalogue.id(l.sku)!; per.set(s, (per.get(s) ?? 0) + l.qty); }
    for (const [sku, qty] of per) this.ledger.release(sku, qty, now, `hold ${h.id} ${why}`);
    this.holds.delete(h.id);
    this.store.deleteHold(h.id);
    for (const sku of per.keys()) this.fillBackorders(sku, now);
  }

  /** Expires holds whose time is up (call as the simulated clock moves). Returns how many expired. */
  expireHolds(): number {
    const now = this.now();
    let n = 0;
    while (this.holdExpiry.length > 0 && this.holdExpiry.peek()!.at <= now) {
      const { at, id } = this.holdExpiry.pop()!;
      const h = this.holds.get(id);
      // Entries of extended or used holds are stale: only the one matching the hold's expiry counts.
      if (h && h.expiresAt === at) { this.dropHold(h, now, 'expired'); n++; }
    }
    return n;
  }

  // ---- the grid's side ---------------------------------------------------------------------------------------

  /** Takes up to `limit` reserved lines for the grid, in release order, and marks them released. */
  release(limit: number): ReleasableLine[] {
    const out: ReleasableLine[] = [];
    const now = this.now();
    while (out.length < limit && this.releaseQueue.length > 0) {
      const { orderId, n } = this.releaseQueue.pop()!;
      const o = this.open.get(orderId);
      const l = o?.lines[n - 1];
      if (!o || !l || l.state !== 'reserved') continue; // cancelled since
      this.lineEvent(o, l, { type: 'RELEASE', at: now });
      this.refreshStatus(o, now);
      out.push({ orderId, n, sku: this.catalogue.id(l.sku)!, qty: l.qty, channel: o.channel, priority: o.priority });
    }
    return out;
  }

  /**
   * The grid restarted from its scenario (a new run): lines it had been given and not yet started go
   * back to reserved, to be released again.
   */
  requeueReleased(): number {
    const now = this.now();
    let n = 0;
    for (const o of this.open.values()) {
      let changed = false;
      for (const l of o.lines) {
        // A line the old grid had started was never confirmed: it is picked again from the start.
        if (l.state !== 'released' && l.state !== 'picking') continue;
        this.lineEvent(o, l, { type: 'REQUEUE', at: now });
        this.releaseQueue.push({ priority: o.priority, seq: o.seq, orderId: o.id, n: l.n });
        changed = true;
        n++;
      }
      if (changed) this.refreshStatus(o, now);
    }
    return n;
  }

  /** Reserved lines waiting for the grid. */
  get waitingForRelease(): number { return this.releaseQueue.length; }

  /** The grid started picking a released line (its bin is on the way: it can no longer be cancelled). */
  started(orderId: string, n: number): void {
    const o = this.open.get(orderId);
    const l = o?.lines[n - 1];
    if (!o || !l || l.state !== 'released') return;
    const now = this.now();
    this.lineEvent(o, l, { type: 'START', at: now });
    this.refreshStatus(o, now);
  }

  /**
   * A pick confirmation from the port: `picked` units of the line were picked (from `bins`, when known).
   * Fewer than ordered makes the line short; its remaining reservation is released.
   */
  confirmPick(orderId: string, n: number, picked: number, bins?: readonly { bin: number; qty: number }[]): void {
    const o = this.open.get(orderId);
    const l = o?.lines[n - 1];
    if (!o || !l) return;
    const now = this.now();
    if (l.state === 'released') this.lineEvent(o, l, { type: 'START', at: now });
    if (l.state !== 'picking') return;
    const sku = this.catalogue.id(l.sku)!;
    const units = Math.max(0, Math.min(picked, l.qty));
    const ref = `pick ${orderId}/${n}`;
    if (bins && bins.length > 0) for (const b of bins) { if (b.qty > 0) this.ledger.pick(sku, b.qty, now, ref, b.bin); }
    else if (units > 0) this.ledger.pick(sku, units, now, ref);
    if (units < l.qty) this.ledger.release(sku, l.qty - units, now, `short ${orderId}/${n}`);
    this.lineEvent(o, l, units === l.qty ? { type: 'PICKED', at: now, picked: units } : { type: 'SHORT', at: now, picked: units });
    this.refreshStatus(o, now);
  }

  /** Arrival number of the last order placed at the site (0 before the first). */
  get lastOrderSeq(): number { return this.orderSeq; }

  /** Open orders (not shipped, collected or cancelled). */
  get openCount(): number { return this.open.size; }
}
