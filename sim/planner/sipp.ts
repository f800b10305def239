/**
 * The priority-queue path planner: safe-interval path planning (SIPP) on the grid top over the
 * reservation table, with straight stop-to-stop runs as actions so that what is reserved is exactly what
 * the robot's trapezoidal motion does (see RunTable). A node is (cell, wheel axis, safe interval); its
 * cost is the earliest arrival tick. Changing axis costs the wheel-set switch time; waiting is folded into
 * the earliest feasible departure of each run. Prioritized: one robot plans at a time against everything
 * already reserved, and the goal must be free for ever after arrival (the robot parks there).
 *
 * Not pure: it reads the reservation table and writes its result into its own buffers; it never
 * modifies the table (the world commits a plan).
 */
import TinyQueue from 'tinyqueue';
import { CellKind } from '../config.ts';
import { DX, DY, type Grid } from '../grid.ts';
import { driveLowerBound, type RunTable } from '../kinematics.ts';
import { MAX_PLAN_RUNS, type Occupancy, type PathPlanner, type PlannedRuns, type PlannerFactory, type PlanRequest } from './planner.ts';
import { FOREVER } from './reservations.ts';

export type { PlannedRuns, PlanRequest } from './planner.ts';

const MAX_CAND = 12;
/** Longest run considered in a direction that does not lead towards the goal. */
const DETOUR_CELLS = 12;

export class Planner implements PathPlanner {
  readonly grid: Grid;
  readonly res: Occupancy;
  /** Index axis * 2 + loaded. */
  readonly tables: readonly RunTable[];
  readonly switchTicks: number;
  maxExpansions: number;
  /**
   * Heuristic weight (f = g + weight * h). Above 1 the search is bounded-suboptimal: plans at most
   * `weight` times slower than the best, found with far fewer expansions when waits are needed.
   */
  weight = 1.3;
  /** Statistics: searches, expansions, failures. */
  searches = 0;
  expansions = 0;
  failures = 0;

  readonly out: PlannedRuns = {
    count: 0,
    from: new Int32Array(MAX_PLAN_RUNS),
    dir: new Int8Array(MAX_PLAN_RUNS),
    k: new Int32Array(MAX_PLAN_RUNS),
    depart: new Int32Array(MAX_PLAN_RUNS),
  };

  // Node pool (parallel arrays; reset per search).
  private cap: number;
  private nCell: Int32Array;
  private nAxis: Uint8Array;
  private nG: Int32Array;
  private nF: Float64Array;
  private nGapEnd: Int32Array;
  private nParent: Int32Array;
  private nDir: Int8Array;
  private nK: Int32Array;
  private nDepart: Int32Array;
  private nodes = 0;
  private readonly gaps: number;
  private bestG: Int32Array;
  private stamp: Uint32Array;
  private epoch = 0;
  private readonly open: TinyQueue<number>;
  private readonly gap = new Int32Array(2);
  private readonly cand = new Int32Array(MAX_CAND);

  constructor(grid: Grid, res: Occupancy, tables: readonly RunTable[], switchTicks: number, maxExpansions = 4000) {
    this.grid = grid;
    this.res = res;
    this.tables = tables;
    this.switchTicks = switchTicks;
    this.maxExpansions = maxExpansions;
    this.cap = 1 << 16;
    this.nCell = new Int32Array(this.cap);
    this.nAxis = new Uint8Array(this.cap);
    this.nG = new Int32Array(this.cap);
    this.nF = new Float64Array(this.cap);
    this.nGapEnd = new Int32Array(this.cap);
    this.nParent = new Int32Array(this.cap);
    this.nDir = new Int8Array(this.cap);
    this.nK = new Int32Array(this.cap);
    this.nDepart = new Int32Array(this.cap);
    this.gaps = res.slots + 1;
    this.bestG = new Int32Array(grid.cells * 2 * this.gaps);
    this.stamp = new Uint32Array(grid.cells * 2 * this.gaps);
    const f = this.nF, g = this.nG;
    // Lowest f first; among equals the deeper node (larger g), then the older node: a total order.
    this.open = new TinyQueue<number>([], (a, b) => (f[a]! - f[b]!) || (g[b]! - g[a]!) || (a - b));
  }

  /** Can robot with access to `port` drive over `cell`? */
  passable(cell: number, port: number): boolean {
    const k = this.grid.kind[cell]!;
    if (k === CellKind.Storage || k === CellKind.Charger || k === CellKind.Street) return true;
    if (k === CellKind.Blocked) return false;
    return this.grid.portOf[cell] === port;
  }

  /** Lower bound on ticks from (cell, axis) to goal. */
  heuristic(cell: number, axis: number, goal: number, loaded: number): number {
    return driveLowerBound(this.tables, this.switchTicks, this.grid.width, cell, axis, goal, loaded);
  }

  /**
   * Plan from req.start to req.goal. On success fills `out` (runs in order) and returns the arrival tick
   * at the goal; returns -1 when no plan was found within the expansion budget.
   */
  plan(req: PlanRequest): number {
    this.searches++;
    const grid = this.grid;
    const res = this.res;
    const loaded = req.loaded ? 1 : 0;
    const self = req.robot;
    const goal = req.goal;
    const gx = goal % grid.width, gy = (goal / grid.width) | 0;
    this.out.count = 0;
    if (req.start === goal) return req.now;
    const owner = res.foreverOwner(goal);
    if (owner !== -1 && owner !== self) { this.failures++; return -1; }
    if (!this.passable(goal, req.port)) { this.failures++; return -1; }

    this.epoch++;
    if (this.epoch === 0xffffffff) { this.stamp.fill(0); this.epoch = 1; }
    this.nodes = 0;
    this.open.data.length = 0;
    this.open.length = 0;

    const gi0 = res.gapAt(req.start, req.now, self, this.gap);
    if (gi0 < 0) { this.failures++; return -1; }
    const root = this.push(req.start, req.axis, req.now, this.gap[1]!, -1, -1, 0, 0,
      this.heuristic(req.start, req.axis, goal, loaded), gi0);
    if (root < 0) { this.failures++; return -1; }

    let expanded = 0;
    while (this.open.length > 0) {
      const n = this.open.pop()!;
      const cell = this.nCell[n]!;
      const axis = this.nAxis[n]!;
      const g = this.nG[n]!;
      if (cell === goal && this.nGapEnd[n] === FOREVER) {
        this.expansions += expanded;
        return this.extract(n, g);
      }
      if (++expanded > this.maxExpansions) break;
      const gapEnd = this.nGapEnd[n]!;
      const cx = cell % grid.width, cy = (cell / grid.width) | 0;
      for (let dir = 0; dir < 4; dir++) {
        const ax = dir >> 1;
        const table = this.tables[ax * 2 + loaded]!;
        const t0 = g + (ax !== axis ? this.switchTicks : 0);
        // Scan the straight line: how far it is passable and free of parked robots, and where the
        // candidates to stop are.
        const nc = this.scan(cell, dir, req.port, self, cx, cy, gx, gy, table.maxLen);
        for (let ci = 0; ci < nc; ci++) {
          const k = this.cand[ci]!;
          const o = table.off(k);
          let td = t0;
          let ok = false;
          for (let iter = 0; iter < 48; iter++) {
            if (td + table.exit[o]! > gapEnd) break;
            let bad = -1;
            let c = cell;
            for (let j = 1; j <= k; j++) {
              c += DX[dir]! + DY[dir]! * grid.width;
              const a = td + table.enter[o + j]!;
              const b = j < k ? td + table.exit[o + j]! : td + table.arrive[k]! + 1;
              const e = res.conflictEnd(c, a, b, self);
              if (e >= 0) { bad = e === FOREVER ? FOREVER : e - table.enter[o + j]!; break; }
            }
            if (bad < 0) { ok = true; break; }
            if (bad === FOREVER) break;
            td = Math.max(td + 1, bad);
          }
          if (!ok) continue;
          const end = cell + (DX[dir]! + DY[dir]! * grid.width) * k;
          const arrive = td + table.arrive[k]!;
          const gi = res.gapAt(end, td + table.enter[o + k]!, self, this.gap);
          if (gi < 0 || this.gap[1]! <= arrive) continue;
          const h = this.heuristic(end, ax, goal, loaded);
          this.push(end, ax, arrive, this.gap[1]!, n, dir, k, td, arrive + this.weight * h, gi);
        }
      }
    }
    this.expansions += expanded;
    this.failures++;
    return -1;
  }

  /**
   * Fill `cand` with the run lengths worth stopping at along `dir`: 1 and 2 (side steps), the goal's row
   * or column, the last free cell before an obstacle or parked robot, and cells where an obstacle beside
   * the line ends (a detour can turn there). Returns how many.
   */
  private scan(cell: number, dir: number, port: number, self: number, cx: number, cy: number,
    gx: number, gy: number, maxLen: number): number {
    const grid = this.grid;
    const res = this.res;
    const stride = DX[dir]! + DY[dir]! * grid.width;
    const ax = dir >> 1;
    const limit = ax === 0 ? (DX[dir]! > 0 ? grid.width - 1 - cx : cx) : (DY[dir]! > 0 ? grid.depth - 1 - cy : cy);
    // How far to look: past the goal's row or column is never useful, and a detour sideways rarely
    // needs a long run (it can chain runs); this keeps each expansion's cost bounded on big grids.
    const toGoal = ax === 0 ? (gx - cx) * DX[dir]! : (gy - cy) * DY[dir]!;
    const reach = toGoal > 0 ? toGoal + 2 : DETOUR_CELLS;
    const lim = Math.min(limit, maxLen, reach);
    // Perpendicular neighbours' offsets (for corner detection).
    const pStride = ax === 0 ? grid.width : 1;
    const pLimit = ax === 0 ? grid.depth : grid.width;
    let maxK = 0;
    let nc = 0;
    let prevSideBlocked = false;
    let corners = 0;
    let c = cell;
    for (let j = 1; j <= lim; j++) {
      c += stride;
      if (!this.passable(c, port)) break;
      const o = res.foreverOwner(c);
      if (o !== -1 && o !== self) break;
      maxK = j;
      // Side cells blocked (by an obstacle or a parked robot)?
      const pc = ax === 0 ? (c / grid.width) | 0 : c % grid.width;
      let sideBlocked = false;
      if (pc > 0) sideBlocked ||= this.blockedForDetour(c - pStride, port, self);
      if (pc < pLimit - 1) sideBlocked ||= this.blockedForDetour(c + pStride, port, self);
      if (prevSideBlocked && !sideBlocked && corners < 3 && nc < MAX_CAND - 4) { this.cand[nc++] = j; corners++; }
      prevSideBlocked = sideBlocked;
    }
    if (maxK === 0) return 0;
    // Goal alignment along this axis.
    let align = -1;
    if (ax === 0) { const d = (gx - cx) * DX[dir]!; if (d > 0 && d <= maxK) align = d; }
    else { const d = (gy - cy) * DY[dir]!; if (d > 0 && d <= maxK) align = d; }
    if (align > 0) this.cand[nc++] = align;
    this.cand[nc++] = 1;
    if (maxK >= 2) this.cand[nc++] = 2;
    this.cand[nc++] = maxK;
    // Sort and de-duplicate (tiny array: insertion sort).
    for (let i = 1; i < nc; i++) {
      const v = this.cand[i]!;
      let j = i - 1;
      while (j >= 0 && this.cand[j]! > v) { this.cand[j + 1] = this.cand[j]!; j--; }
      this.cand[j + 1] = v;
    }
    let w = 0;
    for (let i = 0; i < nc; i++) if (w === 0 || this.cand[w - 1] !== this.cand[i]) this.cand[w++] = this.cand[i]!;
    return w;
  }

  private blockedForDetour(cell: number, port: number, self: number): boolean {
    if (!this.passable(cell, port)) return true;
    const o = this.res.foreverOwner(cell);
    return o !== -1 && o !== self;
  }

  private push(cell: number, axis: number, g: number, gapEnd: number, parent: number, dir: number, k: number,
    depart: number, f: number, gi: number): number {
    const key = (cell * 2 + axis) * this.gaps + Math.min(gi, this.gaps - 1);
    if (this.stamp[key] === this.epoch && this.bestG[key]! <= g) return -1;
    this.stamp[key] = this.epoch;
    this.bestG[key] = g;
    if (this.nodes >= this.cap) this.grow();
    const n = this.nodes++;
    this.nCell[n] = cell; this.nAxis[n] = axis; this.nG[n] = g; this.nF[n] = f; this.nGapEnd[n] = gapEnd;
    this.nParent[n] = parent; this.nDir[n] = dir; this.nK[n] = k; this.nDepart[n] = depart;
    this.open.push(n);
    return n;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g32 = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    this.nCell = g32(this.nCell); this.nG = g32(this.nG); this.nGapEnd = g32(this.nGapEnd);
    this.nParent = g32(this.nParent); this.nK = g32(this.nK); this.nDepart = g32(this.nDepart);
    const a = new Uint8Array(cap); a.set(this.nAxis); this.nAxis = a;
    const d = new Int8Array(cap); d.set(this.nDir); this.nDir = d;
    const f = new Float64Array(cap); f.set(this.nF); this.nF = f;
    const fF = this.nF, gG = this.nG;
    (this.open as unknown as { compare: (a: number, b: number) => number }).compare =
      (x, y) => (fF[x]! - fF[y]!) || (gG[y]! - gG[x]!) || (x - y);
    this.cap = cap;
  }

  private extract(n: number, arrive: number): number {
    let runs = 0;
    for (let m = n; this.nParent[m]! >= 0; m = this.nParent[m]!) runs++;
    if (runs > MAX_PLAN_RUNS) { this.failures++; return -1; }
    this.out.count = runs;
    let i = runs - 1;
    for (let m = n; this.nParent[m]! >= 0; m = this.nParent[m]!) {
      this.out.from[i] = this.nCell[this.nParent[m]!]!;
      this.out.dir[i] = this.nDir[m]!;
      this.out.k[i] = this.nK[m]!;
      this.out.depart[i] = this.nDepart[m]!;
      i--;
    }
    return arrive;
  }
}

/** The world's default planner. */
export const sipp: PlannerFactory = (ctx) => new Planner(ctx.grid, ctx.occupancy, ctx.tables, ctx.switchTicks);
