/**
 * The headless runner: scenario -> world + warehouse control -> KPIs, time series and trace.
 * Sim time drives everything; the only wall-clock reading is for reporting speed.
 */
import type { PlannerFactory } from '../../sim/planner/planner.ts';
import { stateHash, World } from '../../sim/world.ts';
import { TIME_CATEGORIES } from '../../sim/robots.ts';
import { Dispatcher, type DispatchOptions } from '../dispatch/dispatcher.ts';
import type { OrderFeed } from '../orders/feed.ts';
import { checkRunSize } from '../scenario/load.ts';
import { Run } from './run.ts';
import type { LoadedScenario } from '../scenario/types.ts';
import { bounds } from './bounds.ts';
import type { Kpis, MinuteRow } from './kpis.ts';
import { TraceWriter, type TraceSink } from './trace.ts';

export interface RunOptions {
  /** Simulated seconds to run (after the warm-up). */
  seconds: number;
  /** Simulated seconds to run before measuring. */
  warmupSeconds?: number;
  /** Override the scenario's seed. */
  seed?: number;
  /** Full invariant check every tick; throws on the first violation. */
  check?: boolean;
  trace?: TraceSink;
  dispatch?: Partial<DispatchOptions>;
  /** Order feed instead of the scenario's profile (e.g. a ReplayFeed of order history). */
  feed?: OrderFeed;
  /** Called about every simulated minute with progress in [0, 1]. */
  onProgress?: (done: number, simSeconds: number, wallSeconds: number) => void;
  /** Wall clock in ms for the speed figure (default performance.now). */
  now?: () => number;
  /** Called after every tick (benchmarks hang measurements here). */
  onTick?: (world: World) => void;
  /** The path planner (default SIPP; a benchmark may wrap it to time its searches). */
  planner?: PlannerFactory;
}

export interface RunResult {
  kpis: Kpis;
  timeseries: MinuteRow[];
  world: World;
  dispatcher: Dispatcher;
}

/** The CLI's and the bench's warm-up: a run starts from an evenly filled grid and settles for a while. */
export const DEFAULT_WARMUP_SECONDS = 900;

/** Largest change between the measured period's halves for a run to count as steady (presentations per hour). */
export const STEADY_DRIFT = 0.05;

/**
 * Run a scenario headless and measure it.
 * @throws ScenarioError before anything runs when the run would create more than one run may (checkRunSize).
 */
export function runScenario(sc: LoadedScenario, opts: RunOptions): RunResult {
  checkRunSize(sc, (opts.warmupSeconds ?? 0) + opts.seconds);
  const now = opts.now ?? (() => performance.now());
  const wall0 = now();
  const seed = opts.seed ?? sc.world.seed;
  const world = new World({ ...sc.world, seed }, { trace: opts.trace !== undefined, check: opts.check === true, ...(opts.planner ? { planner: opts.planner } : {}) });
  const dispatcher = new Dispatcher(world, { ...sc.wcs, seed }, opts.dispatch, opts.feed);
  const tps = Math.round(1 / world.tickSeconds);
  const warmTicks = Math.round((opts.warmupSeconds ?? 0) / world.tickSeconds);
  const endTick = warmTicks + Math.round(opts.seconds / world.tickSeconds);
  const trace = opts.trace ? new TraceWriter(world, opts.trace, endTick) : undefined;
  const minuteTicks = 60 * tps;
  const rows: MinuteRow[] = [];
  const halfTick = warmTicks + Math.floor((endTick - warmTicks) / 2);
  let base = { busy: 0, ports: new Float64Array(world.ports.length), portLines: new Float64Array(world.ports.length),
    portUnits: new Float64Array(world.ports.length), time: new Float64Array(TIME_CATEGORIES.length), presentations: 0,
    portPresentations: new Float64Array(world.ports.length),
    retrievals: 0, aside: 0, depth: 0, lines: 0, leadSum: 0, orders: 0, orderLead: 0, short: 0, searches: 0, failures: 0, expansions: 0 };
  const snapshot = () => {
    const t = dispatcher.book.totals;
    return { busy: world.counters.busyTicks, ports: Float64Array.from(world.ports, (p) => p.busyTicks),
      portLines: Float64Array.from(world.ports, (p) => p.lines), portUnits: Float64Array.from(world.ports, (p) => p.units),
      time: Float64Array.from(world.counters.timeTicks), presentations: world.counters.presentations,
      portPresentations: Float64Array.from(world.ports, (p) => p.presentations),
      retrievals: world.counters.retrievals, aside: world.counters.binsMovedAside, depth: world.counters.depthSum, lines: t.linesPicked, leadSum: t.lineLeadSum,
      orders: t.ordersCompleted, orderLead: t.orderLeadSum, short: t.linesShort,
      searches: world.planner.searches, failures: world.planner.failures, expansions: world.planner.expansions };
  };
  // Presentations are the world's counters: at the start of the measured period, at its half (the
  // steady-state check compares the halves) and at each minute's start (measured ticks only).
  let atHalf: number | undefined;
  let minuteBase = 0;
  const run = new Run(world, dispatcher);
  if (trace) run.observe((_w, events) => trace.events(events));
  if (opts.onTick) run.observe(opts.onTick);
  run.observe((w) => {
    if (w.tick % minuteTicks !== 0) return;
    let busy = 0;
    for (let r = 0; r < w.robots.count; r++) if (w.robots.job[r] !== 0) busy++;
    rows.push({ minute: w.tick / minuteTicks, presentations: w.tick <= warmTicks ? 0 : w.counters.presentations - minuteBase, busyRobots: busy, queuedTasks: dispatcher.pending.length });
    minuteBase = w.counters.presentations;
    opts.onProgress?.(w.tick / endTick, w.seconds, (now() - wall0) / 1000);
  });
  try {
    while (world.tick < endTick) {
      if (world.tick === warmTicks) { base = snapshot(); minuteBase = world.counters.presentations; }
      if (world.tick === halfTick) atHalf = world.counters.presentations;
      run.tick();
    }
  } catch (e) {
    // Keep what led to the failure: the trace up to the tick it stopped at (a failing sink is ignored
    // here, the first error matters more).
    try { trace?.finish(world.tick); } catch { /* ignored */ }
    throw e;
  }
  trace?.finish();
  const wallSeconds = (now() - wall0) / 1000;
  const end = snapshot();
  const presentations = end.presentations - base.presentations;
  const firstHalf = (atHalf ?? end.presentations) - base.presentations;
  const ticks = endTick - warmTicks;
  const secs = ticks * world.tickSeconds;
  const fleetTicks = ticks * world.robots.count;
  const retrievals = end.retrievals - base.retrievals;
  const lines = end.lines - base.lines;
  const orders = end.orders - base.orders;
  const robotTime = {} as Kpis['robotTime'];
  TIME_CATEGORIES.forEach((c, i) => {
    const t = end.time[i]! - base.time[i]!;
    robotTime[c] = { seconds: Math.round(t * world.tickSeconds), share: round(t / fleetTicks, 4) };
  });
  const searches = end.searches - base.searches;
  const work = ['movingEmpty', 'movingLoaded', 'digging', 'portHandling'].reduce((a, c) => a + robotTime[c as keyof Kpis['robotTime']].seconds, 0);
  const perHour = round((presentations * 3600) / secs, 1);
  const perPresentation = workPerPresentation(world, base, presentations);
  const kpis: Kpis = {
    scenario: sc.world.name,
    seed,
    simulatedSeconds: secs,
    warmupSeconds: warmTicks * world.tickSeconds,
    wallSeconds: round(wallSeconds, 3),
    speed: round((endTick * world.tickSeconds) / Math.max(wallSeconds, 1e-9), 1),
    binPresentations: presentations,
    binPresentationsPerHour: perHour,
    ports: world.ports.map((p, i) => {
      const n = end.portPresentations[i]! - base.portPresentations[i]!;
      const portLines = p.lines - base.portLines[i]!, portUnits = p.units - base.portUnits[i]!;
      return {
        id: p.cfg.id, type: p.cfg.type, staffed: p.cfg.station.staffed, presentations: n, utilization: round((p.busyTicks - base.ports[i]!) / ticks, 4),
        lines: portLines, units: portUnits, linesPerPresentation: round(n > 0 ? portLines / n : 0, 2), linesPerHour: round((portLines * 3600) / secs, 1),
      };
    }),
    station: stationKpis(world, base, perPresentation, secs),
    steadyState: steadiness(firstHalf, presentations - firstHalf, secs),
    bounds: bounds(world.cfg.ports, world.robots.count, work, retrievals, perHour, perPresentation),
    robots: { count: world.robots.count, utilization: round((end.busy - base.busy) / fleetTicks, 4) },
    robotTime,
    digging: { retrievals, binsMovedAside: end.aside - base.aside, meanDepth: round(retrievals > 0 ? (end.depth - base.depth) / retrievals : 0, 3) },
    orderLines: { completed: lines, short: end.short - base.short, meanLeadSeconds: round(lines > 0 ? ((end.leadSum - base.leadSum) * world.tickSeconds) / lines : 0, 1) },
    orders: { completed: orders, meanLeadSeconds: round(orders > 0 ? ((end.orderLead - base.orderLead) * world.tickSeconds) / orders : 0, 1), open: dispatcher.book.openOrderCount() },
    planner: { searches, failures: end.failures - base.failures, meanExpansions: round(searches > 0 ? (end.expansions - base.expansions) / searches : 0, 1) },
    stuckRobots: world.robots.stuck.reduce((a, b) => a + b, 0),
    collisions: world.counters.collisions,
    stateHash: stateHash(world),
  };
  return { kpis, timeseries: rows, world, dispatcher };
}

/**
 * Did the run measure a steady state? Presentations per hour in the measured period's two halves; it is
 * steady when they differ by at most STEADY_DRIFT of their mean, or by no more than counting noise
 * (two standard deviations of the difference of two counts, 2·sqrt(n1 + n2)): a grid still settling
 * gets slower from one half to the next.
 */
export function steadiness(first: number, second: number, secs: number): Kpis['steadyState'] {
  const half = secs / 2;
  const a = (first * 3600) / half, b = (second * 3600) / half;
  const mean = (a + b) / 2;
  const drift = mean > 0 ? (b - a) / mean : 0;
  const noise = 2 * Math.sqrt(first + second);
  return {
    reached: Math.abs(drift) <= STEADY_DRIFT || Math.abs(second - first) <= noise,
    firstHalfPerHour: round(a, 1), secondHalfPerHour: round(b, 1), drift: round(drift, 4),
  };
}

/** Order lines and units per presentation over the measured part of the run (all ports). */
function workPerPresentation(world: World, base: { portLines: Float64Array; portUnits: Float64Array }, presentations: number): { lines: number; units: number } {
  let lines = 0, units = 0;
  world.ports.forEach((p, i) => { lines += p.lines - base.portLines[i]!; units += p.units - base.portUnits[i]!; });
  return { lines: presentations > 0 ? lines / presentations : 0, units: presentations > 0 ? units / presentations : 0 };
}

/** The operators' figures: lines and units per presentation, busy share of staffed ports, lines per staffed port-hour. */
function stationKpis(world: World, base: { ports: Float64Array; portLines: Float64Array }, w: { lines: number; units: number }, secs: number): Kpis['station'] {
  let busy = 0, staffed = 0, lines = 0;
  world.ports.forEach((p, i) => {
    if (!p.cfg.station.staffed) return;
    staffed++;
    busy += p.busyTicks - base.ports[i]!;
    lines += p.lines - base.portLines[i]!;
  });
  const ticks = secs / world.tickSeconds;
  return {
    linesPerPresentation: round(w.lines, 2), unitsPerPresentation: round(w.units, 2),
    operatorBusyShare: round(staffed > 0 ? busy / (staffed * ticks) : 0, 4),
    linesPerPortHour: round(staffed > 0 ? (lines * 3600) / (staffed * secs) : 0, 1),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
