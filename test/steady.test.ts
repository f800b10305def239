/** Steady state: runs say whether their measured period was steady, and the CLI warms up by default. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WARMUP_SECONDS, runScenario, steadiness } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

describe('steady state', () => {
  it('compares the measured halves: a drift beyond 5 % and beyond counting noise is not steady', () => {
    expect(steadiness(500, 400, 3600)).toEqual({ reached: false, firstHalfPerHour: 1000, secondHalfPerHour: 800, drift: -0.2222 });
    // 10 % apart, but 10 presentations is within 2·sqrt(210) ≈ 29 of counting noise.
    expect(steadiness(100, 110, 3600).reached).toBe(true);
    // Thousands: 2 % apart is steady, 8 % is not.
    expect(steadiness(5000, 5100, 3600).reached).toBe(true);
    expect(steadiness(5000, 5400, 3600).reached).toBe(false);
  });

  it('reports it in the KPIs, the halves adding up to the whole', () => {
    const k = runScenario(loadScenarioFile('scenarios/smoke.json'), { seconds: 1800, warmupSeconds: DEFAULT_WARMUP_SECONDS, now: () => 0 }).kpis;
    expect(k.warmupSeconds).toBe(900);
    const { firstHalfPerHour: a, secondHalfPerHour: b } = k.steadyState;
    expect((a + b) / 2).toBeCloseTo(k.binPresentationsPerHour, 0);
    expect(typeof k.steadyState.reached).toBe('boolean');
  });
});
