/**
 * The live site's order layer, in the server's main thread, coupled to the WCS in the simulation's
 * worker (./sim-client.ts): with every frame it takes the worker's pick notes (pick lists started, done
 * with the units per bin) as pick confirmations, expires holds on the simulated clock, places the
 * scenario's synthetic demand (when asked), releases reserved lines to the WCS as pick lists, and makes
 * it all durable (one group commit per frame at most).
 *
 * Synthetic demand is the scenario's order profile placed as real orders through the order layer (ids
 * `sim-N`, the profile's channels): in backlog mode a standing number of open orders, stock topped up
 * by receipts when a SKU runs short; in arrivals mode seeded Poisson arrivals, refused when stock is
 * short (lost sales, counted). Synthetic orders are shipped (or collected) as soon as they are complete.
 *
 * A restart (a new server over the same data) rebuilds the order layer from its store; the grid starts
 * from its scenario, so the bins are brought to the ledger's stock (per SKU) and every released line is
 * released again. Not pure: it owns the coupling.
 */
import { createRng, streamSeed } from '../../sim/rng.ts';
import { Grid } from '../../sim/grid.ts';
import { firstLookahead } from '../dispatch/dispatcher.ts';
import { Catalogue, seededSkuCode } from '../orders/catalogue.ts';
import { OrderSource, type OrderSpec } from '../orders/profile.ts';
import { CHANNELS, type Channel, type OrderStore } from '../orders/records.ts';
import { OrderRefusal, OrderService } from '../orders/service.ts';
import type { LoadedScenario } from '../scenario/types.ts';
import type { PickListIn } from './live.ts';
import type { SimClient, SimLog } from './sim-client.ts';
import type { FrameEvent } from './sim-protocol.ts';
import type { BinWhere, SkuBin } from '../protocol.ts';

/** Lines released to the WCS in one turn of the event loop (see release). */
const RELEASE_CHUNK = 128;
/** The WCS holds at most this many times the look-ahead it starts with in lines (see releaseWindowOf)... */
const RELEASE_WINDOW_LOOKAHEADS = 4;
/** ...and never fewer than this many. */
const MIN_RELEASE_WINDOW = 2000;

/** Salt of the synthetic demand's random stream (see streamSeed). */
const DEMAND_STREAM = 8;

export interface SiteOrdersOptions {
  /** Place the scenario's order profile as synthetic orders ('profile') or only orders from outside ('none'). */
  demand: 'profile' | 'none';
  log?: SimLog;
  /** Called when the store cannot make writes durable: the server must stop (its memory is ahead of its store). */
  onStoreFailure?: (e: unknown) => void;
}

/** GET /api/orders/:id/where: each customer line with its WCS lines and their bins (see SiteOrders.where). */
export interface OrderWhere {
  id: string;
  status: string;
  lines: { n: number; sku: string; qty: number; state: string; picked: number; inWcs: boolean; picks: { qty: number; state: string; bin: BinWhere | null }[] }[];
}

export class SiteOrders {
  readonly service: OrderService;
  /** Synthetic orders placed, refused for stock (arrivals mode), and top-up receipts (backlog mode). */
  readonly synthetic = { placed: 0, refused: 0, topUps: 0 };
  private readonly lineOf = new Map<number, { orderId: string; n: number }>();
  private readonly listOf = new Map<string, number>();
  private nextList = 1;
  private run = '';
  private readonly source: OrderSource | undefined;
  private readonly backlog: number;
  private demandTick = 0;
  private syntheticOpen = 0;
  private flushing: Promise<void> | undefined;
  private releaseScheduled = false;
  private closed = false;
  /** Most lines in the WCS at once (released, not yet picked or short): see releaseWindowOf. */
  readonly releaseWindow: number;

  private constructor(
    private readonly client: SimClient,
    private readonly scenario: LoadedScenario,
    store: OrderStore,
    stock: number[],
    private readonly opts: SiteOrdersOptions,
  ) {
    const wcs = scenario.wcs;
    const lookahead = firstLookahead(new Grid(scenario.world), scenario.world, wcs);
    this.releaseWindow = releaseWindowOf(lookahead);
    this.service = new OrderService({
      site: scenario.world.name, catalogue: Catalogue.seeded(wcs.skus), store, clock: () => client.state.simSeconds,
      grid: {
        withdraw: (orderId, n) => {
          const list = this.listOf.get(`${orderId}/${n}`);
          if (list !== undefined) client.withdraw(list);
        },
        stockChanged: (sku, delta) => client.adjustStock(sku, delta),
      },
    }, (receive) => stock.forEach((q, sku) => { if (q > 0) receive(sku, q); }));
    // The grid starts from its scenario: bring its bins to the ledger's stock (after a restart they differ).
    this.reconcile(stock);
    if (opts.demand === 'profile') {
      this.source = new OrderSource(wcs.orders, wcs.skus, createRng(streamSeed(wcs.seed, DEMAND_STREAM)));
      this.backlog = wcs.orders.mode === 'backlog' ? backlogOf(scenario, lookahead) : 0;
      // Synthetic orders leave as soon as they are complete.
      this.service.subscribe((e) => {
        if (e.type !== 'order.status' || !e.orderId.startsWith('sim-')) return;
        if (e.to === 'complete') {
          queueMicrotask(() => {
            const o = this.service.get(e.orderId);
            if (o?.status === 'complete') this.service.dispatch(o.id, o.channel === 'click-and-collect' ? 'collected' : 'shipped');
          });
        }
        if (e.to === 'shipped' || e.to === 'collected' || e.to === 'cancelled') this.syntheticOpen--;
      });
      for (const o of store.listOrders({ limit: 1_000_000 })) {
        if (o.id.startsWith('sim-') && !['shipped', 'collected', 'cancelled'].includes(o.status)) this.syntheticOpen++;
      }
    } else {
      this.source = undefined;
      this.backlog = 0;
    }
  }

  /** Couples an order layer over `store` to the running simulation (in order mode). */
  static async open(client: SimClient, scenario: LoadedScenario, store: OrderStore, opts: SiteOrdersOptions): Promise<SiteOrders> {
    const stock = await client.stock();
    const site = new SiteOrders(client, scenario, store, stock, opts);
    site.run = client.state.run;
    site.demandTick = client.state.tick;
    return site;
  }

  private reconcile(gridStock: readonly number[]): void {
    const ledger = this.service.ledger;
    for (let sku = 0; sku < gridStock.length; sku++) {
      const delta = ledger.onHand[sku]! - gridStock[sku]!;
      if (delta !== 0) this.client.adjustStock(sku, delta);
    }
  }

  /**
   * The simulation was loaded again (a new run: the grid restarted from its scenario): pick lists are
   * forgotten, released lines go back to be released again, the bins are brought to the ledger's stock.
   */
  async restarted(): Promise<void> {
    this.lineOf.clear();
    this.listOf.clear();
    this.service.requeueReleased();
    this.reconcile(await this.client.stock());
    this.run = this.client.state.run;
    this.demandTick = this.client.state.tick;
  }

  /** One frame of the worker: confirmations in, demand, releases out, then a group commit. */
  onFrame(e: FrameEvent): void {
    if (e.state.run !== this.run) return; // frames of a run being replaced; restarted() re-attaches
    for (const p of e.picks ?? []) {
      const line = this.lineOf.get(p.list);
      if (!line) continue;
      if (p.started) { this.service.started(line.orderId, line.n); continue; }
      this.lineOf.delete(p.list);
      this.listOf.delete(`${line.orderId}/${line.n}`);
      this.service.confirmPick(line.orderId, line.n, p.picked ?? 0, p.bins);
    }
    this.service.expireHolds();
    if (this.source) this.placeDemand(e.state.tick);
    this.release();
    this.commit();
  }

  /**
   * Hands the reserved lines to the WCS, each as a pick list of its own, while the WCS holds fewer than
   * `releaseWindow` lines: RELEASE_CHUNK lines now, the rest in later turns of the event loop (a burst of
   * orders is thousands of lines: answers to requests go between the chunks instead of waiting for all
   * of them). Lines beyond the window stay reserved in the order layer (still cancellable at once) and
   * go as the grid picks: each frame releases again. So a burst of orders costs its intake only, the WCS
   * never holds more than it can plan with, and its thread's memory stays bounded.
   */
  release(): void {
    if (this.releaseScheduled) return;
    const room = this.releaseWindow - this.lineOf.size;
    if (room <= 0) return;
    const lists: PickListIn[] = [];
    for (const l of this.service.release(Math.min(RELEASE_CHUNK, room))) {
      const list = this.nextList++;
      this.lineOf.set(list, { orderId: l.orderId, n: l.n });
      this.listOf.set(`${l.orderId}/${l.n}`, list);
      lists.push({ list, sku: l.sku, qty: l.qty, channel: l.channel });
    }
    if (lists.length > 0) this.client.sendPickLists(lists);
    if (this.service.waitingForRelease > 0 && this.lineOf.size < this.releaseWindow) {
      this.releaseScheduled = true;
      const run = this.run;
      setImmediate(() => {
        this.releaseScheduled = false;
        // A restart in between requeued the lines for the new run, which releases them itself.
        if (this.run !== run || this.client.state.run !== run || this.closed) return;
        this.release();
        this.commit();
      });
    }
  }

  /**
   * Where each line of order `orderId` is (undefined: no such order): lines the WCS holds with their
   * WCS lines (a split line is several), each with its bin, where that bin is and the task bringing it
   * to a port (robot, port). Lines not in the WCS (not released yet, or done) carry only their state.
   */
  async where(orderId: string): Promise<OrderWhere | undefined> {
    const o = this.service.get(orderId);
    if (!o) return undefined;
    const lists = o.lines.map((l) => this.listOf.get(`${o.id}/${l.n}`));
    const held = lists.filter((l): l is number => l !== undefined);
    const wcs = new Map((held.length > 0 ? await this.client.pickLists(held) : []).map((w) => [w.list, w]));
    return {
      id: o.id, status: o.status,
      lines: o.lines.map((l, i) => {
        const w = lists[i] !== undefined ? wcs.get(lists[i]!) : undefined;
        return {
          n: l.n, sku: l.sku, qty: l.qty, state: l.state, picked: l.picked, inWcs: w?.inWcs ?? false,
          picks: (w?.lines ?? []).map((p) => ({ qty: p.qty, state: p.state, bin: p.bin })),
        };
      }),
    };
  }

  /** The bins holding SKU id `sku` in the grid, with units and where each bin is. */
  skuBins(sku: number): Promise<SkuBin[]> { return this.client.skuBins(sku); }

  /** Stops releasing (the server is closing). */
  close(): void { this.closed = true; }

  private commit(): void {
    if (this.flushing) return;
    this.flushing = this.service.flush().then(() => { this.flushing = undefined; }, (err: unknown) => {
      this.flushing = undefined;
      this.opts.log?.error({ err }, 'order store failed to commit');
      this.opts.onStoreFailure?.(err);
    });
  }

  private placeDemand(tick: number): void {
    const source = this.source!;
    const tickSeconds = this.scenario.world.tickSeconds;
    if (this.scenario.wcs.orders.mode === 'backlog') {
      while (this.syntheticOpen < this.backlog) this.placeSynthetic(source.nextOrder(0, tick), true);
    } else if (tick > this.demandTick) {
      for (const at of source.arrivalsBetween(this.demandTick, tick, tickSeconds)) this.placeSynthetic(source.nextOrder(0, at), false);
    }
    this.demandTick = tick;
  }

  private placeSynthetic(spec: OrderSpec, topUp: boolean): void {
    // Named after the order's arrival number at the site: unique across restarts.
    const id = `sim-${this.service.lastOrderSeq + 1}`;
    // The profile's channel names map onto the order layer's; others are web orders.
    const channel = (CHANNELS as readonly string[]).includes(spec.channel) ? spec.channel as Channel : 'web';
    const req = { id, channel, lines: spec.lines.map((l) => ({ sku: seededSkuCode(l.sku), qty: l.qty })) };
    try {
      this.service.place(req);
    } catch (e) {
      if (!(e instanceof OrderRefusal) || e.code !== 'INSUFFICIENT_STOCK') throw e;
      if (!topUp) { this.synthetic.refused++; return; }
      // Backlog mode measures the grid, not the stock: short SKUs get a receipt (a top-up), then the order.
      const max = this.scenario.wcs.unitsPerBin.max;
      for (const s of (e.detail as { shortfall: { sku: string; requested: number; available: number }[] }).shortfall) {
        this.service.receive(s.sku, s.requested - s.available + max, 'top-up');
        this.synthetic.topUps++;
      }
      this.service.place(req);
    }
    this.synthetic.placed++;
    this.syntheticOpen++;
  }
}

/**
 * Most lines the order layer keeps in the WCS: RELEASE_WINDOW_LOOKAHEADS times the look-ahead the
 * dispatcher starts with (its tasks for lookaheadSeconds of port work, each at least a line), at least
 * MIN_RELEASE_WINDOW: the dispatcher plans from these (and may join lines of one bin), so it always has
 * more than its look-ahead takes. Polaris: 8,892 lines; Thalia: 69,248. Pure.
 */
export function releaseWindowOf(firstLookaheadTasks: number): number {
  return Math.max(MIN_RELEASE_WINDOW, RELEASE_WINDOW_LOOKAHEADS * firstLookaheadTasks);
}

/**
 * Synthetic backlog: as many open orders as the WCS's first look-ahead (`firstLookaheadTasks`, see
 * firstLookahead) takes plus four lines per robot, as the headless dispatcher keeps. Pure.
 */
export function backlogOf(sc: LoadedScenario, firstLookaheadTasks: number): number {
  const o = sc.wcs.orders;
  if (o.backlogOrders > 0) return o.backlogOrders;
  return Math.ceil((firstLookaheadTasks + sc.world.robotCount * 4) / Math.max(1, o.linesPerOrder.mean));
}
