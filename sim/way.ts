/**
 * Way-clearing: a robot that finds no plan asks robots that are only parked to move off its way. Part of
 * step(): the only writer of World state.
 */
import { parkAside } from './legs.ts';
import { Job, Phase } from './robots.ts';
import type { World } from './world.ts';

/** A robot that is only parked (idle, or parking on its own account and not yet under way) may be moved. */
function evictable(w: World, o: number): boolean {
  const R = w.robots;
  return (R.job[o] === Job.None && R.phase[o] === Phase.Idle)
    || (R.job[o] === Job.Park && R.parkCell[o]! < 0 && R.phase[o] !== Phase.Moving);
}

/** Most cells the way-clearing search visits. */
const CLEAR_WAY_CELLS = 4096;

/**
 * Find a way for robot r to `goal` through cells that are free or held by robots that are only parked
 * (breadth-first over the grid), and send those parked robots elsewhere, away from that way. Their new
 * spots are planned at once; the waiting robot plans again on its next try.
 */
export function clearWay(w: World, r: number, goal: number, port: number): void {
  if (w.scratch.clearing) return;
  const g = w.grid;
  const res = w.res;
  // A goal held by a robot that is busy there cannot be cleared: it will leave by itself.
  const goalOwner = res.foreverOwner(goal);
  if (goalOwner !== -1 && goalOwner !== r && !evictable(w, goalOwner)) return;
  const stamp = ++w.scratch.searchStamp;
  const { seen, prev, queue } = w.scratch;
  const start = w.robots.cell[r]!;
  let head = 0, tail = 0;
  queue[tail++] = start;
  seen[start] = stamp;
  let found = false;
  // Bounded: far detours are the planner's business, this only clears nearby blockages.
  while (head < tail && !found && tail < CLEAR_WAY_CELLS) {
    const c = queue[head++]!;
    for (let d = 0; d < 4; d++) {
      const n = g.step(c, d);
      if (n < 0 || seen[n] === stamp || !w.planner.passable(n, port)) continue;
      const o = res.foreverOwner(n);
      if (o !== -1 && o !== r && !evictable(w, o)) continue;
      seen[n] = stamp;
      prev[n] = c;
      if (n === goal) { found = true; break; }
      queue[tail++] = n;
    }
  }
  if (!found) return;
  // Mark the way so that nobody parks on it, then move whoever is parked there.
  const movers: number[] = [];
  for (let c = goal; c !== start; c = prev[c]!) {
    w.scratch.avoid[c] = stamp;
    const o = res.foreverOwner(c);
    if (o !== -1 && o !== r) movers.push(o);
  }
  w.scratch.clearing = true;
  try {
    for (const o of movers) parkAside(w, o);
  } finally {
    w.scratch.clearing = false;
  }
}
