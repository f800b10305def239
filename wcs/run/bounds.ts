/**
 * Throughput bounds for a run, to judge how close the planner and dispatcher get to what the hardware
 * allows:
 * - ports: each staffed port could present 3600 / effective cycle bins an hour, the effective cycle being
 *   max(minimum port cycle, the operator's mean time for the run's mean work per presentation: bin
 *   exchange + lines × line time + units × unit time);
 * - fleet: robots x 3600 / the mean uncongested cycle, where the uncongested cycle is a retrieval's share
 *   of the fleet's working time (driving, digging, handling at ports) — everything the robots did except
 *   waiting (in traffic, for a port, idle);
 * - efficiency = achieved / the smaller bound.
 * Pure.
 */
import type { PortConfig } from '../../sim/config.ts';

/** A port's cycle for presentations carrying `lines` order lines and `units` units on average. */
export function effectiveCycleSeconds(p: PortConfig, lines: number, units: number): number {
  const st = p.station;
  return Math.max(p.minCycleSeconds, st.minSeconds, st.exchange.meanSeconds + lines * st.line.meanSeconds + units * st.unit.meanSeconds);
}

export interface Bounds {
  portPerHour: number;
  fleetPerHour: number;
  /** Mean effective port cycle (s) and the fleet's mean uncongested cycle per retrieval (s). */
  portCycleSeconds: number;
  uncongestedCycleSeconds: number;
  efficiency: number;
}

export function bounds(ports: readonly PortConfig[], robots: number, workRobotSeconds: number, retrievals: number,
  achievedPerHour: number, work: { lines: number; units: number }): Bounds {
  const cycles = ports.filter((p) => p.station.staffed).map((p) => effectiveCycleSeconds(p, work.lines, work.units));
  const portPerHour = cycles.reduce((a, c) => a + 3600 / c, 0);
  const uncongested = retrievals > 0 ? workRobotSeconds / retrievals : Infinity;
  const fleetPerHour = retrievals > 0 ? (robots * 3600) / uncongested : 0;
  const limit = Math.min(portPerHour, fleetPerHour);
  const r = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    portPerHour: r(portPerHour, 0), fleetPerHour: r(fleetPerHour, 0),
    portCycleSeconds: r(cycles.reduce((a, c) => a + c, 0) / Math.max(1, cycles.length), 2),
    uncongestedCycleSeconds: r(uncongested, 2), efficiency: limit > 0 ? r(achievedPerHour / limit, 3) : 0,
  };
}
