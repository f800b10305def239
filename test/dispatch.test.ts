import { describe, expect, it } from 'vitest';
import { Job, Phase, Step } from '../sim/robots.ts';
import type { World } from '../sim/world.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

/** Smoke with more robots than its two ports can keep busy. */
function surplus(robots: number) {
  const sc = loadScenarioFile('scenarios/smoke.json');
  sc.world.robotCount = robots;
  return sc;
}

/** Cells from `cell` to the nearest port cell (Manhattan). */
function portDistance(w: World, cell: number): number {
  const g = w.grid;
  return Math.min(...w.ports.map((p) => Math.abs(p.cfg.x - (cell % g.width)) + Math.abs(p.cfg.y - ((cell / g.width) | 0))));
}

describe('dispatch with robots to spare', () => {
  it('robots left without work rest on the lattice away from the ports, and resting keeps them farther out than waiting where they stopped', () => {
    const meanIdleDistance = (rest: number) => {
      let sum = 0, n = 0, offLattice = 0;
      const { kpis } = runScenario(surplus(24), {
        seconds: 600, check: true, now: () => 0, dispatch: { restAfterSeconds: rest },
        onTick: (w) => {
          if (w.tick % 50 !== 0 || w.tick < 1200) return;
          const R = w.robots;
          for (let r = 0; r < R.count; r++) {
            if (R.job[r] !== Job.None || R.phase[r] !== Phase.Idle) continue;
            sum += portDistance(w, R.cell[r]!); n++;
            const c = R.cell[r]!;
            if (((c % w.grid.width) | ((c / w.grid.width) | 0)) & 1) offLattice++;
          }
        },
      });
      expect(kpis.collisions).toBe(0);
      expect(kpis.stuckRobots).toBe(0);
      expect(n).toBeGreaterThan(0);
      return { mean: sum / n, offLattice: offLattice / n };
    };
    const resting = meanIdleDistance(5), staying = meanIdleDistance(0);
    expect(resting.mean).toBeGreaterThan(staying.mean + 1);
    // Robots just freed have not gone to rest yet; most idle robot-samples are on rest cells.
    expect(resting.offLattice).toBeLessThan(0.35);
    expect(staying.offLattice).toBeGreaterThan(resting.offLattice);
  });

  it('robots waiting to be let into a port queue wait on lattice cells (even row and column), never in a solid line', () => {
    let waited = 0;
    runScenario(surplus(24), {
      seconds: 300, now: () => 0,
      onTick: (w) => {
        const R = w.robots;
        for (let r = 0; r < R.count; r++) {
          // Arrived where it waits: holding, not yet in the queue.
          if (R.step[r] !== Step.ToPort || R.phase[r] !== Phase.Hold) continue;
          if (w.ports[R.jobPort[r]!]!.queue.includes(r)) continue;
          const c = R.cell[r]!;
          expect(((c % w.grid.width) | ((c / w.grid.width) | 0)) & 1, `robot ${r} waits at cell ${c}`).toBe(0);
          waited++;
        }
      },
    });
    expect(waited).toBeGreaterThan(0);
  });
});

describe('just-in-time binding', () => {
  it('moves single-line tasks to a bin already coming or a shallower one before they start, keeping stock, lines and tasks consistent', () => {
    const sc = loadScenarioFile('scenarios/polaris.json');
    const { dispatcher: d, kpis } = runScenario(sc, { seconds: 900, now: () => 0, dispatch: { rebind: true } });
    expect(d.rebound).toBeGreaterThan(0);
    expect(d.inventory.audit()).toEqual([]);
    expect(kpis.collisions).toBe(0);
    // Every pending task's lines are reserved on its bin, and that bin has the stock reserved.
    const need = new Map<string, number>();
    for (const task of d.pending) {
      for (const id of task.lines) {
        const l = d.book.line(id)!;
        expect(l.bin).toBe(task.bin);
        const k = `${task.bin}:${l.sku}`;
        need.set(k, (need.get(k) ?? 0) + l.qty);
      }
      expect(d.tasks.forBin(task.bin)).toBe(task);
    }
    for (const [k, qty] of need) {
      const [bin, sku] = k.split(':').map(Number) as [number, number];
      expect(d.inventory.reservedInBin(bin, sku)).toBeGreaterThanOrEqual(qty);
    }
    // Rebinding only moves a line to a cheaper bin: the run digs less than the same run without it, and
    // each presentation serves more lines.
    const plain = runScenario(sc, { seconds: 900, now: () => 0, dispatch: { rebind: false } });
    expect(plain.dispatcher.rebound).toBe(0);
    expect(kpis.digging.meanDepth).toBeLessThan(plain.kpis.digging.meanDepth);
    const perPresentation = (k: typeof kpis) => k.orderLines.completed / k.binPresentations;
    expect(perPresentation(kpis)).toBeGreaterThan(perPresentation(plain.kpis));
  });
});
