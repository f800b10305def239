/**
 * The order store in memory: for tests and headless runs. Everything it is given is kept (orders as
 * copies, so callers cannot change stored records by accident); flush resolves at once. Not durable.
 */
import type { Movement } from './ledger.ts';
import type { Hold, OrderEvent, OrderQuery, OrderRecord, OrderStore, StockPolicy, StoredState } from './records.ts';

const FINISHED = new Set(['shipped', 'collected', 'cancelled']);

export class MemoryStore implements OrderStore {
  private readonly orders = new Map<string, OrderRecord>();
  /** Orders by seq, for listing (seq is dense from 1). */
  private readonly bySeq: OrderRecord[] = [];
  private readonly eventsByOrder = new Map<string, OrderEvent[]>();
  private readonly movements: Movement[] = [];
  private readonly holds = new Map<string, Hold>();
  private readonly policies = new Map<number, StockPolicy>();
  private lastEvent = 0;
  private clock = 0;

  load(): StoredState {
    return {
      openOrders: this.bySeq.filter((o) => o && !FINISHED.has(o.status)).map((o) => structuredClone(o)),
      movements: this.movements,
      holds: [...this.holds.values()].map((h) => structuredClone(h)),
      policies: [...this.policies.values()].map((p) => structuredClone(p)),
      lastOrderSeq: this.bySeq.length,
      lastEventSeq: this.lastEvent,
      clock: this.clock,
    };
  }

  getOrder(id: string): OrderRecord | undefined {
    const o = this.orders.get(id);
    return o && structuredClone(o);
  }

  listOrders(q: OrderQuery): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (let s = Math.min(q.after !== undefined ? q.after - 1 : this.bySeq.length, this.bySeq.length); s >= 1 && out.length < q.limit; s--) {
      const o = this.bySeq[s - 1]!;
      if (q.status && o.status !== q.status) continue;
      if (q.channel && o.channel !== q.channel) continue;
      if (q.from !== undefined && o.createdAt < q.from) continue;
      if (q.to !== undefined && o.createdAt >= q.to) continue;
      out.push(structuredClone(o));
    }
    return out;
  }

  events(orderId: string): OrderEvent[] {
    return (this.eventsByOrder.get(orderId) ?? []).map((e) => ({ ...e }));
  }

  journal(sku: number, afterSeq: number, limit: number): Movement[] {
    const out: Movement[] = [];
    for (const m of this.movements) {
      if (m.sku === sku && m.seq > afterSeq) out.push({ ...m });
      if (out.length >= limit) break;
    }
    return out;
  }

  putOrder(o: OrderRecord): void {
    const copy = structuredClone(o);
    this.orders.set(o.id, copy);
    this.bySeq[o.seq - 1] = copy;
    this.clock = Math.max(this.clock, o.updatedAt);
  }

  /** The order's seq is not needed here: events are kept by order id. */
  addEvent(e: OrderEvent, _orderSeq?: number): void {
    let list = this.eventsByOrder.get(e.orderId);
    if (!list) this.eventsByOrder.set(e.orderId, (list = []));
    list.push({ ...e });
    this.lastEvent = Math.max(this.lastEvent, e.seq);
    this.clock = Math.max(this.clock, e.at);
  }

  addMovement(m: Movement): void {
    this.movements.push({ ...m });
    this.clock = Math.max(this.clock, m.at);
  }

  putHold(h: Hold): void { this.holds.set(h.id, structuredClone(h)); }

  deleteHold(id: string): void { this.holds.delete(id); }

  putPolicy(p: StockPolicy): void { this.policies.set(p.sku, structuredClone(p)); }

  flush(): Promise<void> { return Promise.resolve(); }

  close(): void {}
}
