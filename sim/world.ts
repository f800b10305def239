/**
 * The world: grid, stacks, bins, robots, ports, reservations and the seeded PRNG, built from a
 * WorldConfig. All state the simulation needs lives here, in typed arrays where it is touched per tick.
 * `step` (sim/step.ts, with the modules it runs: commands, lifecycle, legs, way, motion, port-queue)
 * is the only thing that changes it.
 */
import { CellKind, type WorldConfig } from './config.ts';
import { Grid } from './grid.ts';
import { buildRunTables, gripperSeconds, type RunTable } from './kinematics.ts';
import { FOREVER, ReservationTable } from './planner/reservations.ts';
import type { PathPlanner, PlannerFactory } from './planner/planner.ts';
import { sipp } from './planner/sipp.ts';
import { PortState } from './ports.ts';
import { createRng, forkRng, nextInt, type RngState } from './rng.ts';
import { MAX_PLAN_RUNS, Robots, TIME_CATEGORIES } from './robots.ts';
import type { Area, Command, WorldEvent } from './events.ts';
import type { WorldView } from './world-view.ts';

export interface WorldOptions {
  /** Emit occupancy and bin lift/drop events for a trace (costs allocation; off for plain runs). */
  trace?: boolean;
  /** Run the full invariant check every tick and throw on the first violation. */
  check?: boolean;
  /** The path planner (default SIPP): see sim/planner/planner.ts. */
  planner?: PlannerFactory;
}

/** Counters the KPIs read, kept as the world runs; the simulation itself never reads them. */
export class WorldCounters {
  /** Fleet time per category (TIME_CATEGORIES), robot-ticks. */
  readonly timeTicks = new Float64Array(TIME_CATEGORIES.length);
  /** Robots with a job, robot-ticks. */
  busyTicks = 0;
  /** Bins lifted for a fetch, bins moved aside digging, and the bins above fetched bins, summed. */
  retrievals = 0;
  binsMovedAside = 0;
  depthSum = 0;
  presentations = 0;
  collisions = 0;
}

/** step()'s working memory, reused every tick: no state lives here between ticks. */
export interface WorldScratch {
  /** Way-clearing's breadth-first search (seen stamps, predecessors, queue) and the cells to keep free. */
  readonly seen: Int32Array;
  readonly prev: Int32Array;
  readonly queue: Int32Array;
  readonly avoid: Int32Array;
  searchStamp: number;
  /** True while parked robots are being moved out of someone's way (no nested clearing). */
  clearing: boolean;
  /** A commit's (cell, start) pairs written so far, to undo them. */
  readonly written: Int32Array;
  /** The occupancy check: per cell the tick and robot last seen there; per robot the cells its body covers. */
  readonly occStamp: Int32Array;
  readonly occRobot: Int32Array;
  readonly occA: Int32Array;
  readonly occB: Int32Array;
}

export class World implements WorldView {
  readonly cfg: WorldConfig;
  readonly opts: WorldOptions;
  readonly grid: Grid;
  readonly tickSeconds: number;
  tick = 0;
  readonly rng: RngState;
  readonly portRng: RngState;
  readonly res: ReservationTable;
  readonly tables: RunTable[];
  readonly switchTicks: number;
  readonly planner: PathPlanner;
  readonly robots: Robots;
  readonly ports: PortState[];
  /** Ticks to lower a bin onto a stack of height h (index h) or to lift the bin at level l from it. */
  readonly lowerTicks: Int32Array;
  readonly liftTicks: Int32Array;
  readonly portGripTicks: Int32Array;
  /** Bin locations: stack cell and level, or the robot carrying it, or the port holding it (-1 = not there). */
  readonly binCell: Int32Array;
  readonly binLevel: Int16Array;
  readonly binRobot: Int32Array;
  readonly binPort: Int16Array;
  /**
   * Per bin: where it goes back to from a port, as an index into homeAreas plus one; 0: anywhere. Set by
   * the warehouse control ('home' commands).
   */
  readonly binHome: Uint16Array;
  /** The areas binHome names, each kept once. */
  readonly homeAreas: Area[] = [];
  /** Per port: the cells where robots not yet admitted to its queue wait, most preferred first ('staging' commands). */
  readonly staging: Int32Array[];
  /** 1 while a fetch is heading for the bin. */
  readonly binTargeted: Uint8Array;
  /** The operator's work for the bin at its next presentation: order lines and units to pick. */
  readonly binLines: Uint16Array;
  readonly binUnits: Uint16Array;
  /** Robot whose current leg ends at this cell (chosen, maybe not yet planned), or -1. */
  readonly goalOf: Int32Array;
  /** What the KPIs read (the simulation never does): see WorldCounters. */
  readonly counters = new WorldCounters();
  /** Commands given to robots that were moving out of someone's way, applied when they arrive. */
  readonly deferred: (Command | undefined)[];
  /** Events of the last step. Reused: read them before the next step. */
  events: WorldEvent[] = [];
  /** Per-tick working memory of step(): not state (see WorldScratch). */
  readonly scratch: WorldScratch;

  /** Does a robot stand or park on `cell` (it holds it for ever), or is one heading for it? */
  cellClaimed(cell: number): boolean {
    return this.res.foreverOwner(cell) !== -1 || this.goalOf[cell] !== -1;
  }

  constructor(cfg: WorldConfig, opts: WorldOptions = {}) {
    this.cfg = cfg;
    this.opts = opts;
    this.tickSeconds = cfg.tickSeconds;
    this.grid = new Grid(cfg);
    const g = this.grid;
    this.rng = createRng(cfg.seed);
    const placeRng = forkRng(this.rng, 1);
    this.portRng = forkRng(this.rng, 2);
    this.res = new ReservationTable(g.cells);
    const m = cfg.robotModel;
    this.tables = buildRunTables(m, Math.max(g.width, g.depth), cfg.pitchX, cfg.pitchY, cfg.tickSeconds);
    this.switchTicks = Math.round(m.wheelSwitchSeconds / cfg.tickSeconds);
    this.planner = (opts.planner ?? sipp)({ grid: g, occupancy: this.res, tables: this.tables, switchTicks: this.switchTicks });
    const toTicks = (s: number) => Math.max(1, Math.round(s / cfg.tickSeconds));
    this.lowerTicks = new Int32Array(g.height + 1);
    this.liftTicks = new Int32Array(g.height + 1);
    for (let h = 0; h <= g.height; h++) {
      this.lowerTicks[h] = toTicks(gripperSeconds(m, g.depthToLevel(h)));
      this.liftTicks[h] = toTicks(gripperSeconds(m, g.depthToLevel(h)));
    }
    this.portGripTicks = Int32Array.from(cfg.ports, (p) => toTicks(gripperSeconds(m, p.handoverDepth)));
    this.ports = cfg.ports.map((p, i) => {
      const slots = [g.cell(p.x, p.y), ...p.buffer.map((b) => g.cell(b.x, b.y))];
      // The approach: one more cell in the direction the buffer cells run (inwards from the edge).
      const last = slots[slots.length - 1]!;
      const prev = slots.length > 1 ? slots[slots.length - 2]! : last;
      const dx = g.x(last) - g.x(prev), dy = g.y(last) - g.y(prev);
      const ax = Math.min(g.width - 1, Math.max(0, g.x(last) + dx)), ay = Math.min(g.depth - 1, Math.max(0, g.y(last) + dy));
      return new PortState(i, p, g.cell(p.x, p.y), slots, g.cell(ax, ay), cfg.tickSeconds);
    });

    this.staging = this.ports.map(() => new Int32Array(0));
    this.goalOf = new Int32Array(g.cells).fill(-1);
    this.deferred = new Array<Command | undefined>(cfg.robotCount).fill(undefined);
    this.scratch = {
      seen: new Int32Array(g.cells), prev: new Int32Array(g.cells), queue: new Int32Array(g.cells),
      // A plan writes at most one interval per cell it passes plus one per stop.
      written: new Int32Array(2 * (MAX_PLAN_RUNS * (Math.max(g.width, g.depth) + 1) + 2)),
      avoid: new Int32Array(g.cells).fill(-1), searchStamp: 0, clearing: false,
      occStamp: new Int32Array(g.cells).fill(-1), occRobot: new Int32Array(g.cells),
      occA: new Int32Array(cfg.robotCount), occB: new Int32Array(cfg.robotCount),
    };

    // Bins: spread evenly over the storage stacks in a shuffled order.
    const n = cfg.binCount;
    this.binCell = new Int32Array(n);
    this.binLevel = new Int16Array(n);
    this.binRobot = new Int32Array(n).fill(-1);
    this.binPort = new Int16Array(n).fill(-1);
    this.binHome = new Uint16Array(n);
    this.binTargeted = new Uint8Array(n);
    this.binLines = new Uint16Array(n);
    this.binUnits = new Uint16Array(n);
    const storage: number[] = [];
    for (let c = 0; c < g.cells; c++) if (g.kind[c] === CellKind.Storage) storage.push(c);
    if (storage.length === 0) throw new Error('grid has no storage cells');
    const perStack = Math.floor(n / storage.length);
    let extra = n - perStack * storage.length;
    const heights = new Uint8Array(storage.length).fill(perStack);
    const order = shuffled(storage.length, placeRng);
    for (let i = 0; i < order.length && extra > 0; i++, extra--) heights[order[i]!]!++;
    const ids = shuffled(n, placeRng);
    let next = 0;
    for (let s = 0; s < storage.length; s++) {
      const c = storage[s]!;
      for (let l = 0; l < heights[s]!; l++) {
        const b = ids[next++]!;
        const level = g.push(c, b);
        this.binCell[b] = c;
        this.binLevel[b] = level;
      }
    }

    // Robots: distinct random parking cells.
    this.robots = new Robots(cfg.robotCount);
    const parking: number[] = [];
    for (let c = 0; c < g.cells; c++) if (g.isParking(c)) parking.push(c);
    if (parking.length < cfg.robotCount) throw new Error('more robots than cells to place them on');
    const spots = shuffled(parking.length, placeRng);
    for (let r = 0; r < cfg.robotCount; r++) {
      const c = parking[spots[r]!]!;
      this.robots.cell[r] = c;
      this.robots.axis[r] = 0;
      this.res.insert(c, 0, FOREVER, r, 0);
    }
  }

  /** Simulated seconds so far. */
  get seconds(): number { return this.tick * this.tickSeconds; }
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
function shuffled(n: number, rng: RngState): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = nextInt(rng, i + 1);
    const t = a[i]!; a[i] = a[j]!; a[j] = t;
  }
  return a;
}

/**
 * A hash of the whole state of the world (FNV-1a over 32-bit words): the clock, both random streams,
 * every robot's state (its plan's live runs only), stacks and protections, every bin's whereabouts,
 * work and home area, the goal claims, the ports' staging cells, the reservation table, the ports
 * (queues, bins, operator), deferred commands and the counters the KPIs read. Configuration and per-tick scratch are not state. Same scenario and seed, same hash.
 */
export function stateHash(w: World): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => { h = Math.imul(h ^ (v | 0), 16777619); };
  const f64 = new Float64Array(1);
  const f64Words = new Int32Array(f64.buffer);
  /** A number exactly, fractions included (counters of robot-ticks are floats). */
  const num = (v: number) => { f64[0] = v; mix(f64Words[0]!); mix(f64Words[1]!); };
  const all = (a: ArrayLike<number>) => { mix(a.length); for (let i = 0; i < a.length; i++) num(a[i]!); };
  mix(w.tick);
  all(w.rng); all(w.portRng);
  const R = w.robots;
  const plan = new Set<unknown>([R.planFrom, R.planDir, R.planK, R.planDepart]);
  for (const [key, v] of Object.entries(R)) {
    if (ArrayBuffer.isView(v) && !plan.has(v)) { mix(key.length); all(v as unknown as ArrayLike<number>); }
  }
  for (let r = 0; r < R.count; r++) {
    for (let i = 0, base = r * MAX_PLAN_RUNS; i < R.planCount[r]!; i++) {
      mix(R.planFrom[base + i]!); mix(R.planDir[base + i]!); mix(R.planK[base + i]!); mix(R.planDepart[base + i]!);
    }
  }
  const g = w.grid;
  all(g.stackHeight); all(g.stackBins); all(g.protectedCount);
  all(w.binCell); all(w.binLevel); all(w.binRobot); all(w.binPort); all(w.binTargeted); all(w.binLines); all(w.binUnits);
  all(w.goalOf);
  all(w.binHome);
  mix(w.homeAreas.length);
  for (const a of w.homeAreas) { mix(a.x0); mix(a.y0); mix(a.x1); mix(a.y1); }
  for (const cells of w.staging) all(cells);
  const res = w.res;
  for (let c = 0; c < res.cells; c++) {
    const n = res.count[c]!;
    mix(n);
    for (let i = 0, base = c * res.slots; i < n; i++) { mix(res.start[base + i]!); mix(res.end[base + i]!); mix(res.owner[base + i]!); }
  }
  for (const p of w.ports) {
    all(p.queue); all(p.waiting); all(p.inBins); all(p.inReady); all(p.outBins); all(p.outReady);
    for (const v of [p.opBin, p.opStart, p.opEnd, p.lastStart, p.presentations, p.busyTicks, p.lines, p.units, p.progressAt]) num(v);
  }
  for (let r = 0; r < w.deferred.length; r++) {
    const c = w.deferred[r];
    if (!c) continue;
    mix(r);
    for (const ch of JSON.stringify(c)) mix(ch.charCodeAt(0));
  }
  all(w.counters.timeTicks);
  for (const v of [w.counters.busyTicks, w.counters.retrievals, w.counters.binsMovedAside, w.counters.depthSum, w.counters.presentations, w.counters.collisions]) num(v);
  return (h >>> 0).toString(16).padStart(8, '0');
}
