import { describe, expect, it } from 'vitest';
import { World } from '../sim/world.ts';
import { step } from '../sim/step.ts';
import { createRng, nextInt } from '../sim/rng.ts';
import type { Command } from '../sim/events.ts';
import { openGrid } from './support/worlds.ts';

/**
 * Dense random robots, each sent to a random distinct cell: all must arrive, with no two robots in one
 * cell at any tick (the world checks every tick and throws on a collision or any other invariant).
 */
function denseRun(seed: number, robots: number, width: number, depth: number): { arrived: number; ticks: number } {
  const w = new World(openGrid({ seed, width, depth, robotCount: robots, binCount: 50, height: 4 }), { check: true });
  const rng = createRng(seed * 7919 + 1);
  const cells = Array.from({ length: w.grid.cells }, (_, i) => i);
  for (let i = cells.length - 1; i > 0; i--) { const j = nextInt(rng, i + 1); [cells[i], cells[j]] = [cells[j]!, cells[i]!]; }
  const cmds: Command[] = [];
  for (let r = 0; r < robots; r++) cmds.push({ type: 'park', robot: r, cell: cells[r]! });
  const goals = cmds.map((c) => (c.type === 'park' ? c.cell : -1));
  // Reached: the robot reported its job done standing on its goal (it may be moved on later, out of
  // the way of others, as idle robots are).
  const reached = new Uint8Array(robots);
  const watch = (events: ReturnType<typeof step>) => {
    for (const e of events) if (e.type === 'jobDone' && w.robots.cell[e.robot] === goals[e.robot]) reached[e.robot] = 1;
  };
  watch(step(w, cmds));
  const limit = 3000; // 5 simulated minutes
  while (w.tick < limit && reached.some((x) => x === 0)) watch(step(w));
  const arrived = reached.reduce((a, b) => a + b, 0);
  expect(w.counters.collisions).toBe(0);
  return { arrived, ticks: w.tick };
}

describe('priority-queue planner: dense random robots', () => {
  const seeds = Array.from({ length: Number(process.env.PLANNER_SEEDS ?? 40) }, (_, i) => i + 1);
  it.each(seeds)('seed %i: 40 robots on 16 x 12 (4.8 cells each) all reach their goals', (seed) => {
    const { arrived, ticks } = denseRun(seed, 40, 16, 12);
    if (arrived !== 40) throw new Error(`seed ${seed}: only ${arrived}/40 arrived in ${ticks} ticks`);
  });

  it('a larger, sparser grid: 150 robots on 40 x 30', () => {
    const { arrived } = denseRun(99, 150, 40, 30);
    expect(arrived).toBe(150);
  });
});
