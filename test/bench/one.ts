/**
 * One benchmark run in its own process (so peak memory is this run's alone): prints one JSON line with
 * the speed and throughput figures, the planner's wall time per tick (p50, p99, measured here around
 * each search, not by the planner), and the process's peak resident memory.
 *   tsx test/bench/one.ts <scenario.json> [hours] [--robots N] [--warmup SECONDS (default 900: steady-state figures)]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_WARMUP_SECONDS, runScenario } from '../../wcs/run/runner.ts';
import { loadScenarioFile } from '../../wcs/scenario/load.ts';
import { withPlan, type PlannerFactory } from '../../sim/planner/planner.ts';
import { sipp } from '../../sim/planner/sipp.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { robots: { type: 'string' }, warmup: { type: 'string' } } });
const [file, hours] = positionals;
const sc = loadScenarioFile(file!);
if (values.robots) sc.world.robotCount = Number(values.robots);

// Time every planner search from outside (the harness measures, not the planner): SIPP wrapped.
const perTick: number[] = [];
let tickMs = 0;
const timed: PlannerFactory = (ctx) => {
  const inner = sipp(ctx);
  return withPlan(inner, (req) => {
    const t0 = performance.now();
    const r = inner.plan(req);
    tickMs += performance.now() - t0;
    return r;
  });
};
const { kpis } = runScenario(sc, {
  seconds: Number(hours ?? 1) * 3600, warmupSeconds: values.warmup !== undefined ? Number(values.warmup) : DEFAULT_WARMUP_SECONDS,
  onTick: () => { perTick.push(tickMs); tickMs = 0; }, planner: timed,
});
perTick.sort((a, b) => a - b);
const q = (p: number) => perTick[Math.min(perTick.length - 1, Math.floor(p * perTick.length))] ?? 0;
process.stdout.write(`${JSON.stringify({
  scenario: kpis.scenario, robots: kpis.robots.count, ports: kpis.ports.length,
  simulatedSeconds: kpis.simulatedSeconds + kpis.warmupSeconds, wallSeconds: kpis.wallSeconds, speed: kpis.speed,
  binPresentationsPerHour: kpis.binPresentationsPerHour, efficiency: kpis.bounds.efficiency, robotUtilization: kpis.robots.utilization,
  meanDepth: kpis.digging.meanDepth, plannerSearches: kpis.planner.searches, plannerMsP50: q(0.5), plannerMsP99: q(0.99),
  collisions: kpis.collisions, stuckRobots: kpis.stuckRobots, steady: kpis.steadyState.reached, drift: kpis.steadyState.drift,
  linesPerPresentation: kpis.station.linesPerPresentation, operatorBusy: kpis.station.operatorBusyShare,
  portBound: kpis.bounds.portPerHour, fleetBound: kpis.bounds.fleetPerHour, peakMemoryMiB: Math.round(process.resourceUsage().maxRSS / 1024),
})}\n`);
