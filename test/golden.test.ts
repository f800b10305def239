import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile, parseScenario } from '../wcs/scenario/load.ts';
import type { LoadedScenario } from '../wcs/scenario/types.ts';

/**
 * Golden KPI summaries over 10 simulated minutes, seed 1: smoke.json as it is (shallow stacks: it never
 * digs), and smoke with its stacks nearly full and one bin per SKU (every SKU in one bin: it digs, moving bins aside). A change
 * to the simulation or dispatch that moves these numbers must update the files on purpose:
 * `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts` and say why in the commit.
 */
function digging(): LoadedScenario {
  const f = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as Record<string, any>;
  return parseScenario({ ...f, name: 'smoke-digging', bins: { count: 500 }, inventory: { ...f.inventory, skus: 500 } });
}

const cases: [string, string, () => LoadedScenario][] = [
  ['smoke.json', 'test/golden/smoke.kpis.json', () => loadScenarioFile('scenarios/smoke.json')],
  ['smoke with nearly full stacks (digging)', 'test/golden/smoke-digging.kpis.json', digging],
];

describe('golden KPI summary', () => {
  it.each(cases)('%s, 10 simulated minutes, seed 1', (_name, file, scenario) => {
    const k = runScenario(scenario(), { seconds: 600, now: () => 0 }).kpis;
    const summary = {
      scenario: k.scenario, seed: k.seed, simulatedSeconds: k.simulatedSeconds,
      binPresentations: k.binPresentations, binPresentationsPerHour: k.binPresentationsPerHour,
      ports: k.ports, robots: k.robots, digging: k.digging, orderLines: k.orderLines, orders: k.orders,
      stuckRobots: k.stuckRobots, collisions: k.collisions, stateHash: k.stateHash,
    };
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    expect(summary).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    expect(k.collisions).toBe(0);
    expect(k.stuckRobots).toBe(0);
  });

  it('the digging golden digs', () => {
    const g = JSON.parse(readFileSync('test/golden/smoke-digging.kpis.json', 'utf8')) as { digging: { binsMovedAside: number; meanDepth: number; retrievals: number } };
    expect(g.digging.binsMovedAside).toBeGreaterThanOrEqual(10);
    expect(g.digging.meanDepth).toBeGreaterThan(0.1);
  });
});
