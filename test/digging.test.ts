import { describe, expect, it } from 'vitest';
import { World } from '../sim/world.ts';
import { step } from '../sim/step.ts';
import { Job } from '../sim/robots.ts';
import type { Command, WorldEvent } from '../sim/events.ts';
import { createRng, nextInt } from '../sim/rng.ts';
import { northPort, openGrid } from './support/worlds.ts';

/** Fetch the bin `depth` below the top of some full-enough stack; returns what the world reports. */
function fetchAtDepth(depth: number, seed: number) {
  const w = new World(openGrid({ seed, width: 14, depth: 12, height: 8, binCount: 1200, robotCount: 1, ports: [northPort('P1', 6)] }), { check: true });
  const g = w.grid;
  let cell = -1;
  for (let c = 0; c < g.cells; c++) if (g.isStorage(c) && g.stackHeight[c]! > depth) { cell = c; break; }
  const h = g.stackHeight[cell]!;
  const bin = g.stackBins[cell * g.height + h - 1 - depth]!;
  const aside0 = w.counters.binsMovedAside;
  let fetched: Extract<WorldEvent, { type: 'fetched' }> | undefined;
  let events = step(w, [{ type: 'fetch', robot: 0, bin, port: 0, task: 1 }]);
  while (!fetched && w.tick < 20_000) {
    fetched = events.find((e) => e.type === 'fetched') as typeof fetched;
    events = step(w);
  }
  return { fetched, moved: w.counters.binsMovedAside - aside0, stackAfter: g.stackHeight[cell]!, h, bin };
}

describe('digging', () => {
  for (const d of [0, 1, 2, 3, 5, 7]) {
    it(`a bin at depth ${d} costs exactly ${d} bins moved aside`, () => {
      const r = fetchAtDepth(d, 3 + d);
      expect(r.fetched?.bin).toBe(r.bin);
      expect(r.fetched?.depth).toBe(d);
      expect(r.moved).toBe(d);
      expect(r.stackAfter).toBe(r.h - 1 - d);
    });
  }

  it('never overfills a stack, even on a nearly full grid with several robots digging deep', () => {
    // 10 x 10 grid, port + buffer + streets take 8 cells; 92 stacks of 6 = 552 slots, 540 bins.
    const w = new World(openGrid({ seed: 11, width: 10, depth: 10, height: 6, binCount: 480, robotCount: 4, ports: [northPort('P1', 4)] }), { check: true });
    const rng = createRng(5);
    let cmds: Command[] = [];
    let fetched = 0;
    for (let t = 0; t < 12_000 && fetched < 25; t++) {
      const events = step(w, cmds);
      cmds = [];
      fetched += events.filter((e) => e.type === 'fetched').length;
      for (let r = 0; r < 4; r++) {
        if (w.robots.job[r] !== Job.None) continue;
        // The deepest bin of a random stack.
        const c = nextInt(rng, w.grid.cells);
        if (!w.grid.isStorage(c) || w.grid.stackHeight[c]! === 0 || w.grid.protectedCount[c]! > 0) continue;
        const bin = w.grid.stackBins[c * w.grid.height]!;
        if (w.binTargeted[bin]) continue;
        cmds.push({ type: 'fetch', robot: r, bin, port: 0, task: t });
      }
    }
    expect(fetched).toBeGreaterThanOrEqual(25);
    for (let c = 0; c < w.grid.cells; c++) expect(w.grid.stackHeight[c]!).toBeLessThanOrEqual(6);
    expect(w.counters.collisions).toBe(0);
  }, 60_000);
});
