import { describe, expect, it } from 'vitest';
import { checkTrace } from '../wcs/run/check-trace.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

function traceOf(file: string, seconds: number): string[] {
  const lines: string[] = [];
  const res = runScenario(loadScenarioFile(file), { seconds, trace: (l) => lines.push(l) });
  expect(res.kpis.collisions).toBe(0);
  return lines;
}

describe('trace', () => {
  const smoke = traceOf('scenarios/smoke.json', 300);

  it('starts with the header and holds robot intervals and bin events', () => {
    const h = JSON.parse(smoke[0]!);
    expect(h).toMatchObject({ trace: 1, width: 12, depth: 10, height: 6, tickSeconds: 0.1 });
    expect(h.stacks.reduce((a: number, s: [number, number, number[]]) => a + s[2].length, 0)).toBe(350);
    const recs = smoke.slice(1).map((l) => JSON.parse(l));
    expect(recs.some((r) => 'robot' in r && 'from' in r)).toBe(true);
    expect(recs.some((r) => r.event === 'lift' && r.level === null)).toBe(true); // at a port
    expect(recs.some((r) => r.event === 'drop' && typeof r.level === 'number')).toBe(true);
  });

  it('a smoke run validates independently', () => {
    expect(checkTrace(smoke).errors).toEqual([]);
  });

  it('the checker catches two robots in one cell, gaps, jumps and impossible lifts', () => {
    const recs = smoke.map((l) => JSON.parse(l));
    const occ = recs.findIndex((r, i) => i > 0 && 'from' in r && r.robot === 0 && r.to > r.from);
    const o = recs[occ];
    const other = { ...o, robot: 1 };
    expect(checkTrace([...smoke, JSON.stringify(other)]).errors.join()).toMatch(/robots \d and \d both in/);
    const gap = { ...o, x: o.x, from: 10_000, to: 10_001 };
    expect(checkTrace([...smoke, JSON.stringify(gap)]).errors.join()).toMatch(/robot 0: no cell between/);
    const jump = smoke.filter((_, i) => i !== occ + 0).concat(JSON.stringify({ ...o, x: (o.x + 5) % 12, from: o.from, to: o.to }));
    expect(checkTrace(jump).errors.length).toBeGreaterThan(0);
    const lift = recs.findIndex((r) => r.event === 'lift' && typeof r.level === 'number');
    const bad = [...smoke];
    bad[lift] = JSON.stringify({ ...recs[lift], level: recs[lift].level + 1 });
    expect(checkTrace(bad).errors.join()).toMatch(/not the top/);
  });

  it('a 15-minute Polaris trace has no two robots in one cell at overlapping times', () => {
    const rep = checkTrace(traceOf('scenarios/polaris.json', 900));
    expect(rep.robots).toBe(74);
    expect(rep.intervals).toBeGreaterThan(10_000);
    expect(rep.errors).toEqual([]);
  }, 120_000);
});
