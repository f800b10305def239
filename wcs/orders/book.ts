/**
 * The order book: live orders and their lines, each with its machine snapshot, plus running counters
 * and lead times. Orders leave the book when they complete or are cancelled; only counters and a ring of
 * the last N finished orders remain, so a long run's memory stays flat.
 */
import {
  startOrder, startOrderLine, stepOrder, stepOrderLine,
  type OrderEvent, type OrderLineEvent, type OrderLineSnapshot, type OrderLineState, type OrderSnapshot, type OrderState,
} from './machines.ts';
import type { OrderSpec } from './profile.ts';

/** A live order line. `state` and `bin` mirror the snapshot for cheap reads. */
export interface LineRecord {
  readonly id: number;
  readonly orderId: number;
  readonly sku: number;
  readonly qty: number;
  /** The order's createdTick: line lead time is measured from it. */
  readonly createdTick: number;
  state: OrderLineState;
  bin: number;
  snapshot: OrderLineSnapshot;
}

/** A live order. */
export interface OrderRecord {
  readonly id: number;
  readonly channel: number;
  readonly createdTick: number;
  readonly addedTick: number;
  readonly lineIds: readonly number[];
  state: OrderState;
  snapshot: OrderSnapshot;
}

/** What is kept of an order after it leaves the book. */
export interface FinishedOrder {
  id: number; channel: string; createdTick: number; finishedTick: number;
  lines: number; shortLines: number; cancelled: boolean;
}

/** Counters for one channel (and, in `totals`, for all). Lead times in ticks. */
export interface ChannelStats {
  name: string;
  ordersAdded: number; ordersCompleted: number; ordersCancelled: number;
  linesAdded: number; linesPicked: number; linesShort: number; linesCancelled: number; unitsPicked: number;
  orderLeadSum: number; orderLeadMax: number; lineLeadSum: number; lineLeadMax: number;
}

function emptyStats(name: string): ChannelStats {
  return {
    name, ordersAdded: 0, ordersCompleted: 0, ordersCancelled: 0, linesAdded: 0, linesPicked: 0,
    linesShort: 0, linesCancelled: 0, unitsPicked: 0, orderLeadSum: 0, orderLeadMax: 0, lineLeadSum: 0, lineLeadMax: 0,
  };
}

/** Line ids to release stock for after a cancel: they held a reservation in `bin`. */
export interface ReleasedReservation { lineId: number; bin: number; sku: number; qty: number }

/**
 * Orders and lines by id. Line ids are dense and assigned here in creation order. Live records sit in
 * Maps keyed by id: ids retire out of order, and a Map keeps memory proportional to live work while
 * lookups stay O(1) (iteration never relies on Map order). Every mark* call costs O(1) plus one or two
 * xstate transitions; an event the machine does not accept throws BOOK_ILLEGAL_TRANSITION (a dispatcher
 * bug). Not pure: methods mutate the book.
 */
export class OrderBook {
  private readonly lines = new Map<number, LineRecord>();
  private readonly orders = new Map<number, OrderRecord>();
  private nextLineId = 0;
  /** FIFO of line ids that were open when queued; entries that left `open` are skipped lazily. */
  private openQueue: number[] = [];
  private openHead = 0;
  private openLive = 0;
  private readonly channelIndex = new Map<string, number>();
  private readonly channels: ChannelStats[] = [];
  /** Counters over all channels. */
  readonly totals: ChannelStats = emptyStats('*');
  private readonly ring: FinishedOrder[] = [];
  private ringNext = 0;
  private readonly keepFinished: number;

  /** `channels` fixes the order of channel stats (others are appended when first seen). */
  constructor(opts: { channels?: readonly string[]; keepFinished?: number } = {}) {
    for (const c of opts.channels ?? []) this.channelOf(c);
    this.keepFinished = opts.keepFinished ?? 1000;
  }

  private channelOf(name: string): number {
    let i = this.channelIndex.get(name);
    if (i === undefined) { i = this.channels.length; this.channelIndex.set(name, i); this.channels.push(emptyStats(name)); }
    return i;
  }

  /** Adds an order (state open) and its lines (state open, queued FIFO). Returns the record. */
  add(spec: OrderSpec, tick: number): Readonly<OrderRecord> {
    if (spec.lines.length === 0) throw new RangeError(`BOOK_EMPTY_ORDER: ${spec.id}`);
    if (this.orders.has(spec.id)) throw new RangeError(`BOOK_DUPLICATE_ORDER: ${spec.id}`);
    const channel = this.channelOf(spec.channel);
    const lineIds: number[] = [];
    for (const l of spec.lines) {
      const id = this.nextLineId++;
      lineIds.push(id);
      const snapshot = startOrderLine({ lineId: id, orderId: spec.id, sku: l.sku, qty: l.qty });
      this.lines.set(id, { id, orderId: spec.id, sku: l.sku, qty: l.qty, createdTick: spec.createdTick, state: 'open', bin: -1, snapshot });
      this.openQueue.push(id);
      this.openLive++;
    }
    const snapshot = startOrder({ orderId: spec.id, createdTick: spec.createdTick, lineCount: lineIds.length });
    const rec: OrderRecord = { id: spec.id, channel, createdTick: spec.createdTick, addedTick: tick, lineIds, state: 'open', snapshot };
    this.orders.set(spec.id, rec);
    for (const s of [this.channels[channel]!, this.totals]) { s.ordersAdded++; s.linesAdded += lineIds.length; }
    return rec;
  }

  /**
   * Up to `limit` open (unreserved) line ids, oldest first. Costs O(limit + stale entries skipped);
   * stale entries at the head are dropped for good, the rest are compacted once they outnumber live ones.
   */
  openLines(limit = Infinity): number[] {
    const out: number[] = [];
    const q = this.openQueue;
    while (this.openHead < q.length && this.lines.get(q[this.openHead]!)?.state !== 'open') this.openHead++;
    for (let i = this.openHead; i < q.length && out.length < limit; i++) {
      if (this.lines.get(q[i]!)?.state === 'open') out.push(q[i]!);
    }
    return out;
  }

  /** Number of lines in state open. O(1). */
  openLineCount(): number { return this.openLive; }

  /** Orders still in the book (not complete, not cancelled). O(1). */
  openOrderCount(): number { return this.orders.size; }

  /** A live line, or undefined once its order has left the book. */
  line(id: number): Readonly<LineRecord> | undefined { return this.lines.get(id); }

  /** A live order, or undefined once it has left the book. */
  order(id: number): Readonly<OrderRecord> | undefined { return this.orders.get(id); }

  /** Releases an open order to the floor. Reserving or shorting a line of an open order does this implicitly. */
  releaseOrder(orderId: number, tick: number): void {
    this.stepOrderOf(this.mustOrder(orderId), { type: 'RELEASE', tick });
  }

  /** Line open -> reserved on `bin` (the caller has already reserved the stock in Inventory). */
  markReserved(lineId: number, bin: number, tick = -1): void {
    const l = this.mustLine(lineId);
    const e: OrderLineEvent = { type: 'RESERVE', bin, tick };
    this.releaseIfOpen(l, e);
    this.stepLine(l, e);
    l.bin = bin;
  }

  /** A reserved line moves to another bin before picking starts (the caller has moved the stock reservation). */
  rebindLine(lineId: number, bin: number, tick = -1): void {
    const l = this.mustLine(lineId);
    this.stepLine(l, { type: 'RESERVE', bin, tick });
    l.bin = bin;
  }

  /** Line open or picking -> short (no stock, or a short pick); the order counts it done. */
  markShort(lineId: number, tick = -1): void {
    const l = this.mustLine(lineId);
    const e: OrderLineEvent = { type: 'SHORT', tick };
    this.releaseIfOpen(l, e);
    this.stepLine(l, e);
    const s = this.channelStatsOf(l.orderId);
    s.linesShort++; this.totals.linesShort++;
    this.lineDone(l, tick, true);
  }

  /** Line reserved -> picking (its bin task started); the order becomes in_progress. */
  markPicking(lineId: number, tick = -1): void {
    const l = this.mustLine(lineId);
    this.stepLine(l, { type: 'TASK_STARTED', tick });
    this.stepOrderOf(this.mustOrder(l.orderId), { type: 'LINE_STARTED', tick });
  }

  /** Line picking -> picked; records line lead (tick - order created) and, if last, the order's lead. */
  markPicked(lineId: number, tick: number): void {
    const l = this.mustLine(lineId);
    this.stepLine(l, { type: 'PICKED', tick });
    const lead = tick - l.createdTick;
    for (const s of [this.channelStatsOf(l.orderId), this.totals]) {
      s.linesPicked++; s.unitsPicked += l.qty; s.lineLeadSum += lead; s.lineLeadMax = Math.max(s.lineLeadMax, lead);
    }
    this.lineDone(l, tick, false);
  }

  /**
   * Cancels an order whose lines have not started picking: open and reserved lines become cancelled.
   * Returns the reservations the caller must release in Inventory, or null (nothing changed) if the
   * order is not cancellable.
   */
  cancelOrder(orderId: number, tick: number): ReleasedReservation[] | null {
    const o = this.mustOrder(orderId);
    if (!o.snapshot.can({ type: 'CANCEL', tick })) return null;
    const out: ReleasedReservation[] = [];
    for (const id of o.lineIds) {
      const l = this.lines.get(id)!;
      if (l.state !== 'open' && l.state !== 'reserved') continue;
      if (l.state === 'reserved') out.push({ lineId: id, bin: l.bin, sku: l.sku, qty: l.qty });
      this.stepLine(l, { type: 'CANCEL', tick });
      this.channels[o.channel]!.linesCancelled++; this.totals.linesCancelled++;
    }
    this.stepOrderOf(o, { type: 'CANCEL', tick });
    return out;
  }

  /** Per-channel counters, in channel order. Live objects: read only. */
  channelStats(): readonly Readonly<ChannelStats>[] { return this.channels; }

  /** Lines picked so far (all channels). */
  get completedLines(): number { return this.totals.linesPicked; }

  /** Mean line lead time in ticks over picked lines (NaN before the first). */
  meanLineLeadTicks(): number { return this.totals.lineLeadSum / this.totals.linesPicked; }

  /** Mean order lead time in ticks over completed orders (NaN before the first). */
  meanOrderLeadTicks(): number { return this.totals.orderLeadSum / this.totals.ordersCompleted; }

  /** The last `keepFinished` orders that left the book, oldest first (allocates). */
  recentFinished(): FinishedOrder[] {
    return this.ring.length < this.keepFinished ? this.ring.slice() : [...this.ring.slice(this.ringNext), ...this.ring.slice(0, this.ringNext)];
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private mustLine(id: number): LineRecord {
    const l = this.lines.get(id);
    if (l === undefined) throw new RangeError(`BOOK_UNKNOWN_LINE: ${id}`);
    return l;
  }

  private mustOrder(id: number): OrderRecord {
    const o = this.orders.get(id);
    if (o === undefined) throw new RangeError(`BOOK_UNKNOWN_ORDER: ${id}`);
    return o;
  }

  private channelStatsOf(orderId: number): ChannelStats { return this.channels[this.mustOrder(orderId).channel]!; }

  private stepLine(l: LineRecord, e: OrderLineEvent): void {
    const next = stepOrderLine(l.snapshot, e);
    if (next === l.snapshot) throw new RangeError(`BOOK_ILLEGAL_TRANSITION: line ${l.id} ${l.state} ${e.type}`);
    if (l.state === 'open') this.leftOpen();
    l.snapshot = next;
    l.state = next.value;
  }

  private stepOrderOf(o: OrderRecord, e: OrderEvent): void {
    const next = stepOrder(o.snapshot, e);
    if (next === o.snapshot) throw new RangeError(`BOOK_ILLEGAL_TRANSITION: order ${o.id} ${o.state} ${e.type}`);
    o.snapshot = next;
    o.state = next.value;
    if (o.state === 'complete' || o.state === 'cancelled') this.retire(o, e.tick);
  }

  /** Releases the line's order if still open, but only if the line will accept `e` (no half-done marks). */
  private releaseIfOpen(l: LineRecord, e: OrderLineEvent): void {
    const o = this.mustOrder(l.orderId);
    if (o.state !== 'open') return;
    if (!l.snapshot.can(e)) throw new RangeError(`BOOK_ILLEGAL_TRANSITION: line ${l.id} ${l.state} ${e.type}`);
    this.stepOrderOf(o, { type: 'RELEASE', tick: e.tick });
  }

  private lineDone(l: LineRecord, tick: number, short: boolean): void {
    this.stepOrderOf(this.mustOrder(l.orderId), { type: 'LINE_DONE', tick, short });
  }

  /** A line left state open: keep the live count, and compact the queue when stale entries dominate. */
  private leftOpen(): void {
    this.openLive--;
    const stale = this.openQueue.length - this.openHead - this.openLive;
    if (stale > 1024 && stale > this.openLive) {
      this.openQueue = this.openQueue.slice(this.openHead).filter((id) => this.lines.get(id)?.state === 'open');
      this.openHead = 0;
    }
  }

  /** The order finished: record lead time, keep a summary in the ring, drop its details. */
  private retire(o: OrderRecord, tick: number): void {
    const cancelled = o.state === 'cancelled';
    const s = this.channels[o.channel]!;
    if (cancelled) {
      s.ordersCancelled++; this.totals.ordersCancelled++;
    } else {
      const lead = tick - o.createdTick;
      for (const t of [s, this.totals]) { t.ordersCompleted++; t.orderLeadSum += lead; t.orderLeadMax = Math.max(t.orderLeadMax, lead); }
    }
    const summary: FinishedOrder = {
      id: o.id, channel: s.name, createdTick: o.createdTick, finishedTick: tick,
      lines: o.lineIds.length, shortLines: o.snapshot.context.short, cancelled,
    };
    if (this.keepFinished > 0) {
      if (this.ring.length < this.keepFinished) this.ring.push(summary);
      else this.ring[this.ringNext] = summary;
      this.ringNext = (this.ringNext + 1) % this.keepFinished;
    }
    for (const id of o.lineIds) this.lines.delete(id);
    this.orders.delete(o.id);
  }
}
