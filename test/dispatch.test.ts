import { describe, expect, it } from 'vitest';
import { Job, Phase, Step } from '../sim/robots.ts';
import type { World } from '../sim/world.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';
import { ASSIGNMENT } from '../wcs/dispatch/policies.ts';

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
  it('robots left without work go to rest cells (lattice, a quarter of the grid away from the ports); without resting they stay where they stopped', () => {
    /** Share of long-idle robot samples (idle 30 s or more) that stand on a rest cell. */
    const onRestCells = (rest: number) => {
      let n = 0, resting = 0, samples = 0, offLattice = 0;
      let idleFrom: Int32Array | undefined;
      const { kpis } = runScenario(surplus(24), {
        seconds: 600, check: true, now: () => 0, dispatch: { restAfterSeconds: rest },
        onTick: (w) => {
          const R = w.robots;
          idleFrom ??= new Int32Array(R.count).fill(-1);
          let far = 0;
          for (let c = 0; c < w.grid.cells; c++) if (w.grid.isParking(c)) far = Math.max(far, portDistance(w, c));
          for (let r = 0; r < R.count; r++) {
            const idle = R.job[r] === Job.None && R.phase[r] === Phase.Idle;
            if (!idle) { idleFrom[r] = -1; continue; }
            if (idleFrom[r]! < 0) idleFrom[r] = w.tick;
            if (w.tick % 50 !== 0 || w.tick < 1200) continue;
            const c = R.cell[r]!;
            const lattice = (((c % w.grid.width) | ((c / w.grid.width) | 0)) & 1) === 0;
            samples++;
            if (!lattice) offLattice++;
            if (w.tick - idleFrom[r]! < 300) continue;
            n++;
            if (lattice && w.grid.isParking(c) && portDistance(w, c) * 4 >= far) resting++;
          }
        },
      });
      expect(kpis.collisions).toBe(0);
      expect(kpis.stuckRobots).toBe(0);
        return { share: n > 0 ? resting / n : 0, n, offLattice: offLattice / Math.max(1, samples) };
    };
    const resting = onRestCells(5), staying = onRestCells(0);
    expect(resting.n).toBeGreaterThan(50);
    expect(staying.n).toBeGreaterThan(50);
    expect(resting.share).toBeGreaterThan(0.9);
    expect(staying.share).toBeLessThan(resting.share - 0.3);
    // Robots just freed have not gone to rest yet; most idle robot-samples are on lattice cells.
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

describe('dispatch policies', () => {
  it('are named, chosen by the scenario and options, and swapped whole by a benchmark', () => {
    const sc = loadScenarioFile('scenarios/smoke.json');
    const d = runScenario(sc, { seconds: 60, now: () => 0 }).dispatcher;
    expect(Object.fromEntries(Object.entries(d.policies).map(([k, p]) => [k, p.name])))
      .toEqual({
        release: 'look-ahead', binChoice: 'shallow-near-port', portChoice: 'least-work', assignment: 'cost',
        rebinding: 'just-in-time', collection: 'nearest', rest: 'lattice', returns: 'nearest', staging: 'near-port', vacate: 'nearest-parking',
      });
    // The scenario's assignment, and the same policy swapped in through the options: one run.
    const byScenario = loadScenarioFile('scenarios/smoke.json');
    byScenario.wcs.assignment = 'nearest-idle';
    const a = runScenario(byScenario, { seconds: 600, now: () => 0 }).kpis;
    const b = runScenario(loadScenarioFile('scenarios/smoke.json'), { seconds: 600, now: () => 0, dispatch: { policies: { assignment: ASSIGNMENT['nearest-idle'] } } }).kpis;
    expect(b.stateHash).toBe(a.stateHash);
    // A policy of a benchmark's own: rest is asked every 10 ticks, and a grid whose assignment gives no
    // work presents nothing.
    let asked = 0;
    const idle = runScenario(loadScenarioFile('scenarios/smoke.json'), {
      seconds: 60, now: () => 0,
      dispatch: { policies: { assignment: { name: 'never', assign: () => {} }, rest: { name: 'counted', rest: () => { asked++; } } } },
    });
    expect(idle.dispatcher.policies.assignment.name).toBe('never');
    expect(idle.kpis.binPresentations).toBe(0);
    expect(asked).toBe(60);
  });
});
