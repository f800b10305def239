/**
 * The fleet's time split books every robot-tick by what the robot does from that tick on: a robot that
 * never waits books no traffic; the drives of a dig are digging; robots queueing at a slow port are not
 * stuck.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Phase, TimeCat } from '../sim/robots.ts';
import { step } from '../sim/step.ts';
import { World } from '../sim/world.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { parseScenario } from '../wcs/scenario/load.ts';
import { northPort, openGrid } from './support/worlds.ts';

const smoke = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as Record<string, unknown> & { robots: { count: number }; ports: Record<string, unknown>[] };

describe('the fleet\'s time split', () => {
  it('a lone robot books no traffic waiting, and the fleet bound is what it achieves', () => {
    // Quick operators (the 8 s minimum cycle binds them), so that the robot never waits for a port either.
    const ports = smoke.ports.map((p) => ({ ...p, station: { exchange: { meanSeconds: 1 }, line: { meanSeconds: 0 }, unit: { meanSeconds: 0 } } }));
    const sc = parseScenario({ ...smoke, ports, robots: { ...smoke.robots, count: 1 } });
    const k = runScenario(sc, { seconds: 1800, now: () => 0 }).kpis;
    expect(k.robotTime.trafficWaiting.seconds).toBe(0);
    expect(k.robotTime.portQueueing.seconds).toBe(0);
    const total = Object.values(k.robotTime).reduce((s, c) => s + c.seconds, 0);
    expect(Math.abs(total - 1800)).toBeLessThanOrEqual(1);
    // Only the tick between one job and the next is idle: the bound is within 2 % of the achieved rate.
    expect(k.bounds.efficiency).toBeGreaterThan(0.98);
    expect(k.bounds.efficiency).toBeLessThanOrEqual(1.005);
  });

  it('the drives of a dig (a covering bin aside, back to the stack) are digging, not moving', () => {
    const w = new World(openGrid({ seed: 5, width: 14, depth: 12, height: 8, binCount: 1200, robotCount: 1, ports: [northPort('P1', 6)] }), { check: true });
    const g = w.grid;
    let cell = -1;
    for (let c = 0; c < g.cells; c++) if (g.isStorage(c) && g.stackHeight[c]! > 3) { cell = c; break; }
    const bin = g.stackBins[cell * g.height + g.stackHeight[cell]! - 4]!; // three bins above it
    let events = step(w, [{ type: 'fetch', robot: 0, bin, port: 0, task: 1 }]);
    let emptyAtStack = -1;
    const digDrives = { ticks: 0 };
    // The split up to the tick the target is lifted out (that tick already books the drive to the port).
    let before = Float64Array.from(w.counters.timeTicks);
    while (!events.some((e) => e.type === 'fetched') && w.tick < 20_000) {
      if (emptyAtStack < 0 && w.robots.phase[0] === Phase.Grip) emptyAtStack = w.counters.timeTicks[TimeCat.MovingEmpty]!;
      if (emptyAtStack >= 0 && w.robots.phase[0] === Phase.Moving) digDrives.ticks++;
      before = Float64Array.from(w.counters.timeTicks);
      events = step(w);
    }
    expect(w.counters.binsMovedAside).toBe(3);
    // The robot drove covering bins aside and back ...
    expect(digDrives.ticks).toBeGreaterThan(0);
    // ... and none of it was booked as moving: from its arrival at the stack on, every tick is digging.
    expect(before[TimeCat.MovingEmpty]).toBe(emptyAtStack);
    expect(before[TimeCat.MovingLoaded]).toBe(0);
    expect(before[TimeCat.TrafficWaiting]).toBe(0);
    expect(before[TimeCat.Digging]).toBeGreaterThan(digDrives.ticks);
  });

  it('robots queueing at a slow port are not stuck; the port works all along', () => {
    // Two ports, twenty robots and 40 s operators: most of the fleet waits at the ports for minutes.
    const ports = smoke.ports.map((p) => ({ ...p, station: { exchange: { meanSeconds: 40, cv: 0.5 } } }));
    const sc = parseScenario({ ...smoke, grid: { width: 24, depth: 20, height: 6 }, robots: { ...smoke.robots, count: 16 }, ports, bins: { count: 1000 } });
    const k = runScenario(sc, { seconds: 3600, now: () => 0 }).kpis;
    expect(k.robotTime.portQueueing.share).toBeGreaterThan(0.3);
    expect(k.stuckRobots).toBe(0);
    expect(k.collisions).toBe(0);
  });
});
