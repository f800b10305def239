/**
 * Order feeds: where the dispatcher's orders come from. The scenario's synthetic profile (a standing
 * backlog or seeded Poisson arrivals) is one feed; a replay of real order history is another; the order
 * API will be a third. A feed is asked once per tick for the orders that arrive in it. Not pure: a feed
 * owns its position in time and its random streams.
 */
import type { RngState } from '../../sim/rng.ts';
import type { WcsConfig } from '../scenario/types.ts';
import type { ImportedOrder } from './import.ts';
import { OrderSource, type OrderSpec } from './profile.ts';

export interface OrderFeed {
  /** Channel names the feed's orders may carry (for per-channel statistics). */
  readonly channels: readonly string[];
  /**
   * Whether a line that finds no stock gets it topped up (a replenishment) instead of going short:
   * true where the run measures the grid's capacity rather than the site's stock.
   */
  readonly topUp: boolean;
  /**
   * Hands `add` the orders arriving in tick t (called once per tick, t ascending). `openOrders` is the
   * number of orders in the book now; `nextId` numbers each new order.
   */
  intake(t: number, tickSeconds: number, openOrders: number, nextId: () => number, add: (order: OrderSpec) => void): void;
}

/**
 * The scenario's synthetic profile. Backlog mode keeps `backlog` orders open at all times (stock topped
 * up: a capacity measure); arrivals mode adds seeded Poisson arrivals (stock runs out like a real site's).
 */
export class ProfileFeed implements OrderFeed {
  readonly source: OrderSource;
  readonly channels: readonly string[];
  readonly topUp: boolean;

  constructor(private readonly cfg: WcsConfig, rng: RngState, private readonly backlog: number) {
    this.source = new OrderSource(cfg.orders, cfg.skus, rng);
    this.channels = this.source.channels;
    this.topUp = cfg.orders.mode === 'backlog';
  }

  intake(t: number, tickSeconds: number, openOrders: number, nextId: () => number, add: (order: OrderSpec) => void): void {
    if (this.cfg.orders.mode === 'backlog') {
      // Orders stay in the book until complete, so this bounds all work in the system.
      for (let open = openOrders; open < this.backlog; open++) add(this.source.nextOrder(nextId(), t));
      return;
    }
    for (const at of this.source.arrivalsBetween(t, t + 1, tickSeconds)) add(this.source.nextOrder(nextId(), at));
  }
}

/**
 * A replay of imported order history: each order arrives at its creation time (seconds after the file's
 * first order, from tick 0), with its lines on the scenario's SKUs. Stock is topped up when a line finds
 * none, since the scenario's synthetic stock knows nothing of the history's.
 */
export class ReplayFeed implements OrderFeed {
  readonly channels: readonly string[];
  readonly topUp = true;
  /** The external id of each order the feed has handed out, by its numeric id. */
  readonly externalId = new Map<number, string>();
  private next = 0;

  constructor(private readonly orders: readonly ImportedOrder[]) {
    this.channels = [...new Set(orders.map((o) => o.channel))].sort();
  }

  /** Orders not yet handed out. */
  get remaining(): number { return this.orders.length - this.next; }

  intake(t: number, tickSeconds: number, _open: number, nextId: () => number, add: (order: OrderSpec) => void): void {
    const end = (t + 1) * tickSeconds;
    while (this.next < this.orders.length && this.orders[this.next]!.createdSeconds < end) {
      const o = this.orders[this.next++]!;
      const id = nextId();
      this.externalId.set(id, o.id);
      add({ id, channel: o.channel, createdTick: t, lines: o.lines.map((l) => ({ sku: l.sku, qty: l.qty })) });
    }
  }
}

/**
 * Orders handed in from outside (the order layer's released lines): each pushed order arrives at the
 * next intake. Stock is real: nothing is topped up, a line no bin covers is split over bins.
 */
export class QueueFeed implements OrderFeed {
  readonly topUp = false;
  private queue: OrderSpec[] = [];

  constructor(readonly channels: readonly string[]) {}

  /** Queues an order (its id is given by the caller; its createdTick is set at intake). */
  push(order: OrderSpec): void { this.queue.push(order); }

  get length(): number { return this.queue.length; }

  intake(t: number, _tickSeconds: number, _open: number, _nextId: () => number, add: (order: OrderSpec) => void): void {
    if (this.queue.length === 0) return;
    const q = this.queue;
    this.queue = [];
    for (const o of q) add({ ...o, createdTick: t });
  }
}
