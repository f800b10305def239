/**
 * The seam between the world and a path planner. The world (sim/legs.ts) asks for one robot's leg at a
 * time with a PlanRequest; the planner reads the grid, the robot's motion tables and a read-only view of
 * what is reserved (Occupancy), and answers with the arrival tick and a timed list of cells (PlannedRuns:
 * straight stop-to-stop runs, each with its departure tick, which the motion tables turn into the tick
 * each cell is entered and left). The world then reserves that plan itself (all or nothing) and drives
 * it, so a planner never writes the reservations and cannot put two robots in one cell: a plan that
 * conflicts is refused at the commit and the robot tries again later.
 *
 * A world takes its planner from a PlannerFactory (WorldOptions.planner; the default is SIPP, ./sipp.ts),
 * so another planner, or one wrapped to be measured, plugs in without touching the world.
 */
import type { Grid } from '../grid.ts';
import type { RunTable } from '../kinematics.ts';

export interface PlanRequest {
  robot: number;
  start: number;
  /** Axis the wheels are on: 0 = x, 1 = y. */
  axis: number;
  /** Earliest tick the robot may depart. */
  now: number;
  goal: number;
  loaded: boolean;
  /** Port whose port and buffer cells this robot may use (-1: none). */
  port: number;
}

/**
 * A plan as runs: run i departs `from[i]` at tick `depart[i]` and drives `k[i]` cells in direction
 * `dir[i]` (0..3, see sim/grid.ts DX/DY), stopping at the end; the next run departs from there (a change
 * of direction across axes includes the wheel switch in its departure tick). At most MAX_PLAN_RUNS runs.
 */
export interface PlannedRuns {
  count: number;
  from: Int32Array;
  dir: Int8Array;
  k: Int32Array;
  depart: Int32Array;
}

/** Most runs in one plan (the world keeps this many per robot). */
export const MAX_PLAN_RUNS = 64;

/** What is reserved, read-only: the queries a planner may make of the reservation table. */
export interface Occupancy {
  /** Robot holding `cell` for ever from some tick on (parked or heading there), or -1. */
  foreverOwner(cell: number): number;
  /**
   * End of the first reservation of `cell` by anyone but `self` that overlaps [a, b), or -1 when none
   * does (a run through the cell then has to depart later).
   */
  conflictEnd(cell: number, a: number, b: number, self: number): number;
  /** The free interval of `cell` holding tick t, into out[0..1] ([start, end)); its index, or -1 when t is taken. */
  gapAt(cell: number, t: number, self: number, out: Int32Array): number;
  /** Reservations a cell holds at most (free intervals are numbered 0..slots). */
  readonly slots: number;
}

/** What a planner is built from. */
export interface PlannerContext {
  grid: Grid;
  occupancy: Occupancy;
  /** Motion tables by axis * 2 + loaded (see sim/kinematics.ts). */
  tables: readonly RunTable[];
  /** Ticks to switch the wheels to the other axis. */
  switchTicks: number;
}

export interface PathPlanner {
  /**
   * Plans req.start to req.goal. On success fills `out` and returns the arrival tick at the goal (the
   * goal is then free for ever after it); -1 when there is no plan now. Never changes the occupancy.
   */
  plan(req: PlanRequest): number;
  readonly out: PlannedRuns;
  /** May a robot with access to `port` (-1: none) drive over `cell`? The world's way-clearing asks this too. */
  passable(cell: number, port: number): boolean;
  /** Counters for the KPIs: searches made, those without a plan, nodes expanded. */
  readonly searches: number;
  readonly failures: number;
  readonly expansions: number;
}

export type PlannerFactory = (ctx: PlannerContext) => PathPlanner;

/**
 * `inner` with its plan() replaced by `plan` (which may call inner.plan): everything else (the result
 * buffer, passability, the counters) stays inner's. For benchmarks and tests that time or count searches.
 */
export function withPlan(inner: PathPlanner, plan: (req: PlanRequest) => number): PathPlanner {
  return {
    plan,
    passable: (cell, port) => inner.passable(cell, port),
    get out() { return inner.out; },
    get searches() { return inner.searches; },
    get failures() { return inner.failures; },
    get expansions() { return inner.expansions; },
  };
}
