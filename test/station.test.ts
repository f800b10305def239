/**
 * The operator at a port: a presentation takes the bin exchange plus a time per order line and per unit
 * of the work the WCS gave the bin; a port's throughput follows the lines per presentation; an unstaffed
 * port gets no work; the old single handling time is refused with what replaced it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PortState } from '../sim/ports.ts';
import { createRng } from '../sim/rng.ts';
import { CommandError, step } from '../sim/step.ts';
import { World } from '../sim/world.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { parseScenario, ScenarioError } from '../wcs/scenario/load.ts';
import { northPort, openGrid } from './support/worlds.ts';

const exact = { exchange: { meanSeconds: 3, cv: 0 }, line: { meanSeconds: 5, cv: 0 }, unit: { meanSeconds: 1.5, cv: 0 }, minSeconds: 1, staffed: true };

/** Ticks the operator spends on one bin carrying `lines` lines and `units` units. */
function presentationTicks(lines: number, units: number): number {
  const port = new PortState(0, northPort('P1', 3, { station: exact, minCycleSeconds: 0, transferSeconds: 0 }), 3, [3, 23], 43, 0.1);
  const binLines = new Uint16Array(4), binUnits = new Uint16Array(4);
  binLines[2] = lines; binUnits[2] = units;
  port.put(2, 0);
  const rng = createRng(1);
  expect(port.advance(0, rng, 0.1, binLines, binUnits)).toBe(1);
  let t = 1;
  while (port.advance(t, rng, 0.1, binLines, binUnits) !== 2) t++;
  // The work is used up by the presentation.
  expect(binLines[2]).toBe(0);
  expect(port.lines).toBe(lines);
  expect(port.units).toBe(units);
  return t;
}

const smoke = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as { ports: Record<string, unknown>[] } & Record<string, unknown>;

describe('the station model', () => {
  it('takes the bin exchange plus a line time per order line and a unit time per unit', () => {
    expect(presentationTicks(0, 0)).toBe(30);
    expect(presentationTicks(1, 1)).toBe(30 + 50 + 15);
    expect(presentationTicks(3, 5)).toBe(30 + 150 + 75);
  });

  it('draws each stage with its variability: the mean holds, the spread is there', () => {
    const st = { exchange: { meanSeconds: 3, cv: 0.25 }, line: { meanSeconds: 5, cv: 0.5 }, unit: { meanSeconds: 1.5, cv: 0.5 }, minSeconds: 0, staffed: true };
    const port = new PortState(0, northPort('P1', 3, { station: st, minCycleSeconds: 0, transferSeconds: 0 }), 3, [3, 23], 43, 0.1);
    const rng = createRng(7);
    const binLines = new Uint16Array(1), binUnits = new Uint16Array(1);
    const times: number[] = [];
    for (let i = 0, t = 0; i < 4000; i++) {
      binLines[0] = 2; binUnits[0] = 3;
      port.put(0, t);
      port.advance(t, rng, 0.1, binLines, binUnits);
      const start = t;
      while (port.advance(++t, rng, 0.1, binLines, binUnits) !== 2);
      times.push((t - start) / 10);
      port.take(t);
      t++;
    }
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    expect(mean).toBeGreaterThan((3 + 10 + 4.5) * 0.97);
    expect(mean).toBeLessThan((3 + 10 + 4.5) * 1.03);
    expect(Math.min(...times)).toBeLessThan(mean * 0.75);
    expect(Math.max(...times)).toBeGreaterThan(mean * 1.3);
  });

  it('a fetch carries the bin\'s work and a work command changes it; bad work is refused', () => {
    const w = new World(openGrid({ robotCount: 1, ports: [northPort('P1', 6)] }));
    let bin = -1;
    for (let c = 0; c < w.grid.cells && bin < 0; c++) bin = w.grid.top(c);
    expect(bin).toBeGreaterThanOrEqual(0);
    step(w, [{ type: 'fetch', robot: 0, bin, port: 0, task: 1, lines: 2, units: 5 }]);
    expect([w.binLines[bin], w.binUnits[bin]]).toEqual([2, 5]);
    step(w, [{ type: 'work', bin, lines: 3, units: 4 }]);
    expect([w.binLines[bin], w.binUnits[bin]]).toEqual([3, 4]);
    expect(() => step(w, [{ type: 'work', bin, lines: -1, units: 0 }])).toThrow(CommandError);
    expect(() => step(w, [{ type: 'work', bin, lines: 1.5, units: 0 }])).toThrow(/lines 1.5/);
    expect(() => step(w, [{ type: 'work', bin: 1e6, lines: 1, units: 0 }])).toThrow(/does not exist/);
  });

  it('a port\'s throughput follows the work per presentation; the KPIs add up', () => {
    // Smoke's two ports bind. Units per line change the work per presentation (and, with bins of 5-20
    // units, how many lines a bin can serve): each run's presentations follow its own work.
    const run = (units: { mean: number; max: number }) => runScenario(parseScenario({
      ...smoke, orders: { ...(smoke.orders as object), unitsPerLine: units },
    }), { seconds: 1800, now: () => 0 }).kpis;
    const few = run({ mean: 1, max: 1 }), many = run({ mean: 3, max: 5 });
    for (const k of [few, many]) {
      const lines = k.ports.reduce((a, p) => a + p.lines, 0);
      expect(k.station.linesPerPresentation).toBeCloseTo(lines / k.binPresentations, 1);
      expect(k.station.linesPerPortHour).toBeCloseTo((lines * 3600) / (2 * 1800), 0);
      expect(k.station.operatorBusyShare).toBeGreaterThan(0.9);
      // The ports' cycle is the station model's for the run's work per presentation ...
      const { linesPerPresentation: l, unitsPerPresentation: u } = k.station;
      expect(k.bounds.portCycleSeconds).toBeCloseTo(Math.max(8, 3 + 5 * l + 1.5 * u), 0);
      // ... and busy ports present what that cycle allows.
      const allowed = (2 * 3600 / k.bounds.portCycleSeconds) * k.station.operatorBusyShare;
      expect(Math.abs(k.binPresentationsPerHour - allowed) / allowed).toBeLessThan(0.08);
    }
    expect(few.station.unitsPerPresentation).toBeCloseTo(few.station.linesPerPresentation, 5);
    expect(many.station.unitsPerPresentation).toBeGreaterThan(1.5 * many.station.linesPerPresentation);
    // The run with more work per presentation presents fewer bins.
    const [heavy, light] = few.bounds.portCycleSeconds > many.bounds.portCycleSeconds ? [few, many] : [many, few];
    expect(heavy.binPresentationsPerHour).toBeLessThan(light.binPresentationsPerHour);
  });

  it('an unstaffed port gets no work; a grid with no staffed port is refused', () => {
    const ports = [{ ...smoke.ports[0], count: 1 }, { id: 'Q1', type: 'conveyor', edge: 'north', x: 9, y: 0, station: { staffed: false } }];
    const k = runScenario(parseScenario({ ...smoke, ports }), { seconds: 900, now: () => 0 }).kpis;
    const q = k.ports.find((p) => p.id === 'Q1')!;
    expect(q.staffed).toBe(false);
    expect(q.presentations).toBe(0);
    expect(k.binPresentations).toBeGreaterThan(0);
    const none = [{ ...smoke.ports[0], station: { staffed: false } }];
    expect(() => parseScenario({ ...smoke, ports: none })).toThrow(/ports: expected at least one port with station.staffed true/);
  });

  it('refuses the old single handling time and says what replaced it', () => {
    const old = [{ ...smoke.ports[0], handling: { meanSeconds: 8 } }];
    let err: unknown;
    try { parseScenario({ ...smoke, ports: old }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).field).toBe('ports[0].handling');
    expect((err as Error).message).toMatch(/station: \{exchange, line, unit\}/);
  });
});
