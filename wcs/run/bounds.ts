/**
 * Throughput bounds for a run, to judge how close the planner and dispatcher get to what the hardware
 * allows:
 * - ports: each port could present 3600 / effective cycle bins an hour, the effective cycle being the
 *   mean of max(minimum port cycle, operator handling time) under the port's handling distribution;
 * - fleet: robots x 3600 / the mean uncongested cycle, where the uncongested cycle is a retrieval's share
 *   of the fleet's working time (driving, digging, handling at ports) — everything the robots did except
 *   waiting (in traffic, for a port, idle);
 * - efficiency = achieved / the smaller bound.
 * Pure.
 */
import type { PortConfig } from '../../sim/config.ts';
import { createRng, nextLognormal } from '../../sim/rng.ts';

/** Mean of max(min cycle, handling) for one port, by seeded sampling (deterministic). */
export function effectiveCycleSeconds(p: PortConfig, samples = 20_000): number {
  const rng = createRng(0x5eed);
  const h = p.handling;
  let sum = 0;
  for (let i = 0; i < samples; i++) sum += Math.max(p.minCycleSeconds, h.minSeconds, nextLognormal(rng, h.meanSeconds, h.cv));
  return sum / samples;
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
  achievedPerHour: number): Bounds {
  const cycles = ports.map((p) => effectiveCycleSeconds(p));
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
