import { describe, expect, it } from 'vitest';
import { stateHash, World } from '../sim/world.ts';
import { Dispatcher } from '../wcs/dispatch/dispatcher.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

describe('determinism', () => {
  const sc = loadScenarioFile('scenarios/smoke.json');
  const run = (seed: number) => runScenario(sc, { seconds: 300, seed, now: () => 0 }).kpis;

  it('same scenario and seed give the same state hash and KPIs', () => {
    const a = run(7), b = run(7);
    expect(a.stateHash).toBe(b.stateHash);
    expect(a).toEqual(b);
  });

  it('building the WCS draws nothing from the world\'s random stream', () => {
    const alone = new World(sc.world);
    const withWcs = new World(sc.world);
    new Dispatcher(withWcs, sc.wcs);
    expect(stateHash(withWcs)).toBe(stateHash(alone));
    expect(Array.from(withWcs.rng)).toEqual(Array.from(alone.rng));
  });

  it('a different seed gives a different state hash', () => {
    expect(run(7).stateHash).not.toBe(run(8).stateHash);
  });

  it('the invariant check passes on every tick of a run', () => {
    const k = runScenario(loadScenarioFile('scenarios/exxpozed.json'), { seconds: 300, check: true }).kpis;
    expect(k.collisions).toBe(0);
    expect(k.stuckRobots).toBe(0);
    expect(k.binPresentations).toBeGreaterThan(0);
  });
});
