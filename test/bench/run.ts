/**
 * npm run bench [-- --hours H] [-- --only NAME]: for each library scenario, one simulated hour (by
 * default) in a fresh process; prints simulated seconds per wall second, bin presentations per hour and
 * peak memory. Benchmarks are numbers to read, not pass/fail tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { hours: { type: 'string' }, only: { type: 'string' } } });
const hours = values.hours ?? '1';
const names = values.only ? values.only.split(',') : ['exxpozed', 'polaris', 'thalia'];
const tsx = join('node_modules', '.bin', 'tsx');

interface Row {
  scenario: string; robots: number; ports: number; simulatedSeconds: number; wallSeconds: number; speed: number;
  binPresentationsPerHour: number; robotUtilization: number; meanDepth: number; collisions: number; stuckRobots: number;
  peakMemoryMiB: number;
}

const rows: Row[] = [];
for (const name of names) {
  process.stderr.write(`running ${name} for ${hours} simulated hour(s)...\n`);
  const r = spawnSync(tsx, ['test/bench/one.ts', `scenarios/${name}.json`, hours], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) { process.stderr.write(r.stderr); process.exitCode = 1; continue; }
  rows.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Row);
}
const head = ['scenario', 'robots', 'ports', 'sim h', 'wall s', 'sim s / wall s', 'presentations / h', 'robot util', 'mean depth', 'collisions', 'stuck', 'peak MiB'];
const body = rows.map((r) => [r.scenario, r.robots, r.ports, (r.simulatedSeconds / 3600).toFixed(2), r.wallSeconds.toFixed(1),
  r.speed.toFixed(0), Math.round(r.binPresentationsPerHour), `${(r.robotUtilization * 100).toFixed(0)} %`, r.meanDepth.toFixed(2),
  r.collisions, r.stuckRobots, r.peakMemoryMiB].map(String));
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}\n`);
process.stdout.write(`node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
