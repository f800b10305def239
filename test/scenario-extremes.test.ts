/**
 * An accepted scenario runs right: the ends of every range the schema allows run with the full invariant
 * check on every tick (no jump between cells, every bin in one place, no two robots in one cell).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../wcs/scenario/load.ts';
import { runScenario } from '../wcs/run/runner.ts';
import type { ScenarioFile } from '../wcs/scenario/types.ts';

const smoke = JSON.parse(readFileSync(new URL('../scenarios/smoke.json', import.meta.url), 'utf8')) as ScenarioFile;

const slow = { topSpeed: 0.1, topSpeedLoaded: 0.1, accel: 0.05, decel: 0.05, accelLoaded: 0.05, decelLoaded: 0.05,
  liftSpeed: 0.05, gripSeconds: 60, wheelSwitchSeconds: 60 };
const fast = { topSpeed: 10, topSpeedLoaded: 10, accel: 20, decel: 20, accelLoaded: 20, decelLoaded: 20,
  liftSpeed: 10, gripSeconds: 0, wheelSwitchSeconds: 0 };

const cases: [string, (f: ScenarioFile) => void][] = [
  ['the longest tick', (f) => { f.tickSeconds = 0.15; }],
  ['the shortest tick', (f) => { f.tickSeconds = 0.01; }],
  ['the slowest robots', (f) => { f.robots.kinematics = slow; }],
  ['the fastest robots, on a tick they allow', (f) => { f.tickSeconds = 0.04; f.robots.kinematics = fast; }],
  ['the slowest ports', (f) => {
    for (const p of f.ports) Object.assign(p, { minCycleSeconds: 600, transferSeconds: 600, station: { exchange: { meanSeconds: 600, cv: 3 }, line: { meanSeconds: 600, cv: 3 }, unit: { meanSeconds: 600, cv: 3 }, minSeconds: 600 } });
  }],
  ['instant ports', (f) => {
    for (const p of f.ports) Object.assign(p, { minCycleSeconds: 0, transferSeconds: 0, station: { exchange: { meanSeconds: 0, cv: 0 }, line: { meanSeconds: 0 }, unit: { meanSeconds: 0 }, minSeconds: 0 } });
  }],
  ['the widest pitch and tallest bins', (f) => { f.grid.pitch = { x: 3, y: 3 }; f.grid.binHeight = 1; }],
  ['the narrowest pitch and flattest bins', (f) => { f.grid.pitch = { x: 0.2, y: 0.2 }; f.grid.binHeight = 0.1; f.tickSeconds = 0.05; }],
];

describe('the ends of the accepted ranges', () => {
  it.each(cases)('%s run with every invariant held', (_label, mutate) => {
    const f = structuredClone(smoke);
    mutate(f);
    const r = runScenario(parseScenario(f), { seconds: 600, check: true });
    expect(r.kpis.collisions).toBe(0);
    expect(r.kpis.simulatedSeconds).toBe(600);
  }, 60_000);
});
