/**
 * npm run bench:dispatch [-- --hours H] [-- --only NAME[@ROBOTS],...] [-- --variants KEY,...]: what each dispatch step gains,
 * from the nearest-idle baseline to the default, on Polaris, Thalia and Thalia with 1,000 robots (one
 * process per run). The lattice for waiting robots is the simulator's; the other steps are options.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { hours: { type: 'string' }, only: { type: 'string' }, variant: { type: 'string' }, scenario: { type: 'string' },
  variants: { type: 'string' } } });

interface Variant { label: string; assignment: 'cost' | 'nearest-idle'; lookaheadSeconds: number; portStaging: boolean; rest: number; rebind: boolean }
const VARIANTS: Record<string, Variant> = {
  base: { label: 'nearest-idle, 1 min look-ahead, robots wait where they are', assignment: 'nearest-idle', lookaheadSeconds: 60, portStaging: false, rest: 0, rebind: false },
  lookahead: { label: '+ 30 min look-ahead', assignment: 'nearest-idle', lookaheadSeconds: 1800, portStaging: false, rest: 0, rebind: false },
  cost: { label: '+ marginal-cost assignment', assignment: 'cost', lookaheadSeconds: 1800, portStaging: false, rest: 0, rebind: false },
  staging: { label: '+ waiting near the port, on a lattice', assignment: 'cost', lookaheadSeconds: 1800, portStaging: true, rest: 0, rebind: false },
  rest: { label: '+ idle robots rest away from ports', assignment: 'cost', lookaheadSeconds: 1800, portStaging: true, rest: 20, rebind: false },
  rebind: { label: '+ just-in-time binding (default)', assignment: 'cost', lookaheadSeconds: 1800, portStaging: true, rest: 20, rebind: true },
};

if (values.variant) {
  // Child: one run.
  const { loadScenarioFile } = await import('../../wcs/scenario/load.ts');
  const { runScenario } = await import('../../wcs/run/runner.ts');
  const v = VARIANTS[values.variant]!;
  // NAME or NAME@ROBOTS (the scenario with another fleet size).
  const [file, robots] = values.scenario!.split('@');
  const sc = loadScenarioFile(`scenarios/${file}.json`);
  if (robots) sc.world.robotCount = Number(robots);
  sc.wcs.assignment = v.assignment;
  sc.wcs.lookaheadSeconds = v.lookaheadSeconds;
  sc.wcs.portStaging = v.portStaging;
  const k = runScenario(sc, { seconds: Number(values.hours ?? 1) * 3600, warmupSeconds: 600, dispatch: { restAfterSeconds: v.rest, rebind: v.rebind } }).kpis;
  process.stdout.write(`${JSON.stringify({ perHour: k.binPresentationsPerHour, efficiency: k.bounds.efficiency, fleet: k.bounds.fleetPerHour,
    linesPerHour: k.orderLines.completed / (k.simulatedSeconds / 3600), lineLead: k.orderLines.meanLeadSeconds,
    depth: k.digging.meanDepth, queueing: k.robotTime.portQueueing.share, traffic: k.robotTime.trafficWaiting.share,
    stuck: k.stuckRobots, collisions: k.collisions, wall: k.wallSeconds })}\n`);
} else {
  const tsx = join('node_modules', '.bin', 'tsx');
  const names = values.only ? values.only.split(',') : ['polaris', 'thalia', 'thalia@1000'];
  const rows: string[][] = [];
  for (const name of names) {
    for (const key of values.variants ? values.variants.split(',') : Object.keys(VARIANTS)) {
      process.stderr.write(`${name}: ${VARIANTS[key]!.label}...\n`);
      const r = spawnSync(tsx, ['test/bench/dispatch.ts', '--variant', key, '--scenario', name, '--hours', values.hours ?? '1'], { encoding: 'utf8' });
      if (r.status !== 0) { process.stderr.write(r.stderr); process.exitCode = 1; continue; }
      const k = JSON.parse(r.stdout.trim().split('\n').pop()!);
      rows.push([name, VARIANTS[key]!.label, String(Math.round(k.perHour)), String(Math.round(k.linesPerHour)), String(Math.round(k.lineLead)),
        String(k.efficiency), k.depth.toFixed(2),
        `${(k.queueing * 100).toFixed(1)} %`, `${(k.traffic * 100).toFixed(1)} %`, String(k.stuck), String(k.collisions)]);
    }
  }
  const head = ['scenario', 'dispatch', 'presentations / h', 'order lines / h', 'line lead s', 'efficiency', 'mean depth', 'port queueing', 'traffic waiting', 'stuck', 'collisions'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`(${values.hours ?? 1} simulated hour(s) after a 10 min warm-up each)\n`);
}
