/** Small hand-made worlds for unit and property tests. */
import { R5, type PortConfig, type WorldConfig } from '../../sim/config.ts';
import { FOREVER } from '../../sim/planner/reservations.ts';
import type { World } from '../../sim/world.ts';

/** An open grid with no ports, R5 robots and a few bins. */
export function openGrid(over: Partial<WorldConfig> = {}): WorldConfig {
  return {
    name: 'test', seed: 1, tickSeconds: 0.1, width: 20, depth: 16, height: 8, pitchX: 0.705, pitchY: 0.48,
    binHeight: 0.33, blocked: [], chargers: [], robotCount: 1, robotModel: { ...R5 }, ports: [], binCount: 100,
    digPolicy: 'nearest', ...over,
  };
}

/** A carousel port on the north edge at x with one buffer cell. */
export function northPort(id: string, x: number, over: Partial<PortConfig> = {}): PortConfig {
  return {
    id, type: 'carousel', x, y: 0, buffer: [{ x, y: 1 }], queueLimit: 2, binPositions: 3, minCycleSeconds: 8,
    transferSeconds: 2.5, handoverDepth: 1, station: { exchange: { meanSeconds: 3, cv: 0.25 }, line: { meanSeconds: 5, cv: 0.5 }, unit: { meanSeconds: 1.5, cv: 0.5 }, minSeconds: 1, staffed: true }, ...over,
  };
}

/** Move a parked robot to (x, y) before the run starts (test set-up only). */
export function placeRobot(w: World, r: number, x: number, y: number, axis = 0): void {
  const from = w.robots.cell[r]!;
  const to = w.grid.cell(x, y);
  const other = w.res.foreverOwner(to);
  if (other !== -1 && other !== r) throw new Error(`cell (${x},${y}) holds robot ${other}`);
  w.res.removeForever(from, r);
  w.res.insert(to, 0, FOREVER, r, 0);
  w.robots.cell[r] = to;
  w.robots.axis[r] = axis;
}
