/**
 * One benchmark run in its own process (so peak memory is this run's alone): prints one JSON line with
 * the KPIs that matter for speed and throughput, and the process's peak resident memory.
 */
import { runScenario } from '../../wcs/run/runner.ts';
import { loadScenarioFile } from '../../wcs/scenario/load.ts';

const [file, hours, warmup] = process.argv.slice(2);
const sc = loadScenarioFile(file!);
const { kpis } = runScenario(sc, { seconds: Number(hours ?? 1) * 3600, warmupSeconds: Number(warmup ?? 0) });
process.stdout.write(`${JSON.stringify({
  scenario: kpis.scenario, robots: kpis.robots.count, ports: kpis.ports.length,
  simulatedSeconds: kpis.simulatedSeconds + kpis.warmupSeconds, wallSeconds: kpis.wallSeconds, speed: kpis.speed,
  binPresentationsPerHour: kpis.binPresentationsPerHour, robotUtilization: kpis.robots.utilization,
  meanDepth: kpis.digging.meanDepth, plannerSearches: kpis.planner.searches, plannerFailures: kpis.planner.failures,
  collisions: kpis.collisions, stuckRobots: kpis.stuckRobots, peakMemoryMiB: Math.round(process.resourceUsage().maxRSS / 1024),
})}\n`);
