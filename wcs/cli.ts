/**
 * The command line.
 *   run <scenario> [--hours H] [--warmup S] [--seed S] [--out DIR] [--trace FILE] [--check]
 *   validate <scenario>
 *   check-trace <trace.jsonl>
 * Exit codes: 0 ok, 1 the run failed (invariant violated), 2 bad input (scenario or arguments).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvariantError } from '../sim/invariants.ts';
import { checkTrace } from './run/check-trace.ts';
import { kpiTable, timeseriesCsv } from './run/kpis.ts';
import { runScenario } from './run/runner.ts';
import { loadScenarioFile, ScenarioError } from './scenario/load.ts';

const USAGE = `usage:
  omnicube run <scenario.json> [--hours H] [--warmup SECONDS] [--seed S] [--out DIR] [--trace FILE] [--check]
  omnicube validate <scenario.json>
  omnicube check-trace <trace.jsonl>`;

class UsageError extends Error {}

function num(name: string, v: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
    throw new UsageError(`--${name}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return x;
}

/** Buffered line writer for the trace (one write per 64 KiB, not per line). */
function fileSink(path: string): { sink: (line: string) => void; close: () => void } {
  const fd = openSync(path, 'w');
  let buf: string[] = [];
  let size = 0;
  const flush = () => { if (buf.length) { writeSync(fd, buf.join('')); buf = []; size = 0; } };
  return {
    sink: (line) => { buf.push(line, '\n'); size += line.length + 1; if (size > 65536) flush(); },
    close: () => { flush(); closeSync(fd); },
  };
}

function progressBar(done: number, sim: number, wall: number): void {
  const width = 30;
  const filled = Math.round(done * width);
  const speed = wall > 0 ? sim / wall : 0;
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}%  sim ${(sim / 60).toFixed(1)} min  ${speed.toFixed(0)}x real time `);
}

export function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        hours: { type: 'string' }, warmup: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
        trace: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [cmd, file, ...extra] = positionals;
  if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  try {
    if ((cmd !== 'run' && cmd !== 'validate' && cmd !== 'check-trace') || !file || extra.length > 0) {
      throw new UsageError(`expected a command and one file\n${USAGE}`);
    }
    if (cmd === 'check-trace') {
      if (!existsSync(file)) throw new UsageError(`${file}: no such trace file`);
      const rep = checkTrace(readFileSync(file, 'utf8').split('\n'));
      process.stdout.write(`${file}: ${rep.robots} robots, ${rep.intervals} cell intervals, ${rep.binEvents} bin events, ${rep.errors.length} violations\n`);
      for (const e of rep.errors) process.stdout.write(`  ${e}\n`);
      return rep.errors.length === 0 ? 0 : 1;
    }
    const sc = loadScenarioFile(file);
    if (cmd === 'validate') { process.stdout.write(`${file}: ok (${sc.world.name})\n`); return 0; }
    const hours = num('hours', values.hours, 0.001, 1000) ?? 1;
    const warmup = num('warmup', values.warmup, 0, 86400) ?? 0;
    const seed = num('seed', values.seed, 0, 2 ** 32 - 1, true);
    const trace = values.trace ? fileSink(values.trace) : undefined;
    const tty = process.stderr.isTTY === true;
    const res = runScenario(sc, {
      seconds: hours * 3600, warmupSeconds: warmup, seed, check: values.check === true, trace: trace?.sink,
      onProgress: tty ? progressBar : undefined,
    });
    trace?.close();
    if (tty) process.stderr.write('\n');
    process.stdout.write(kpiTable(res.kpis));
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      writeFileSync(join(values.out, 'kpis.json'), `${JSON.stringify(res.kpis, null, 2)}\n`);
      writeFileSync(join(values.out, 'timeseries.csv'), timeseriesCsv(res.timeseries));
      process.stderr.write(`wrote ${join(values.out, 'kpis.json')} and ${join(values.out, 'timeseries.csv')}\n`);
    }
    if (res.kpis.collisions > 0 || res.kpis.stuckRobots > 0) {
      process.stderr.write(`warning: ${res.kpis.collisions} collisions, ${res.kpis.stuckRobots} stuck robots\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InvariantError) {
      process.stderr.write(`\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
