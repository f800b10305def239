/**
 * Motion: committing a planned leg to the reservation table (all or nothing) and following it tick by
 * tick (the cell under the robot's centre and the cells its body covers). Part of step(): the only
 * writer of World state.
 */
import { DX, DY } from './grid.ts';
import { positionAt } from './kinematics.ts';
import { setGoal } from './legs.ts';
import { FOREVER } from './planner/reservations.ts';
import { leaveQueue } from './port-queue.ts';
import { MAX_PLAN_RUNS, Phase } from './robots.ts';
import type { World } from './world.ts';

/** Cells: a body this close to a cell boundary counts as on it (float error in the speed profile). */
const POSITION_EPSILON = 1e-9;

/**
 * Update position along the committed plan (the cell under the centre, and the cells the body covers).
 * Returns false when the plan is done (the robot has arrived).
 */
export function move(w: World, r: number): boolean {
  const R = w.robots;
  const g = w.grid;
  const t = w.tick;
  const base = r * MAX_PLAN_RUNS;
  let i = R.planIdx[r]!;
  const n = R.planCount[r]!;
  while (i < n) {
    const dir = R.planDir[base + i]!;
    const k = R.planK[base + i]!;
    const table = w.tables[(dir >> 1) * 2 + (R.bin[r]! >= 0 ? 1 : 0)]!;
    if (t >= R.planDepart[base + i]! + table.arrive[k]!) { i++; continue; }
    const from = R.planFrom[base + i]!;
    const depart = R.planDepart[base + i]!;
    if (t < depart) {
      R.cell[r] = from; w.scratch.occA[r] = from; w.scratch.occB[r] = -1;
    } else {
      R.progressAt[r] = t;
      const s = positionAt(table.profiles[k]!, (t - depart) * w.tickSeconds) / table.pitch;
      const stride = DX[dir]! + DY[dir]! * g.width;
      const lo = Math.floor(s + POSITION_EPSILON);
      const hi = Math.ceil(s - POSITION_EPSILON);
      w.scratch.occA[r] = from + stride * lo;
      w.scratch.occB[r] = hi !== lo ? from + stride * hi : -1;
      R.cell[r] = from + stride * Math.round(s);
      R.axis[r] = dir >> 1;
    }
    R.planIdx[r] = i;
    return true;
  }
  R.planIdx[r] = n;
  R.cell[r] = R.goal[r]!;
  w.scratch.occA[r] = R.cell[r]!; w.scratch.occB[r] = -1;
  return false;
}

/**
 * Reserve the planner's result for robot r and start executing it. All or nothing: if a cell has no
 * free slot for an interval, everything this commit wrote is taken back and it returns false.
 */
export function commit(w: World, r: number, goal: number, arrival: number): boolean {
  const R = w.robots;
  const res = w.res;
  const out = w.planner.out;
  const g = w.grid;
  const loaded = R.bin[r]! >= 0 ? 1 : 0;
  const now = w.tick;
  const start = R.cell[r]!;
  let held = res.removeForever(start, r);
  if (held < 0) held = R.heldSince[r]!;
  const written = w.scratch.written; // (cell, start) pairs written so far, for undoing
  let nWritten = 0;
  const put = (cell: number, a: number, b: number): boolean => {
    if (!res.insert(cell, a, b, r, now)) return false;
    written[nWritten++] = cell;
    written[nWritten++] = a;
    return true;
  };
  let ok = true;
  let prevEnter = held;
  for (let i = 0; i < out.count && ok; i++) {
    const dir = out.dir[i]!;
    const k = out.k[i]!;
    const depart = out.depart[i]!;
    const table = w.tables[(dir >> 1) * 2 + loaded]!;
    const o = table.off(k);
    const stride = DX[dir]! + DY[dir]! * g.width;
    // The stop this run departs from is held from when the robot entered it until it has left.
    let c = out.from[i]!;
    ok = put(c, prevEnter, depart + table.exit[o]!);
    for (let j = 1; j < k && ok; j++) {
      c += stride;
      ok = put(c, depart + table.enter[o + j]!, depart + table.exit[o + j]!);
    }
    prevEnter = depart + table.enter[o + k]!;
  }
  if (ok) ok = put(goal, prevEnter, FOREVER);
  if (!ok) {
    for (let i = 0; i < nWritten; i += 2) res.remove(written[i]!, written[i + 1]!, r);
    res.insert(start, held, FOREVER, r, now);
    return false;
  }
  const trace = w.opts.trace === true;
  if (trace) {
    for (let i = 0; i + 1 < nWritten; i += 2) {
      const cell = written[i]!;
      if (i + 2 >= nWritten) break; // the goal's interval is written when the robot leaves it
      w.events.push({ type: 'occupy', robot: r, cell, from: written[i + 1]!, to: intervalEnd(res, cell, written[i + 1]!, r) });
    }
  }
  const base = r * MAX_PLAN_RUNS;
  for (let i = 0; i < out.count; i++) {
    R.planFrom[base + i] = out.from[i]!;
    R.planDir[base + i] = out.dir[i]!;
    R.planK[base + i] = out.k[i]!;
    R.planDepart[base + i] = out.depart[i]!;
  }
  R.heldSince[r] = prevEnter;
  R.planCount[r] = out.count;
  R.planIdx[r] = 0;
  setGoal(w, r, goal);
  R.phase[r] = Phase.Moving;
  R.busyUntil[r] = arrival;
  // Leaving a port cell frees the robot's place in that port's queue.
  const p = g.portOf[start]!;
  if (p >= 0 && w.ports[p]!.cell === start) leaveQueue(w, r, p);
  return true;
}

/** End of robot r's interval starting at s in cell (just written). */
function intervalEnd(res: World['res'], cell: number, s: number, r: number): number {
  const base = cell * res.slots;
  for (let i = 0; i < res.count[cell]!; i++) if (res.owner[base + i] === r && res.start[base + i] === s) return res.end[base + i]!;
  return s;
}
