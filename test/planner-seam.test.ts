import { describe, expect, it } from 'vitest';
import { CellKind } from '../sim/config.ts';
import { DX, DY } from '../sim/grid.ts';
import type { PathPlanner, PlannerContext, PlannerFactory, PlanRequest, PlannedRuns } from '../sim/planner/planner.ts';
import { MAX_PLAN_RUNS, withPlan } from '../sim/planner/planner.ts';
import { sipp } from '../sim/planner/sipp.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

/**
 * Another planner, written here against the interface only: the shortest path by cells (breadth-first,
 * around obstacles and parked robots), driven without waiting, refused when anything reserved is in its
 * way at those ticks. Much weaker than SIPP, but a plan it gives is a plan, and the world must run on it.
 */
function straightAhead(ctx: PlannerContext): PathPlanner {
  const { grid, occupancy, tables, switchTicks } = ctx;
  const prev = new Int32Array(grid.cells);
  const seen = new Uint32Array(grid.cells);
  const queue = new Int32Array(grid.cells);
  const path: number[] = [];
  let stamp = 0;
  const out: PlannedRuns = { count: 0, from: new Int32Array(MAX_PLAN_RUNS), dir: new Int8Array(MAX_PLAN_RUNS), k: new Int32Array(MAX_PLAN_RUNS), depart: new Int32Array(MAX_PLAN_RUNS) };
  const stats = { searches: 0, failures: 0, expansions: 0 };
  const passable = (cell: number, port: number): boolean => {
    const kind = grid.kind[cell]!;
    if (kind === CellKind.Port || kind === CellKind.Buffer) return grid.portOf[cell] === port;
    return kind !== CellKind.Blocked;
  };
  const fail = () => { stats.failures++; return -1; };
  const plan = (req: PlanRequest): number => {
    stats.searches++;
    out.count = 0;
    if (req.start === req.goal) return req.now;
    const owner = occupancy.foreverOwner(req.goal);
    if ((owner !== -1 && owner !== req.robot) || !passable(req.goal, req.port)) return fail();
    // Breadth-first over cells nobody else is parked on.
    stamp++;
    let head = 0, tail = 0;
    queue[tail++] = req.start;
    seen[req.start] = stamp;
    while (head < tail && seen[req.goal] !== stamp) {
      const c = queue[head++]!;
      stats.expansions++;
      for (let d = 0; d < 4; d++) {
        const n = grid.step(c, d);
        if (n < 0 || seen[n] === stamp || !passable(n, req.port)) continue;
        const o = occupancy.foreverOwner(n);
        if (o !== -1 && o !== req.robot) continue;
        seen[n] = stamp; prev[n] = c; queue[tail++] = n;
      }
    }
    if (seen[req.goal] !== stamp) return fail();
    path.length = 0;
    for (let c = req.goal; c !== req.start; c = prev[c]!) path.push(c);
    path.push(req.start);
    path.reverse();
    // Straight runs, each departing as soon as the last one stopped (plus a wheel switch across axes).
    let t = req.now, axis = req.axis;
    const loaded = req.loaded ? 1 : 0;
    for (let i = 0; i + 1 < path.length;) {
      const from = path[i]!;
      const dir = [0, 1, 2, 3].find((d) => grid.step(from, d) === path[i + 1])!;
      let k = 1;
      while (i + k + 1 < path.length && path[i + k + 1] === path[i + k]! + DX[dir]! + DY[dir]! * grid.width) k++;
      if (out.count === MAX_PLAN_RUNS) return fail();
      if (dir >> 1 !== axis) { t += switchTicks; axis = dir >> 1; }
      const table = tables[axis * 2 + loaded]!;
      const o = table.off(k);
      for (let j = 1; j <= k; j++) {
        const a = t + table.enter[o + j]!, b = j < k ? t + table.exit[o + j]! : t + table.arrive[k]! + 1;
        if (occupancy.conflictEnd(path[i + j]!, a, b, req.robot) >= 0) return fail();
      }
      out.from[out.count] = from; out.dir[out.count] = dir; out.k[out.count] = k; out.depart[out.count] = t;
      out.count++;
      t += table.arrive[k]!;
      i += k;
    }
    return t;
  };
  return {
    plan, passable, out,
    get searches() { return stats.searches; }, get failures() { return stats.failures; }, get expansions() { return stats.expansions; },
  };
}

describe('the planner seam', () => {
  it('a wrapped SIPP gives the very run the default gives (same state hash), and the world asks it', () => {
    let calls = 0;
    const counted: PlannerFactory = (ctx) => {
      const inner = sipp(ctx);
      return withPlan(inner, (req) => { calls++; return inner.plan(req); });
    };
    const sc = loadScenarioFile('scenarios/smoke.json');
    const plain = runScenario(sc, { seconds: 120, now: () => 0 }).kpis;
    const wrapped = runScenario(sc, { seconds: 120, now: () => 0, planner: counted }).kpis;
    expect(wrapped.stateHash).toBe(plain.stateHash);
    expect(calls).toBe(wrapped.planner.searches);
    expect(calls).toBeGreaterThan(20);
  });

  it('another planner plugs in: the grid works on it, with every invariant checked each tick', () => {
    const sc = loadScenarioFile('scenarios/smoke.json');
    const k = runScenario(sc, { seconds: 300, now: () => 0, check: true, planner: straightAhead }).kpis;
    expect(k.collisions).toBe(0);
    expect(k.binPresentations).toBeGreaterThan(10);
    expect(k.planner.searches).toBeGreaterThan(0);
  });

  it('a planner that never finds a way leaves every robot where it is, and nothing breaks', () => {
    // SIPP's counters, with every search refused before it starts (so it counts no search itself).
    let searches = 0;
    const never: PlannerFactory = (ctx) => withPlan(sipp(ctx), () => { searches++; return -1; });
    const sc = loadScenarioFile('scenarios/smoke.json');
    const r = runScenario(sc, { seconds: 120, now: () => 0, check: true, planner: never });
    expect(r.kpis.binPresentations).toBe(0);
    expect(r.kpis.collisions).toBe(0);
    expect(searches).toBeGreaterThan(0);
  });
});
