/**
 * One site in one process: its order layer (OrderService), its WCS (Dispatcher) and its grid (World),
 * coupled tick by tick. Each tick, lines the order layer has reserved go to the WCS as pick lists (one
 * per customer line), pick lists the WCS starts or finishes go back as pick confirmations, and holds
 * expire on the simulated clock. Opening stock is the WCS's seeded bins, so the ledger's on hand equals
 * the bins' from the start; receipts go into bins of the SKU. Not pure: it owns the world.
 */
import { World } from '../../sim/world.ts';
import { Dispatcher, type DispatchOptions } from '../dispatch/dispatcher.ts';
import { Run } from '../run/run.ts';
import { Catalogue } from '../orders/catalogue.ts';
import { QueueFeed } from '../orders/feed.ts';
import { CHANNELS, type OrderStore } from '../orders/records.ts';
import { OrderService } from '../orders/service.ts';
import type { LoadedScenario } from '../scenario/types.ts';

export interface SiteOptions {
  id: string;
  store: OrderStore;
  dispatch?: Partial<DispatchOptions>;
}

export class Site {
  readonly world: World;
  readonly dispatcher: Dispatcher;
  readonly orders: OrderService;
  private readonly feed: QueueFeed;
  /** Pick list (WCS order id) -> customer line. */
  private readonly lineOf = new Map<number, { orderId: string; n: number }>();
  /** Customer line "orderId/n" -> pick list. */
  private readonly pickListOf = new Map<string, number>();
  private nextPickList = 0;
  private readonly ticks: Run;

  constructor(scenario: LoadedScenario, opts: SiteOptions) {
    this.world = new World(scenario.world);
    this.feed = new QueueFeed(CHANNELS);
    this.dispatcher = new Dispatcher(this.world, scenario.wcs, opts.dispatch, this.feed);
    this.ticks = new Run(this.world, this.dispatcher);
    const inv = this.dispatcher.inventory;
    this.orders = new OrderService({
      site: opts.id, catalogue: Catalogue.seeded(scenario.wcs.skus), store: opts.store, clock: () => this.world.seconds,
      grid: {
        withdraw: (orderId, n) => {
          const key = `${orderId}/${n}`;
          const list = this.pickListOf.get(key);
          if (list === undefined) return;
          this.dispatcher.withdraw(list, this.world.tick);
        },
        putaway: (sku, qty) => {
          // Into the bin of the SKU with the least on hand (every SKU has at least one compartment).
          const bin = inv.emptiestBin(sku);
          inv.replenish(bin, sku, qty);
          return [{ bin, qty }];
        },
        bins: (sku) => inv.binsWithSku(sku).map((bin) => ({ bin, onHand: inv.onHandInBin(bin, sku), reserved: inv.reservedInBin(bin, sku) })),
      },
    }, (receive) => {
      for (let bin = 0; bin < inv.binCount; bin++) {
        for (const c of inv.contents(bin)) if (c.sku >= 0 && c.onHand > 0) receive(c.sku, c.onHand, bin);
      }
    });
    this.dispatcher.reporter = {
      started: (list) => {
        const l = this.lineOf.get(list);
        if (l) this.orders.started(l.orderId, l.n);
      },
      done: (list, picked, bins) => {
        const l = this.lineOf.get(list);
        if (!l) return;
        this.lineOf.delete(list);
        this.pickListOf.delete(`${l.orderId}/${l.n}`);
        this.orders.confirmPick(l.orderId, l.n, picked, bins);
      },
    };
  }

  /** Hands every reserved line to the WCS as a pick list of its own. */
  private releaseLines(): void {
    for (const l of this.orders.release(Infinity)) {
      const id = this.nextPickList++;
      this.lineOf.set(id, { orderId: l.orderId, n: l.n });
      this.pickListOf.set(`${l.orderId}/${l.n}`, id);
      this.feed.push({ id, channel: l.channel, createdTick: this.world.tick, lines: [{ sku: l.sku, qty: l.qty }] });
    }
  }

  /** One tick of the site: order layer -> WCS -> grid -> WCS -> order layer. */
  tick(): void {
    this.orders.expireHolds();
    this.releaseLines();
    this.ticks.tick();
  }

  /** Runs `seconds` of simulated time. */
  run(seconds: number): void {
    const end = this.world.tick + Math.round(seconds / this.world.tickSeconds);
    while (this.world.tick < end) this.tick();
  }
}
