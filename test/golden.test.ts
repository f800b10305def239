import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

/**
 * Golden KPI summary of smoke.json over 10 simulated minutes. A change to the simulation or dispatch
 * that moves these numbers must update the file on purpose: `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts`
 * and say why in the commit.
 */
const FILE = 'test/golden/smoke.kpis.json';

describe('golden KPI summary', () => {
  it('smoke.json, 10 simulated minutes, seed 1', () => {
    const k = runScenario(loadScenarioFile('scenarios/smoke.json'), { seconds: 600, now: () => 0 }).kpis;
    const summary = {
      scenario: k.scenario, seed: k.seed, simulatedSeconds: k.simulatedSeconds,
      binPresentations: k.binPresentations, binPresentationsPerHour: k.binPresentationsPerHour,
      ports: k.ports, robots: k.robots, digging: k.digging, orderLines: k.orderLines, orders: k.orders,
      stuckRobots: k.stuckRobots, collisions: k.collisions, stateHash: k.stateHash,
    };
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(FILE, `${JSON.stringify(summary, null, 2)}\n`);
    expect(summary).toEqual(JSON.parse(readFileSync(FILE, 'utf8')));
    expect(k.collisions).toBe(0);
    expect(k.stuckRobots).toBe(0);
  });
});
