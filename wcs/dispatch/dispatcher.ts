/**
 * Warehouse control v0: turns order lines into bin tasks and bin tasks into robot work.
 *
 * - Intake: backlog mode keeps enough open lines that ports never starve; arrivals mode adds orders as
 *   they arrive (seeded Poisson with an hourly profile).
 * - Release (look-ahead): open lines, oldest first, get stock reserved on a bin (shallow and near a port
 *   first) until `lookaheadSeconds` of work at the rate the grid is expected to achieve is queued as
 *   tasks (AutoStore's guidance: about 500 tasks for 1,000 bins an hour). Lines needing the same bin
 *   share one task (one presentation).
 * - Assignment: each free robot takes, from the oldest pending tasks, the one cheapest to start (drive to
 *   the bin plus digging), and the task gets the port with the least work queued (ties: nearest).
 *   A port takes as many robots heading for it as keep it fed: its queue, plus the robots on the way
 *   that arrive within one trip at its pace (trip time / its cycle, both measured as the run goes),
 *   plus `inboundExtra`.
 * - Pace: each port's cycle (the operator's time per presentation, at least the minimum cycle) and the
 *   fetch trip (assignment to presentation) are running averages of what the run shows, started from
 *   estimates (the station model with one line; the grid's mean distance to a port).
 * - Collection: a port with finished bins and nobody coming gets a robot to take them back.
 * - Rest: a robot left without work for `restAfterSeconds` drives to a rest cell away from the ports
 *   (a sparse lattice, every other cell of every other row, so that rested robots never wall anyone in)
 *   instead of waiting where its last job ended, which is usually next to a port approach.
 *
 * Release, bin choice, port choice, assignment, rebinding, collection and rest are named policies
 * (./policies.ts), chosen by the scenario and the options, or swapped whole by a benchmark
 * (DispatchOptions.policies); the dispatcher keeps the tasks, ports and stock they work with, and the
 * means they share (available, start, binDepth, takesRobots, ...).
 *
 * Reads the world only through its read-only view; acts only through commands. Not pure (owns the order
 * book, inventory and tasks).
 */
import type { PortConfig, WorldConfig } from '../../sim/config.ts';
import type { Command, WorldEvent } from '../../sim/events.ts';
import { Job, Phase } from '../../sim/robots.ts';
import { MAX_WORK } from '../../sim/step.ts';
import type { GridView, WorldView } from '../../sim/world-view.ts';
import { createRng, forkRng, streamSeed, type RngState } from '../../sim/rng.ts';
import { Inventory } from '../inventory/inventory.ts';
import { effectiveCycleSeconds } from '../run/bounds.ts';
import { OrderBook } from '../orders/book.ts';
import { ProfileFeed, type OrderFeed } from '../orders/feed.ts';
import type { OrderSpec } from '../orders/profile.ts';
import type { WcsConfig } from '../scenario/types.ts';
import { ASSIGNMENT, BIN_CHOICE, COLLECTION, PORT_CHOICE, REBINDING, RELEASE, REST, RETURNS, STAGING, VACATE, type DispatchPolicies } from './policies.ts';
import { TaskTable, type BinTask } from './tasks.ts';

export interface DispatchOptions {
  /** Robots allowed to head for one port beyond its queue and the robots its pace needs on the way. */
  inboundExtra: number;
  /** Pending tasks a free robot looks at (oldest first). */
  window: number;
  /** Seconds a robot may stand idle before it goes to rest away from the ports; 0: never. */
  restAfterSeconds: number;
  /** Just-in-time binding of single-line tasks (the 'just-in-time' rebinding policy; false: 'none'). */
  rebind: boolean;
  /**
   * Policies to use instead of those the scenario and the options above select (see ./policies.ts):
   * a benchmark swaps one here.
   */
  policies?: Partial<DispatchPolicies>;
}

/**
 * What the WCS tells an order layer about its pick lists (the orders of the book): when the first line
 * starts (its bin is on the way: the pick list is frozen) and when every line is done, with the units
 * picked per bin (a short line picked none).
 */
export interface PickReporter {
  started(orderId: number, tick: number): void;
  done(orderId: number, picked: number, bins: readonly { bin: number; qty: number }[], tick: number): void;
}

/** Salt of the WCS's random stream (see streamSeed). */
const WCS_STREAM = 7;

export const DEFAULT_DISPATCH: DispatchOptions = { inboundExtra: 1, window: 96, restAfterSeconds: 20, rebind: true };

/** Weight of a new observation in the running averages of a port's cycle and of the fetch trip. */
const PACE_WEIGHT = 1 / 16;
/** Weight of a new gap between two presentations (anywhere on the grid) in the achieved rate. */
const RATE_WEIGHT = 1 / 256;
/** Presentations seen before the achieved rate replaces the estimate. */
const RATE_AFTER = 64;
/** Finished bins are collected, and idle robots sent to rest, once every this many ticks (at offsets 0 and half). */
const HOUSEKEEPING_TICKS = 10;
/** Backlog mode: orders kept in the book, in look-ahead lines plus this many lines a robot. */
const BACKLOG_LINES_PER_ROBOT = 4;

export class Dispatcher {
  readonly cfg: WcsConfig;
  readonly opts: DispatchOptions;
  readonly inventory: Inventory;
  readonly book: OrderBook;
  /** Where orders come from: the scenario's profile unless another feed is injected. */
  readonly feed: OrderFeed;
  readonly tasks: TaskTable;
  /** Tasks with no robot yet, oldest first. */
  pending: BinTask[] = [];
  /** Per port: tasks assigned and not yet presented; robots sent to collect. */
  readonly portAssigned: Int32Array;
  readonly portCollectors: Int32Array;
  /** Port a robot was sent to collect from, or -1. */
  readonly collectorPort: Int32Array;
  /** Per port: running average of ticks per presentation (the operator's time, at least the minimum cycle). */
  readonly portCycle: Float64Array;
  /** Running average of ticks from a fetch's assignment to its bin's presentation. */
  tripTicks: number;
  /** Per port: tick of the presentation under way (-1: none). */
  private readonly presentedAt: Int32Array;
  /** Tick each fetch was assigned, by task id, until its bin is presented. */
  private readonly assignedAt = new Map<number, number>();
  /** Running average of ticks between two presentations on the grid (the achieved rate), and how many were seen. */
  private presentGap = 0;
  private presentations = 0;
  private lastPresented = -1;
  /** The look-ahead as first estimated (sizes the backlog of synthetic orders). */
  readonly initialLookahead: number;
  /** Backlog mode: orders kept in the book (open or in progress). */
  readonly backlogOrders: number;
  private nextOrderId = 0;
  private nextCollectTask = -2;
  /** Whether the world has been given the home areas and staging cells. */
  private configured = false;
  /** The decisions, as named policies (./policies.ts). */
  readonly policies: DispatchPolicies;
  private readonly rng: RngState;
  /** Per cell, cells to the nearest port (Manhattan): bin choice prefers bins near a port. */
  private readonly portDist: Uint16Array;
  /** Rest cells, as a list and as a per-cell mask. */
  readonly restCells: Int32Array;
  readonly restMask: Uint8Array;
  /** Scratch for assignment: available robots; per pending task in the window, fixed cost and port. */
  readonly freeRobots: number[] = [];
  readonly taskCost = new Float64Array(256);
  readonly taskPort = new Int32Array(256);
  /** Robots whose job ended since the vacate policy last looked (it keeps those it could not move yet). */
  readonly leftIdle: number[] = [];
  /** Per robot, the tick it was first seen idle (-1: busy). */
  readonly idleSince: Int32Array;
  /** Lines short of stock (arrivals mode). */
  shortLines = 0;
  replenished = 0;
  /** Lines moved to a better bin just before their task could start. */
  rebound = 0;
  /** Order lines split over several bins at intake because no single bin held the quantity. */
  splitLines = 0;
  /** Set by an order layer that wants pick confirmations (the live site); nothing is tallied without it. */
  reporter?: PickReporter;
  /** Per pick list with a reporter: units picked and bins, and whether its start was reported. */
  private readonly tally = new Map<number, { started: boolean; picked: number; bins: { bin: number; qty: number }[] }>();
  /** Tasks on their way to a port whose lines changed since their fetch: their bins' work is sent again. */
  readonly workDirty = new Set<BinTask>();
  /** Pick lists withdrawn after picking started: their units are put back, not booked. */
  private readonly withdrawn = new Set<number>();

  /**
   * @param feed the order feed; by default the scenario's synthetic profile (seeded from the WCS's own
   *   stream, so the same scenario and seed give the same orders).
   */
  constructor(w: WorldView, cfg: WcsConfig, opts: Partial<DispatchOptions> = {}, feed?: OrderFeed) {
    this.cfg = cfg;
    this.opts = { ...DEFAULT_DISPATCH, ...opts };
    this.policies = {
      release: RELEASE['look-ahead'], binChoice: BIN_CHOICE['shallow-near-port'], portChoice: PORT_CHOICE['least-work'],
      assignment: ASSIGNMENT[cfg.assignment], rebinding: this.opts.rebind ? REBINDING['just-in-time'] : REBINDING.none,
      collection: COLLECTION.nearest, rest: this.opts.restAfterSeconds > 0 ? REST.lattice : REST.none,
      returns: RETURNS[cfg.returnPolicy], staging: cfg.portStaging ? STAGING['near-port'] : STAGING.none,
      vacate: VACATE['nearest-parking'],
      ...this.opts.policies,
    };
    // The WCS's own stream, from the run's seed: building a dispatcher draws nothing from the world's.
    this.rng = createRng(streamSeed(cfg.seed, WCS_STREAM));
    this.inventory = Inventory.seed(w.binCell.length, {
      skus: cfg.skus, unitsPerBin: cfg.unitsPerBin, compartments: cfg.compartments, slotsPerSku: cfg.slotsPerSku, skew: cfg.orders.skew,
    }, forkRng(this.rng, 1));
    this.tasks = new TaskTable(w.binCell.length);
    this.portAssigned = new Int32Array(w.ports.length);
    this.portCollectors = new Int32Array(w.ports.length);
    this.collectorPort = new Int32Array(w.robots.count).fill(-1);
    const g = w.grid;
    this.portDist = new Uint16Array(g.cells);
    for (let c = 0; c < g.cells; c++) {
      let d = 0xffff;
      for (const p of w.cfg.ports) d = Math.min(d, Math.abs(p.x - (c % g.width)) + Math.abs(p.y - ((c / g.width) | 0)));
      this.portDist[c] = d;
    }
    this.portCycle = Float64Array.from(w.cfg.ports, (p) => firstCycleSeconds(p, cfg) / w.tickSeconds);
    this.presentedAt = new Int32Array(w.ports.length).fill(-1);
    this.tripTicks = tripSecondsEstimate(w.grid, w.cfg) / w.tickSeconds;
    this.initialLookahead = this.lookahead(w);
    // Rest cells: parking cells on the lattice, at least a quarter of the grid's greatest port distance
    // from every port.
    let far = 0;
    for (let c = 0; c < g.cells; c++) if (g.isParking(c)) far = Math.max(far, this.portDist[c]!);
    const rest: number[] = [];
    for (let c = 0; c < g.cells; c++) {
      const x = c % g.width, y = (c / g.width) | 0;
      if ((x & 1) === 0 && (y & 1) === 0 && g.isParking(c) && this.portDist[c]! * 4 >= far) rest.push(c);
    }
    this.restCells = Int32Array.from(rest);
    this.restMask = new Uint8Array(g.cells);
    for (const c of rest) this.restMask[c] = 1;
    this.idleSince = new Int32Array(w.robots.count).fill(-1);
    this.backlogOrders = cfg.orders.backlogOrders > 0
      ? cfg.orders.backlogOrders
      : Math.ceil((this.initialLookahead + w.robots.count * BACKLOG_LINES_PER_ROBOT) / Math.max(1, cfg.orders.linesPerOrder.mean));
    // The profile's rng stream is forked even when another feed is injected, so that the rest of the
    // WCS draws the same numbers whatever the feed.
    const profileRng = forkRng(this.rng, 2);
    this.feed = feed ?? new ProfileFeed(cfg, profileRng, this.backlogOrders);
    this.book = new OrderBook({ channels: this.feed.channels });
  }

  /** React to one step's events and return the commands for the next step. */
  control(w: WorldView, events: readonly WorldEvent[]): Command[] {
    const t = w.tick;
    for (const e of events) this.onEvent(w, e);
    this.intake(t, w.tickSeconds);
    this.release(w, t);
    const cmds: Command[] = [];
    if (!this.configured) {
      // The world learns once where bins go back to and where robots wait for ports.
      this.policies.returns.homes(this, w, cmds);
      this.policies.staging.staging(this, w, cmds);
      this.configured = true;
    }
    this.policies.assignment.assign(this, w, t, cmds);
    if (t % HOUSEKEEPING_TICKS === 0) this.policies.collection.collect(this, w, cmds);
    if (t % HOUSEKEEPING_TICKS === HOUSEKEEPING_TICKS / 2) this.policies.rest.rest(this, w, t, cmds);
    this.policies.vacate.vacate(this, w, cmds);
    // The operator's work for bins already on their way, where lines joined or left their tasks.
    for (const task of this.workDirty) if (task.robot >= 0) cmds.push({ type: 'work', bin: task.bin, ...this.work(task) });
    this.workDirty.clear();
    return cmds;
  }

  /** The operator's work for a task's bin: its order lines and their units. */
  work(task: BinTask): { lines: number; units: number } {
    let units = 0;
    for (const id of task.lines) units += this.book.line(id)?.qty ?? 0;
    return { lines: Math.min(task.lines.length, MAX_WORK), units: Math.min(units, MAX_WORK) };
  }

  private onEvent(w: WorldView, e: WorldEvent): void {
    switch (e.type) {
      case 'fetched': {
        const task = this.tasks.get(e.task);
        if (task) this.tasks.advance(task, { type: 'LIFTED', tick: e.tick });
        break;
      }
      case 'presented': {
        this.presentedAt[e.port] = e.tick;
        if (this.lastPresented >= 0) this.presentGap += (this.presentations < RATE_AFTER ? 1 / (this.presentations + 1) : RATE_WEIGHT) * (e.tick - this.lastPresented - this.presentGap);
        this.lastPresented = e.tick;
        this.presentations++;
        const task = this.tasks.forBin(e.bin);
        if (!task) break;
        this.tasks.advance(task, { type: 'PRESENTED', tick: e.tick });
        this.portAssigned[task.port]!--;
        const at = this.assignedAt.get(task.id);
        if (at !== undefined) {
          this.assignedAt.delete(task.id);
          this.tripTicks += PACE_WEIGHT * (e.tick - at - this.tripTicks);
        }
        break;
      }
      case 'presentDone': {
        if (this.presentedAt[e.port]! >= 0) {
          const min = w.ports[e.port]!.minCycleTicks;
          this.portCycle[e.port]! += PACE_WEIGHT * (Math.max(min, e.tick - this.presentedAt[e.port]!) - this.portCycle[e.port]!);
          this.presentedAt[e.port] = -1;
        }
        const task = this.tasks.forBin(e.bin);
        if (!task) break;
        for (const id of task.lines) {
          const l = this.book.line(id);
          if (!l) continue;
          if (this.withdrawn.has(l.orderId)) this.inventory.release(task.bin, l.sku, l.qty);
          else this.inventory.pick(task.bin, l.sku, l.qty);
          if (this.reporter) {
            const k = this.tallyOf(l.orderId);
            k.picked += l.qty;
            k.bins.push({ bin: task.bin, qty: l.qty });
          }
          const orderId = l.orderId;
          this.book.markPicked(id, e.tick);
          this.reportIfDone(orderId, e.tick);
        }
        this.tasks.advance(task, { type: 'CLOSED', tick: e.tick });
        break;
      }
      case 'returned': {
        const task = this.tasks.forBin(e.bin);
        if (!task) break;
        this.tasks.advance(task, { type: 'RETURNED', tick: e.tick });
        this.tasks.finish(task);
        break;
      }
      case 'jobDone':
        this.leftIdle.push(e.robot);
      // falls through
      case 'collected': {
        // A collector has taken its bin, or gave up because there was none.
        const p = this.collectorPort[e.robot]!;
        if (p >= 0) { this.portCollectors[p]!--; this.collectorPort[e.robot] = -1; }
        break;
      }
    }
  }

  /** New orders from the feed. */
  private intake(t: number, tickSeconds: number): void {
    this.feed.intake(t, tickSeconds, this.book.openOrderCount(), this.newId, this.addOrder);
  }

  private readonly newId = (): number => this.nextOrderId++;
  private readonly addOrder = (order: OrderSpec): void => {
    this.book.add(this.feed.topUp ? order : this.splitOverBins(order), order.createdTick);
  };

  /**
   * A line that no single bin covers, though the site holds the units, is split over the bins with the
   * most available first, so that it is picked from several presentations instead of going short.
   * Lines the site cannot cover at all are left as they are (they go short at release).
   */
  private splitOverBins(order: OrderSpec): OrderSpec {
    let out: OrderSpec['lines'] | undefined;
    order.lines.forEach((l, i) => {
      const bins = this.inventory.binsWithSku(l.sku);
      let best = 0;
      for (const b of bins) best = Math.max(best, this.inventory.availableInBin(b, l.sku));
      if (best >= l.qty || this.inventory.available(l.sku) < l.qty) { out?.push(l); return; }
      out ??= order.lines.slice(0, i);
      const avail = bins.map((b) => this.inventory.availableInBin(b, l.sku)).filter((a) => a > 0).sort((a, b) => b - a);
      let left = l.qty;
      for (const a of avail) {
        if (left <= 0) break;
        const part = Math.min(a, left);
        out.push({ sku: l.sku, qty: part });
        left -= part;
      }
      this.splitLines++;
    });
    return out ? { ...order, lines: out } : order;
  }

  /** Line picking started; the pick list's start is reported once. */
  picking(lineId: number, t: number): void {
    this.book.markPicking(lineId, t);
    if (!this.reporter) return;
    const orderId = this.book.line(lineId)!.orderId;
    const k = this.tallyOf(orderId);
    if (!k.started) { k.started = true; this.reporter.started(orderId, t); }
  }

  private tallyOf(orderId: number): { started: boolean; picked: number; bins: { bin: number; qty: number }[] } {
    let k = this.tally.get(orderId);
    if (!k) this.tally.set(orderId, (k = { started: false, picked: 0, bins: [] }));
    return k;
  }

  /** After a line of `orderId` is done: when its pick list has left the book, report it. */
  reportIfDone(orderId: number, t: number): void {
    if (!this.reporter || this.book.order(orderId)) return;
    const k = this.tally.get(orderId);
    this.tally.delete(orderId);
    if (this.withdrawn.delete(orderId)) return;
    this.reporter.done(orderId, k?.picked ?? 0, k?.bins ?? [], t);
  }

  /**
   * Withdraws a pick list (its customer line was cancelled). Before picking starts its lines are
   * cancelled, their bin reservations released and emptied tasks dropped; after, the pick goes on and
   * its units are put back (released, not picked). Returns whether it was withdrawn before picking.
   */
  withdraw(orderId: number, t: number): boolean {
    if (!this.book.order(orderId)) return false;
    const freed = this.book.cancelOrder(orderId, t);
    if (freed === null) { this.withdrawn.add(orderId); return false; }
    for (const r of freed) {
      this.inventory.release(r.bin, r.sku, r.qty);
      const task = this.tasks.forBin(r.bin);
      if (!task) continue;
      const k = task.lines.indexOf(r.lineId);
      if (k >= 0) task.lines.splice(k, 1);
      if (task.robot >= 0) this.workDirty.add(task);
      if (task.lines.length === 0 && task.robot < 0) {
        const i = this.pending.indexOf(task);
        if (i >= 0) this.pending.splice(i, 1);
        this.tasks.cancel(task, t);
      }
    }
    this.tally.delete(orderId);
    return true;
  }

  /** Reserve stock for open lines until the look-ahead is full (the release policy). */
  private release(w: WorldView, t: number): void { this.policies.release.release(this, w, t); }

  /** The bin to take a line's stock from, other than `except` and cheaper than `below` (the bin choice policy); -1: none. */
  chooseBin(w: WorldView, sku: number, qty: number, except = -1, below = Infinity): number {
    return this.policies.binChoice.chooseBin(this, w, sku, qty, except, below);
  }

  /** Bins above `bin` in its stack (it must be in the grid). */
  binDepth(w: WorldView, bin: number): number {
    return w.grid.stackHeight[w.binCell[bin]!]! - 1 - w.binLevel[bin]!;
  }

  /** What binding a line to `bin` (in the grid) costs, by the bin choice policy. */
  bindCost(w: WorldView, bin: number): number { return this.policies.binChoice.cost(this, w, bin); }

  /** Does port p still take robots heading for it? */
  takesRobots(w: WorldView, p: number): boolean {
    const port = w.ports[p]!;
    return port.cfg.station.staffed && this.portAssigned[p]! < this.inboundLimit(w, p);
  }

  /**
   * Robots port p takes heading for it: its queue, plus the robots that keep it fed while one trip is
   * under way (trip / its cycle), plus `inboundExtra`.
   */
  inboundLimit(w: WorldView, p: number): number {
    return w.ports[p]!.queueLimit + Math.ceil(this.tripTicks / this.portCycle[p]!) + this.opts.inboundExtra;
  }

  /**
   * Tasks to keep queued: `lookaheadSeconds` of work at the rate the grid achieves (a running average of
   * the gaps between presentations), at least two per robot. Until RATE_AFTER presentations have been
   * seen, at the rate expected: the smaller of what the staffed ports take at their pace and what the
   * fleet brings (a robot's cycle taken as two trips: the fetch, and the return of a bin).
   */
  lookahead(w: WorldView): number {
    if (this.presentations >= RATE_AFTER && this.presentGap > 0) {
      return Math.max(w.robots.count * 2, Math.ceil(this.cfg.lookaheadSeconds / (this.presentGap * w.tickSeconds)));
    }
    return lookaheadOf(w.cfg.ports, this.portCycle, this.tripTicks, w.robots.count, this.cfg.lookaheadSeconds, w.tickSeconds);
  }

  /** Cells from `cell` to the nearest port (Manhattan), precomputed per cell. */
  portDistance(cell: number): number {
    return this.portDist[cell]!;
  }

  /** The id of the next collect task (negative: collect tasks are not bin tasks). */
  nextCollectId(): number { return this.nextCollectTask--; }

  /** A robot with no job, or parking and not yet moving, can take work. */
  available(w: WorldView, r: number): boolean {
    const R = w.robots;
    return R.job[r] === Job.None || (R.job[r] === Job.Park && R.phase[r] !== Phase.Moving);
  }

  /** Give a pending task to robot r at port `port`. */
  start(task: BinTask, index: number, r: number, port: number, t: number, cmds: Command[]): void {
    this.pending.splice(index, 1);
    task.port = port;
    task.robot = r;
    this.portAssigned[port]!++;
    this.tasks.advance(task, { type: 'ASSIGN', robot: r, tick: t });
    this.tasks.advance(task, { type: 'FETCH_STARTED', tick: t });
    for (const id of task.lines) this.picking(id, t);
    this.workDirty.delete(task);
    this.assignedAt.set(task.id, t);
    cmds.push({ type: 'fetch', robot: r, bin: task.bin, port, task: task.id, ...this.work(task) });
  }

  /** Ports still taking robots. */
  openPorts(w: WorldView): number {
    let open = 0;
    for (let p = 0; p < w.ports.length; p++) if (this.takesRobots(w, p)) open++;
    return open;
  }

  /** Seconds port p adds to a task whose bin is at `cell`, by the port choice policy. */
  portCost(w: WorldView, p: number, cell: number): number { return this.policies.portChoice.cost(this, w, p, cell); }

  /** The port for a task with its bin at `cell`, among those still taking robots (the port choice policy); -1: none. */
  choosePort(w: WorldView, cell: number): number { return this.policies.portChoice.choosePort(this, w, cell); }

}

/** A port's cycle before the run shows it: a presentation of one order line of the profile's mean units (the least a task carries). */
function firstCycleSeconds(p: PortConfig, wcs: WcsConfig): number {
  return effectiveCycleSeconds(p, 1, wcs.orders.unitsPerLine.mean);
}

/** Tasks for `lookaheadSeconds` at the expected rate (see Dispatcher.lookahead); pure. */
function lookaheadOf(ports: readonly PortConfig[], cycleTicks: ArrayLike<number>, tripTicks: number, robots: number,
  lookaheadSeconds: number, tickSeconds: number): number {
  let portRate = 0;
  ports.forEach((p, i) => { if (p.station.staffed) portRate += 1 / cycleTicks[i]!; });
  const rate = Math.min(portRate, robots / (2 * tripTicks));
  return Math.max(robots * 2, Math.ceil((rate * lookaheadSeconds) / tickSeconds));
}

/** The look-ahead a dispatcher starts with on this grid (before the run shows its pace); pure. */
export function firstLookahead(grid: GridView, world: WorldConfig, wcs: WcsConfig): number {
  const cycles = world.ports.map((p) => firstCycleSeconds(p, wcs) / world.tickSeconds);
  return lookaheadOf(world.ports, cycles, tripSecondsEstimate(grid, world) / world.tickSeconds, world.robotCount, wcs.lookaheadSeconds, world.tickSeconds);
}

/**
 * A first estimate of a fetch's trip (assignment to presentation), seconds: to a bin and on to a port,
 * each leg the grid's mean distance to the nearest port at top speed plus speeding up, slowing down and
 * a wheel-set switch, and a lift and a lowering. Pure.
 */
export function tripSecondsEstimate(g: GridView, cfg: WorldConfig): number {
  let sum = 0, n = 0;
  for (let c = 0; c < g.cells; c++) {
    if (!g.isStorage(c)) continue;
    let d = Infinity;
    for (const p of cfg.ports) d = Math.min(d, Math.abs(p.x - (c % g.width)) + Math.abs(p.y - ((c / g.width) | 0)));
    sum += d; n++;
  }
  const m = cfg.robotModel;
  const leg = ((n > 0 ? sum / n : 0) * (cfg.pitchX + cfg.pitchY)) / 2 / m.topSpeed + m.topSpeed / m.accel + m.wheelSwitchSeconds;
  return 2 * leg + 2 * m.gripSeconds;
}
