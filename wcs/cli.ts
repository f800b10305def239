/**
 * The command line.
 *   run <scenario> [--hours H] [--warmup S] [--seed S] [--out DIR] [--trace FILE] [--check]
 *       [--orders FILE [--columns id=COL,sku=COL,qty=COL,created=COL,channel=COL] [--channel NAME]]
 *   validate <scenario>
 *   check-trace <trace.jsonl>
 * Exit codes: 0 ok, 1 the run failed (invariant violated) or the trace has violations, 2 bad input
 * (scenario, arguments, or an output path that cannot be written: checked before anything runs).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvariantError } from '../sim/invariants.ts';
import { checkTraceFile, NotATraceError } from './run/check-trace.ts';
import { kpiTable, timeseriesCsv, type OrderFileSummary } from './run/kpis.ts';
import { ReplayFeed } from './orders/feed.ts';
import { importOrders, OrderFileError, type OrderColumns } from './orders/import.ts';
import { DEFAULT_WARMUP_SECONDS, runScenario } from './run/runner.ts';
import { checkRunSize, loadScenarioFile, ScenarioError } from './scenario/load.ts';
import type { LoadedScenario } from './scenario/types.ts';

const USAGE = `usage:
  omnicube run <scenario.json> [--hours H] [--warmup SECONDS] [--seed S] [--out DIR] [--trace FILE] [--check]
      [--orders FILE.csv|FILE.jsonl [--columns id=COL,sku=COL,qty=COL,created=COL,channel=COL] [--channel NAME]]
  omnicube validate <scenario.json>
  omnicube check-trace <trace.jsonl>`;

/** Where the command writes (process streams by default; tests capture them). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Is stderr a terminal (progress bar)? */
  tty: boolean;
}

let stdoutClosed = false;
const processIo: Io = {
  out: (s) => { if (!stdoutClosed) process.stdout.write(s); },
  err: (s) => { process.stderr.write(s); },
  get tty() { return process.stderr.isTTY === true; },
};

class UsageError extends Error {}

/** Why a number was not accepted, in the user's terms. */
function notPlain(v: string): string {
  if (v === '') return 'the value is empty';
  if (/\s/.test(v)) return `${JSON.stringify(v)} contains spaces`;
  if (/^[+-]?0[xob]/i.test(v)) return `${JSON.stringify(v)} is hexadecimal, octal or binary`;
  if (/^[+-]?(\d+\.?\d*|\.\d+)e/i.test(v)) return `${JSON.stringify(v)} has an exponent (write the number out)`;
  if (/^-/.test(v)) return `${JSON.stringify(v)} is negative`;
  return `${JSON.stringify(v)} is not a number`;
}

/** A plain decimal number (digits, one optional point; no sign but +, no exponent, hex or spaces). */
function decimal(name: string, v: string | undefined, min: number, max: number, unit: string): number | undefined {
  if (v === undefined) return undefined;
  const what = `--${name}: expected a number of ${unit} from ${min} to ${max}`;
  if (!/^\+?(\d+\.?\d*|\.\d+)$/.test(v)) throw new UsageError(`${what}, written as a plain decimal like 0.5 or 2; ${notPlain(v)}`);
  const x = Number(v);
  if (x < min || x > max) throw new UsageError(`${what}, got ${v}`);
  return x;
}

/** A plain whole number (digits only). */
function integer(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const what = `--${name}: expected a whole number from ${min} to ${max}`;
  if (!/^\+?\d+$/.test(v)) {
    throw new UsageError(`${what}; ${/^\+?(\d+\.\d*|\.\d+)$/.test(v) ? `${JSON.stringify(v)} has a fraction` : notPlain(v)}`);
  }
  const x = Number(v);
  if (x < min || x > max) throw new UsageError(`${what}, got ${v}`);
  return x;
}

/** An errno in words. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on the device';
    case 'EISDIR': return 'it is a folder';
    case 'ENOENT': return 'no such file or folder';
    default: return code ?? (e as Error).message;
  }
}

/** The nearest of `path` and its parents that exists and is not a folder, if any (a file in the way). */
function fileInTheWay(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return p;
      return undefined;
    } catch { /* does not exist: look further up */ }
    if (dirname(p) === p) return undefined;
  }
}

/** Create a folder (and its parents) for an option, or explain why it cannot be. */
function makeFolder(option: string, value: string, dir: string): void {
  const blocker = fileInTheWay(dir);
  if (blocker !== undefined) {
    throw new UsageError(`${option} ${value}: ${blocker} is a file, not a folder`);
  }
  try { mkdirSync(dir, { recursive: true }); } catch (e) { throw new UsageError(`${option} ${value}: cannot create the folder ${dir} (${reason(e)})`); }
}

/** Can `file` be written (created or overwritten)? Leaves an existing file untouched and creates none. */
function probeWritable(option: string, value: string, file: string): void {
  try {
    if (existsSync(file)) {
      if (statSync(file).isDirectory()) throw new UsageError(`${option} ${value}: ${file} is a folder`);
      closeSync(openSync(file, 'r+'));
    } else {
      closeSync(openSync(file, 'wx'));
      unlinkSync(file);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${option} ${value}: cannot write ${file} (${reason(e)})`);
  }
}

/** --out DIR: the folder exists (created if needed) and kpis.json and timeseries.csv can be written there. */
function prepareOut(dir: string): void {
  if (dir === '') throw new UsageError('--out: expected a folder name');
  makeFolder('--out', dir, dir);
  for (const f of ['kpis.json', 'timeseries.csv']) probeWritable('--out', dir, join(dir, f));
}

/** --trace FILE: not a folder, its folder exists (created if needed), and the file can be written. */
function prepareTrace(file: string): void {
  if (file === '') throw new UsageError('--trace: expected a file name');
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new UsageError(`--trace ${file}: is a folder; give a file name (like ${join(file, 'trace.jsonl')})`);
  }
  makeFolder('--trace', file, dirname(file));
  probeWritable('--trace', file, file);
}

/**
 * Buffered line writer for the trace (one write per 64 KiB, not per line). The file is opened at the
 * first write, so a run that stops before writing anything leaves no file behind.
 */
function fileSink(path: string): { sink: (line: string) => void; close: () => void; lines: () => number } {
  let fd = -1;
  let buf: string[] = [];
  let size = 0;
  let lines = 0;
  const flush = () => {
    if (buf.length === 0) return;
    if (fd < 0) fd = openSync(path, 'w');
    const s = buf.join('');
    buf = []; size = 0;
    writeSync(fd, s);
  };
  return {
    sink: (line) => { buf.push(line, '\n'); lines++; size += line.length + 1; if (size > 65536) flush(); },
    close: () => {
      try { flush(); } finally { if (fd >= 0) { closeSync(fd); fd = -1; } }
    },
    lines: () => lines,
  };
}

function progressBar(io: Io, done: number, sim: number, wall: number): void {
  const width = 30;
  const filled = Math.round(done * width);
  const speed = wall > 0 ? sim / wall : 0;
  io.err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}%  sim ${(sim / 60).toFixed(1)} min  ${speed.toFixed(0)}x real time `);
}

async function checkTraceCommand(file: string, io: Io): Promise<number> {
  let st;
  try { st = statSync(file); } catch { throw new UsageError(`${file}: no such trace file`); }
  if (st.isDirectory()) throw new UsageError(`${file} is a folder, not a trace file`);
  let rep;
  try {
    rep = await checkTraceFile(file);
  } catch (e) {
    if (e instanceof NotATraceError) throw new UsageError(`${file} is not a trace: ${e.message}`);
    if ((e as NodeJS.ErrnoException).code) throw new UsageError(`cannot read ${file} (${reason(e)})`);
    throw e;
  }
  const b = rep.bins;
  io.out(`${file}: ${rep.robots} robots, ${rep.intervals} cell intervals, ${rep.binEvents} bin events over ${rep.seconds} s; `
    + `${b.total} bins (${b.inStacks} in stacks, ${b.carried} carried, ${b.atPorts} at ports at the end); ${rep.violations} violations\n`);
  for (const e of rep.errors) io.out(`  ${e}\n`);
  if (rep.violations > rep.errors.length) {
    io.out(`  ... and ${rep.violations - rep.errors.length} more (only the first ${rep.errors.length} are listed)\n`);
  }
  return rep.violations === 0 ? 0 : 1;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        hours: { type: 'string' }, warmup: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
        trace: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        orders: { type: 'string' }, columns: { type: 'string' }, channel: { type: 'string' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [cmd, file, ...extra] = positionals;
  if (values.help) { io.out(`${USAGE}\n`); return 0; }
  try {
    if ((cmd !== 'run' && cmd !== 'validate' && cmd !== 'check-trace') || !file || extra.length > 0) {
      throw new UsageError(`expected a command and one file\n${USAGE}`);
    }
    if (cmd === 'check-trace') return await checkTraceCommand(file, io);
    const sc = loadScenarioFile(file);
    if (cmd === 'validate') { io.out(`${file}: ok (${sc.world.name})\n`); return 0; }
    const hours = decimal('hours', values.hours, 0.001, 1000, 'hours') ?? 1;
    // A replayed order history defines its own run from its first order: no warm-up unless asked for.
    const warmup = decimal('warmup', values.warmup, 0, 86400, 'seconds') ?? (values.orders !== undefined ? 0 : DEFAULT_WARMUP_SECONDS);
    const seed = integer('seed', values.seed, 0, 2 ** 32 - 1);
    // What the run would create is checked before any folder is made (runScenario checks it again).
    checkRunSize(sc, warmup + hours * 3600);
    if ((values.columns !== undefined || values.channel !== undefined) && values.orders === undefined) {
      throw new UsageError('--columns and --channel describe an order file: give it with --orders FILE');
    }
    const orders = values.orders !== undefined ? readOrderFile(values.orders, values.columns, values.channel, sc.wcs.skus) : undefined;
    // Every output path is checked (and folders created) before the run, so that a path that cannot be
    // written fails now and not after the whole simulation.
    if (values.out !== undefined) prepareOut(values.out);
    if (values.trace !== undefined) prepareTrace(values.trace);
    if (orders) io.err(orderFileAccount(orders.summary, hours * 3600 + warmup));
    return runCommand(sc, { hours, warmup, seed, check: values.check === true, out: values.out, trace: values.trace, orders }, io);
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof UsageError) {
      io.err(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

interface RunArgs {
  hours: number; warmup: number; seed?: number; check: boolean; out?: string; trace?: string;
  orders?: { feed: ReplayFeed; summary: OrderFileSummary };
}

const COLUMN_KEYS = ['id', 'sku', 'qty', 'created', 'channel'] as const;

/** `id=InvoiceNo,sku=StockCode,...` as a column mapping. */
function parseColumns(v: string): Partial<OrderColumns> {
  const out: Partial<Record<(typeof COLUMN_KEYS)[number], string>> = {};
  for (const part of v.split(',')) {
    const m = /^\s*([a-z]+)\s*=(.+)$/.exec(part);
    const key = m?.[1] as (typeof COLUMN_KEYS)[number] | undefined;
    if (!m || !key || !COLUMN_KEYS.includes(key)) {
      throw new UsageError(`--columns: expected FIELD=COLUMN pairs separated by commas, FIELD one of ${COLUMN_KEYS.join(', ')}; got ${JSON.stringify(part)}`);
    }
    if (out[key] !== undefined) throw new UsageError(`--columns: ${key} is mapped twice`);
    out[key] = m[2]!.trim();
  }
  return out;
}

/** Reads and imports an order file for --orders; every problem is a UsageError naming the option. */
function readOrderFile(path: string, columns: string | undefined, channel: string | undefined, skus: number): { feed: ReplayFeed; summary: OrderFileSummary } {
  const ext = extname(path).toLowerCase();
  const format = ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : undefined;
  if (!format) throw new UsageError(`--orders ${path}: expected a .csv or .jsonl file`);
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`--orders ${path}: is a folder, not an order file`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--orders ${path}: cannot be read (${reason(e)})`);
  }
  const mapping = columns !== undefined ? parseColumns(columns) : {};
  if (channel !== undefined) {
    if (mapping.channel !== undefined) throw new UsageError('--channel: give either --channel or channel= in --columns, not both');
    if (channel.trim() === '') throw new UsageError('--channel: expected a channel name, got an empty value');
  }
  let rep;
  try {
    rep = importOrders(text, { format, skus, columns: { ...mapping, ...(channel !== undefined ? { channel: { fixed: channel } } : {}) } });
  } catch (e) {
    if (e instanceof OrderFileError) {
      const hint = columns === undefined ? ' (map the file\'s columns with --columns id=COL,sku=COL,qty=COL,created=COL)' : '';
      const what = e.field === '(file)' ? '' : `${e.field.replace('columns.', '--columns ')}: `;
      throw new UsageError(`--orders ${path}: ${what}${e.message.slice(e.field.length + 2)}${hint}`);
    }
    throw e;
  }
  if (rep.orders.length === 0) {
    const why = Object.entries(rep.skipped).map(([r, n]) => `${n} ${r}`).join(', ');
    throw new UsageError(`--orders ${path}: no usable order line among ${rep.linesRead}${why ? ` (skipped: ${why})` : ''}`);
  }
  const last = rep.orders.at(-1)!;
  const summary: OrderFileSummary = {
    file: path, linesRead: rep.linesRead, linesUsed: rep.linesUsed, skipped: rep.skipped, orders: rep.orders.length,
    spanSeconds: last.createdSeconds, codes: rep.codes, skusUsed: rep.skusUsed, ordersReplayed: 0,
  };
  return { feed: new ReplayFeed(rep.orders), summary };
}

/** One paragraph on stderr: what the order file gave and what was skipped. */
function orderFileAccount(s: OrderFileSummary, runSeconds: number): string {
  const skipped = Object.entries(s.skipped).map(([r, n]) => `${n} ${r}`).join(', ');
  const span = s.spanSeconds / 3600;
  let out = `orders ${s.file}: ${s.linesRead} lines read, ${s.linesUsed} used`
    + `${skipped ? `, skipped ${skipped}` : ''}; ${s.orders} orders over ${span.toFixed(2)} h; `
    + `${s.codes} SKU codes mapped by order frequency onto ${s.skusUsed} of the scenario's SKUs\n`;
  if (s.spanSeconds >= runSeconds) out += `note: the run covers ${(runSeconds / 3600).toFixed(2)} h of the file's ${span.toFixed(2)} h (--hours sets the length)\n`;
  return out;
}

function runCommand(sc: LoadedScenario, a: RunArgs, io: Io): number {
  const trace = a.trace !== undefined ? fileSink(a.trace) : undefined;
  let res;
  try {
    res = runScenario(sc, {
      seconds: a.hours * 3600, warmupSeconds: a.warmup, seed: a.seed, check: a.check, trace: trace?.sink, feed: a.orders?.feed,
      onProgress: io.tty ? (d, s, w) => progressBar(io, d, s, w) : undefined,
    });
  } catch (e) {
    // The runner has written what the trace knows up to the failure; keep it (close flushes the buffer).
    let kept = '';
    if (trace) {
      try {
        trace.close();
        if (trace.lines() > 0) kept = `the trace up to the failure is in ${a.trace} (npm run sim -- check-trace ${a.trace})\n`;
      } catch (c) {
        kept = `the trace could not be completed: ${a.trace} (${reason(c)})\n`;
      }
    }
    if (io.tty) io.err('\n');
    if (e instanceof InvariantError) {
      io.err(`${e.message}\n${kept}`);
      return 1;
    }
    if (kept) io.err(kept);
    throw e;
  }
  if (trace) {
    try { trace.close(); } catch (e) {
      io.err(`error: --trace ${a.trace}: writing the trace failed (${reason(e)})\n`);
      return 2;
    }
  }
  if (io.tty) io.err('\n');
  if (a.orders) res.kpis.orderFile = { ...a.orders.summary, ordersReplayed: a.orders.summary.orders - a.orders.feed.remaining };
  io.out(kpiTable(res.kpis));
  if (a.out !== undefined) {
    try {
      writeFileSync(join(a.out, 'kpis.json'), `${JSON.stringify(res.kpis, null, 2)}\n`);
      writeFileSync(join(a.out, 'timeseries.csv'), timeseriesCsv(res.timeseries));
    } catch (e) {
      io.err(`error: --out ${a.out}: writing the results failed (${reason(e)}); the KPIs are printed above\n`);
      return 2;
    }
    io.err(`wrote ${join(a.out, 'kpis.json')} and ${join(a.out, 'timeseries.csv')}\n`);
  }
  if (res.kpis.collisions > 0 || res.kpis.stuckRobots > 0) {
    io.err(`warning: ${res.kpis.collisions} collisions, ${res.kpis.stuckRobots} stuck robots\n`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Piped into `head` and the like: once the reader has gone, stop writing and end quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || stdoutClosed) { stdoutClosed = true; return; }
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; },
  );
}
