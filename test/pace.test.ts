/**
 * The WCS sizes its work from the grid's pace: a port takes as many robots heading for it as keep it fed
 * (its queue plus the robots on the way during one trip at its cycle), and the look-ahead holds
 * `lookaheadSeconds` of work at the rate the grid achieves (AutoStore: about 500 tasks for 1,000 bins/h).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../wcs/run/runner.ts';
import { parseScenario } from '../wcs/scenario/load.ts';

const smoke = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as Record<string, unknown> & { robots: object; ports: object[]; inventory: object };

describe('sizing from the grid\'s pace', () => {
  it('two quick ports and twenty robots: the ports take the whole fleet, nobody stands idle', () => {
    // Operators at the 8 s minimum cycle: the trip (over a minute) needs many robots on the way per port.
    const ports = smoke.ports.map((p) => ({ ...p, station: { exchange: { meanSeconds: 1 }, line: { meanSeconds: 0 }, unit: { meanSeconds: 0 } } }));
    const sc = parseScenario({ ...smoke, grid: { width: 40, depth: 30, height: 8 }, robots: { ...smoke.robots, count: 20 },
      bins: { count: 6000 }, inventory: { ...smoke.inventory, skus: 3000 }, ports });
    const r = runScenario(sc, { seconds: 1800, warmupSeconds: 300, now: () => 0 });
    expect(r.kpis.robotTime.idle.share).toBeLessThan(0.05);
    // The allowance is the queue plus a trip's worth of robots at the port's cycle (and one spare).
    const trip = r.dispatcher.tripTicks, cycle = r.dispatcher.portCycle[0]!;
    expect(r.dispatcher.inboundLimit(r.world, 0)).toBe(2 + Math.ceil(trip / cycle) + 1);
    expect(trip / cycle).toBeGreaterThan(4);
    expect(r.kpis.collisions).toBe(0);
  });

  it('keeps lookaheadSeconds of work at the achieved rate', () => {
    for (const lookaheadSeconds of [900, 1800]) {
      const sc = parseScenario({ ...smoke, dispatch: { lookaheadSeconds }, robots: { ...smoke.robots, count: 6 }, grid: { width: 20, depth: 16, height: 6 },
        bins: { count: 1200 }, inventory: { ...smoke.inventory, skus: 1000 } });
      const r = runScenario(sc, { seconds: 3600, warmupSeconds: 600, now: () => 0 });
      const expected = (r.kpis.binPresentationsPerHour * lookaheadSeconds) / 3600;
      const tasks = r.dispatcher.lookahead(r.world);
      expect(Math.abs(tasks - expected) / expected).toBeLessThan(0.25);
    }
  });
});
