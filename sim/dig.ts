/**
 * Placement: where a robot sets down a bin it dug out of the way, and where a bin coming back from a port
 * goes (inside the home area the warehouse control gave it, when it has room). Both pick a stack top with
 * room that nobody is heading for and that holds no bin a fetch is after (such a stack must not be
 * covered), at the least estimated cost (drive there plus lower the bin). Natural sorting emerges:
 * returned bins land on top near the ports. And where a robot may wait: a staging cell the warehouse
 * control gave its port, or (stepping out of someone's way) the nearest free parking cell.
 */
import type { Area } from './events.ts';
import type { Grid } from './grid.ts';
import { driveLowerBound } from './kinematics.ts';
import type { World } from './world.ts';

/** Estimated ticks to drive from `from` to `to` (the planner's lower bound) and lower a bin there. */
function placementCost(w: World, from: number, axis: number, to: number, loaded: number): number {
  return driveLowerBound(w.tables, w.switchTicks, w.grid.width, from, axis, to, loaded) + w.lowerTicks[w.grid.stackHeight[to]!]!;
}

/** Can a bin be set down on stack `cell` now, by robot `robot`? */
export function canPlace(w: World, cell: number, robot: number): boolean {
  const g = w.grid;
  if (!g.isStorage(cell) || g.stackHeight[cell]! >= g.height || g.protectedCount[cell]! > 0) return false;
  const o = w.res.foreverOwner(cell);
  if (o !== -1 && o !== robot) return false;
  const gl = w.goalOf[cell]!;
  return gl === -1 || gl === robot;
}

/**
 * The cheapest stack to set a bin on within rings of growing radius around `origin`, inside `area` when
 * given; -1 if none within `maxRadius`. Stops once a ring cannot beat the best found.
 */
function ringSearch(w: World, robot: number, origin: number, maxRadius: number, area: Area | null): number {
  const axis = w.robots.axis[robot]!;
  const width = w.grid.width;
  let best = -1;
  let bestCost = 0x7fffffff;
  const visit = (c: number) => {
    if (area && !inArea(area, c % width, (c / width) | 0)) return;
    if (!canPlace(w, c, robot)) return;
    const cost = placementCost(w, origin, axis, c, 1);
    if (cost < bestCost || (cost === bestCost && c < best)) { bestCost = cost; best = c; }
  };
  for (let r = 1; r <= maxRadius; r++) {
    // The cheapest any cell at Chebyshev radius r can be: a straight run of r cells.
    const floor = Math.min(w.tables[1]!.arrive[r]!, w.tables[3]!.arrive[r]!); // loaded, along x and along y
    if (best >= 0 && floor > bestCost) break;
    ring(w.grid, origin, r, visit);
  }
  return best;
}

function inArea(a: Area, x: number, y: number): boolean {
  return x >= a.x0 && x <= a.x1 && y >= a.y0 && y <= a.y1;
}

/** Visit the cells at Chebyshev distance exactly r from `origin` that lie on the grid. */
export function ring(g: Pick<Grid, 'width' | 'depth'>, origin: number, r: number, visit: (cell: number) => void): void {
  const ox = origin % g.width, oy = (origin / g.width) | 0;
  for (let dy = -r; dy <= r; dy++) {
    const y = oy + dy;
    if (y < 0 || y >= g.depth) continue;
    const full = dy === -r || dy === r;
    for (let dx = -r; dx <= r; dx += full ? 1 : 2 * r) {
      const x = ox + dx;
      if (x >= 0 && x < g.width) visit(y * g.width + x);
    }
  }
}

/** Where to set down a bin dug out from above the target in stack `target` ('nearest' policy). */
export function chooseAside(w: World, robot: number, target: number): number {
  return ringSearch(w, robot, target, Math.max(w.grid.width, w.grid.depth), null);
}

/**
 * Where a bin coming back from a port goes: the cheapest stack with room inside the home area the
 * warehouse control gave the bin, or, without one or with that area full, anywhere.
 */
export function chooseReturn(w: World, robot: number, bin: number): number {
  const from = w.robots.cell[robot]!;
  const radius = Math.max(w.grid.width, w.grid.depth);
  const home = w.binHome[bin]!;
  if (home > 0) {
    const c = ringSearch(w, robot, from, radius, w.homeAreas[home - 1]!);
    if (c >= 0) return c;
  }
  return ringSearch(w, robot, from, radius, null);
}

/**
 * Can a robot wait on `cell` now, out of everyone's way: a parking cell nobody holds or is heading for,
 * over no stack a fetch is after, not on a way being cleared for another robot?
 */
function canWait(w: World, c: number): boolean {
  return w.grid.isParking(c) && w.grid.protectedCount[c]! === 0 && w.res.foreverOwner(c) === -1 && w.goalOf[c] === -1
    && w.scratch.avoid[c] !== w.scratch.searchStamp;
}

/** The nearest cell to where the robot stands where it may wait (ties: the lowest cell index); -1: none. */
export function chooseParking(w: World, robot: number): number {
  const g = w.grid;
  const origin = w.robots.cell[robot]!;
  let best = -1;
  const visit = (c: number) => {
    if (canWait(w, c) && (best < 0 || c < best)) best = c;
  };
  const R = Math.max(g.width, g.depth);
  for (let r = 1; r <= R && best < 0; r++) ring(g, origin, r, visit);
  return best;
}

/** Where a robot not yet admitted to `port`'s queue waits: the first free cell of the port's staging list; -1: where it stands. */
export function chooseStaging(w: World, port: number): number {
  const cells = w.staging[port]!;
  for (let i = 0; i < cells.length; i++) if (canWait(w, cells[i]!)) return cells[i]!;
  return -1;
}
