/**
 * The warehouse control sees the world through a WorldView: read-only. The writes below are type errors
 * (npm test runs tsc first: were the view writable, the @ts-expect-error lines would fail the build), and
 * the view's one question, cellClaimed, answers for robots standing, parked and heading somewhere.
 */
import { describe, expect, it } from 'vitest';
import { step } from '../sim/step.ts';
import type { WorldView } from '../sim/world-view.ts';
import { World } from '../sim/world.ts';
import { northPort, openGrid } from './support/worlds.ts';

/** Never called: only compiled. */
export function writesTheViewRefuses(w: WorldView): void {
  // @ts-expect-error a bin's place is the simulation's
  w.binCell[0] = 5;
  // @ts-expect-error robots move only by commands
  w.robots.cell[0] = 1;
  // @ts-expect-error stacks change only in step()
  w.grid.stackHeight[3] = 0;
  // @ts-expect-error the grid's stacks cannot be popped from the view
  w.grid.pop(3);
  // @ts-expect-error a port's queue is the simulation's
  w.ports[0]!.queue.push(1);
  // @ts-expect-error nor its clock
  w.tick = 7;
}

describe('the WCS view of the world', () => {
  it('cellClaimed: a robot\'s cell and the goal of a robot on its way are claimed, a free cell is not', () => {
    const w = new World(openGrid({ robotCount: 1, ports: [northPort('P1', 6)] }));
    const view: WorldView = w;
    const here = view.robots.cell[0]!;
    let target = -1;
    for (let c = view.grid.cells - 1; c >= 0 && target < 0; c--) if (view.grid.isParking(c) && c !== here) target = c;
    expect(view.cellClaimed(here)).toBe(true);
    expect(view.cellClaimed(target)).toBe(false);
    step(w, [{ type: 'park', robot: 0, cell: target }]);
    expect(view.cellClaimed(target)).toBe(true);
    expect(typeof writesTheViewRefuses).toBe('function');
  });
});
