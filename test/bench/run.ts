/**
 * npm run bench [-- --hours H] [-- --only NAME] [-- --no-scaling]: benchmarks, as numbers to read, not
 * pass/fail tests. Each run is a fresh process (peak memory is that run's).
 * 1. Every library scenario for one simulated hour after a 15-minute warm-up (steady-state figures):
 *    simulated seconds per wall second, presentations per hour, efficiency, planner wall time per tick,
 *    peak memory; then the same scenarios beside their published figures, with what binds.
 * 2. A scaling table on the Thalia grid with 100, 250, 530 and 1,000 robots.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { hours: { type: 'string' }, only: { type: 'string' }, 'no-scaling': { type: 'boolean' } } });
const hours = values.hours ?? '1';
const names = values.only ? values.only.split(',') : ['exxpozed', 'polaris', 'thalia'];
const tsx = join('node_modules', '.bin', 'tsx');

interface Row {
  scenario: string; robots: number; ports: number; simulatedSeconds: number; wallSeconds: number; speed: number;
  binPresentationsPerHour: number; efficiency: number; robotUtilization: number; meanDepth: number; plannerMsP50: number;
  plannerMsP99: number; collisions: number; stuckRobots: number; peakMemoryMiB: number; steady: boolean; drift: number;
  linesPerPresentation: number; operatorBusy: number; portBound: number; fleetBound: number;
}

/** What the real systems published (../shared/reference/scenarios.md), by scenario name. */
const PUBLISHED: Record<string, { perHour?: number; text: string }> = {
  thalia: { perHour: 13100, text: 'record 13,100 bin presentations per hour' },
  polaris: { text: '"150 % faster pick rate" (no rate published)' },
  exxpozed: { text: '"multiplied storage capacity" (no rate published)' },
};

function run(args: string[]): Row | undefined {
  const r = spawnSync(tsx, ['test/bench/one.ts', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) { process.stderr.write(r.stderr); process.exitCode = 1; return undefined; }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Row;
}

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return `${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}\n`;
}

const ms = (x: number) => x.toFixed(2);
const rows: Row[] = [];
for (const name of names) {
  process.stderr.write(`${name}: ${hours} simulated hour(s)...\n`);
  const r = run([`scenarios/${name}.json`, hours]);
  if (r) rows.push(r);
}
process.stdout.write(`\nScenarios (${hours} simulated hour(s) each, after a 15-minute warm-up)\n`);
process.stdout.write(table(
  ['scenario', 'robots', 'ports', 'wall s', 'sim s / wall s', 'presentations / h', 'efficiency', 'robot util', 'mean depth',
    'planner ms/tick p50', 'p99', 'collisions', 'stuck', 'peak MiB'],
  rows.map((r) => [r.scenario, r.robots, r.ports, r.wallSeconds.toFixed(1), r.speed.toFixed(0), Math.round(r.binPresentationsPerHour),
    r.efficiency, `${(r.robotUtilization * 100).toFixed(0)} %`, r.meanDepth.toFixed(2), ms(r.plannerMsP50), ms(r.plannerMsP99),
    r.collisions, r.stuckRobots, r.peakMemoryMiB].map(String))));

process.stdout.write('\nBeside the published figures (parameters from sources or stated assumptions, not tuned to them)\n');
process.stdout.write(table(
  ['scenario', 'simulated / h', 'steady', 'published', 'simulated / published', 'lines / presentation', 'operators busy', 'binds'],
  rows.map((r) => {
    const pub = PUBLISHED[r.scenario];
    const binds = r.portBound <= r.fleetBound ? `ports (${Math.round(r.portBound)} / h)` : `fleet (${Math.round(r.fleetBound)} / h)`;
    return [r.scenario, String(Math.round(r.binPresentationsPerHour)), r.steady ? 'yes' : `no (${(r.drift * 100).toFixed(1)} %)`, pub?.text ?? 'not published',
      pub?.perHour ? `${((r.binPresentationsPerHour / pub.perHour) * 100).toFixed(0)} %` : '-', r.linesPerPresentation.toFixed(2),
      `${(r.operatorBusy * 100).toFixed(0)} %`, binds];
  })));

if (!values['no-scaling']) {
  const scale: Row[] = [];
  for (const n of [100, 250, 530, 1000]) {
    process.stderr.write(`thalia grid, ${n} robots: ${hours} simulated hour(s)...\n`);
    const r = run(['scenarios/thalia.json', hours, '--robots', String(n)]);
    if (r) scale.push(r);
  }
  process.stdout.write(`\nScaling on the Thalia grid (168 x 140, 94 ports; ${hours} simulated hour(s) each)\n`);
  process.stdout.write(table(
    ['robots', 'wall s / sim h', 'presentations / h', 'efficiency', 'planner ms/tick p50', 'p99', 'wall ms per robot-hour', 'collisions', 'stuck', 'peak MiB'],
    scale.map((r) => [r.robots, (r.wallSeconds / (r.simulatedSeconds / 3600)).toFixed(1), Math.round(r.binPresentationsPerHour), r.efficiency,
      ms(r.plannerMsP50), ms(r.plannerMsP99), ((r.wallSeconds * 1000) / (r.robots * (r.simulatedSeconds / 3600))).toFixed(1),
      r.collisions, r.stuckRobots, r.peakMemoryMiB].map(String))));
}
process.stdout.write(`node ${process.version}, ${cpus().length} cores\n`);
