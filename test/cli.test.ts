import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './support/cli.ts';
import { describe, expect, it } from 'vitest';
import { main } from '../wcs/cli.ts';

// Spawning tsx costs a second or more per process, many more on a busy machine: only the tests that need
// a real process (exit codes, pipes) spawn one; the rest call main() in-process. Every test that spawns or
// simulates gets a timeout generous enough for a loaded 2-core machine (vitest's default is 5 s).
const TIMEOUT = 120_000;
const tsx = join('node_modules', '.bin', 'tsx');
const cli = (...args: string[]) => spawnSync(tsx, ['wcs/cli.ts', ...args], { encoding: 'utf8', timeout: TIMEOUT });

const run = (...args: string[]) => runMain(main, args);

const SHORT = ['--hours', '0.002']; // 7.2 simulated seconds

describe('command line (processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnicube-cli-'));

  it('runs a scenario: KPI table on stdout, kpis.json, timeseries.csv and a valid trace', () => {
    const out = join(dir, 'out');
    const trace = join(dir, 'trace.jsonl');
    const r = cli('run', 'scenarios/smoke.json', '--hours', '0.1', '--seed', '3', '--out', out, '--trace', trace, '--check');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/bin presentations \/ hour\s+\d+/);
    const k = JSON.parse(readFileSync(join(out, 'kpis.json'), 'utf8'));
    for (const key of ['scenario', 'seed', 'simulatedSeconds', 'wallSeconds', 'binPresentations', 'binPresentationsPerHour',
      'ports', 'robots', 'digging', 'orderLines', 'stuckRobots', 'collisions', 'stateHash']) expect(k).toHaveProperty(key);
    expect(k.seed).toBe(3);
    expect(k.simulatedSeconds).toBe(360);
    expect(k.ports[0]).toHaveProperty('utilization');
    expect(k.robots).toHaveProperty('count', 4);
    expect(k.digging).toHaveProperty('meanDepth');
    expect(k.orderLines).toHaveProperty('meanLeadSeconds');
    const csv = readFileSync(join(out, 'timeseries.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('minute,presentations,busyRobots,queuedTasks');
    // One row per simulated minute of the whole run: the 15-minute default warm-up and the 6 measured.
    expect(k.warmupSeconds).toBe(900);
    expect(csv.length).toBe(1 + 15 + 6);
    const check = cli('check-trace', trace);
    expect(check.stdout).toMatch(/ 0 violations/);
    expect(check.status).toBe(0);
  }, TIMEOUT);

  it('bad input is exit code 2 from a real process', () => {
    const flag = cli('run', 'scenarios/smoke.json', '--hours', '0x10');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--hours: expected a number of hours .*"0x10" is hexadecimal/);
    expect(flag.stdout).toBe('');
  }, TIMEOUT);

  it('check-trace whose reader has gone (| head) ends quietly', async () => {
    // A trace with more violations than fit one write; the reading end of stdout is closed at once.
    const lines = [JSON.stringify({ trace: 1, width: 2, depth: 1, height: 2, tickSeconds: 0.1, stacks: [] })];
    for (let i = 0; i < 500; i++) lines.push(JSON.stringify({ robot: i % 2, x: 0, y: 0, from: i, to: i + 2 }));
    const file = join(dir, 'many.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const child = spawn(tsx, ['wcs/cli.ts', 'check-trace', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(1); // the violations still decide the exit code
  }, TIMEOUT);
});

describe('command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnicube-cli-'));

  it('a bad scenario file gets exit code 2, the field path and what was expected, and nothing runs', async () => {
    const bad = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8'));
    bad.robots.count = 0;
    delete bad.$schema;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const out = join(dir, 'never');
    const trace = join(dir, 'never.jsonl');
    const r = await run('run', file, '--out', out, '--trace', trace);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/robots\.count: expected .*\b1\b.*got 0/); // ">= 1" or "from 1 to ..."
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(trace)).toBe(false);
  }, TIMEOUT);

  it('a file that is not JSON and a missing file are exit code 2', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "name": ');
    expect((await run('run', file)).status).toBe(2);
    const missing = await run('run', join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json/);
    expect((await run('run', 'scenarios/smoke.json', '--bogus')).status).toBe(2);
  }, TIMEOUT);

  it('numbers are plain decimals: hex, exponents, spaces, empty, signs and fractions where whole numbers go are refused', async () => {
    const cases: [string, string, RegExp][] = [
      ['--hours', 'lots', /--hours: expected a number of hours from 0\.001 to 1000, written as a plain decimal like 0\.5 or 2; "lots" is not a number/],
      ['--hours', '0x10', /--hours: .*"0x10" is hexadecimal, octal or binary/],
      ['--hours', '0o7', /"0o7" is hexadecimal, octal or binary/],
      ['--hours', '0b1', /"0b1" is hexadecimal, octal or binary/],
      ['--hours', '1e3', /"1e3" has an exponent/],
      ['--hours', ' 5 ', /" 5 " contains spaces/],
      ['--hours', '', /--hours: .*the value is empty/],
      ['--hours', 'Infinity', /"Infinity" is not a number/],
      ['--hours', '-1', /"-1" is negative/],
      ['--hours', '0', /--hours: expected a number of hours from 0\.001 to 1000, got 0$/m],
      ['--hours', '1001', /got 1001/],
      ['--warmup', '0x10', /--warmup: expected a number of seconds from 0 to 86400.*hexadecimal/],
      ['--warmup', '1e2', /--warmup: .*has an exponent/],
      ['--seed', '1.5', /--seed: expected a whole number from 0 to 4294967295; "1\.5" has a fraction/],
      ['--seed', '0x10', /--seed: .*hexadecimal/],
      ['--seed', '4294967296', /--seed: .*got 4294967296/],
      ['--seed', '', /--seed: .*the value is empty/],
    ];
    for (const [opt, v, msg] of cases) {
      const r = await run('run', 'scenarios/smoke.json', `${opt}=${v}`);
      expect(r.status, `${opt} ${JSON.stringify(v)}`).toBe(2);
      expect(r.stderr, `${opt} ${JSON.stringify(v)}`).toMatch(msg);
      expect(r.stdout).toBe('');
    }
    // Plain decimals with a leading + or point, and leading zeros, are fine.
    const ok = await run('run', 'scenarios/smoke.json', '--hours', '+.002', '--warmup', '1.5', '--seed', '007');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/smoke \(seed 7\)/);
  }, TIMEOUT);

  it('validate accepts every library scenario', async () => {
    for (const s of ['smoke', 'exxpozed', 'polaris', 'thalia']) {
      const r = await run('validate', `scenarios/${s}.json`);
      expect(r.status, r.stderr).toBe(0);
    }
  }, TIMEOUT);

  it('--trace into a folder that does not exist creates it', async () => {
    const trace = join(dir, 'new', 'deeper', 'trace.jsonl');
    const r = await run('run', 'scenarios/smoke.json', ...SHORT, '--trace', trace);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(trace).size).toBeGreaterThan(0);
    expect((await run('check-trace', trace)).stdout).toMatch(/ 0 violations/);
  }, TIMEOUT);

  it('output paths that cannot be written fail before the run, naming the option', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    mkdirSync(join(dir, 'has-kpis', 'kpis.json'), { recursive: true });
    mkdirSync(join(dir, 'a-folder'), { recursive: true });
    const cases: [string[], RegExp][] = [
      [['--out', file], /--out .*a-file: .*a-file is a file, not a folder/],
      [['--out', join(file, 'sub')], /--out .*sub: .*a-file is a file, not a folder/],
      [['--out', join(dir, 'has-kpis')], /--out .*has-kpis: .*kpis\.json is a folder/],
      [['--trace', join(dir, 'a-folder')], /--trace .*a-folder: is a folder; give a file name/],
      [['--trace', join(file, 'trace.jsonl')], /--trace .*: .*a-file is a file, not a folder/],
      [['--trace', ''], /--trace: expected a file name/],
      [['--out', ''], /--out: expected a folder name/],
    ];
    for (const [args, msg] of cases) {
      const r = await run('run', 'scenarios/smoke.json', ...SHORT, ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.stdout, 'nothing ran').toBe('');
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
  }, TIMEOUT);

  it('check-trace: a folder, a scenario file, an empty file are bad input; violations are counted past the list', async () => {
    expect(await run('check-trace', dir)).toMatchObject({ status: 2, stderr: expect.stringMatching(/is a folder, not a trace file/) });
    const sc = await run('check-trace', 'scenarios/smoke.json');
    expect(sc.status).toBe(2);
    expect(sc.stderr).toMatch(/scenarios\/smoke\.json is not a trace: line 1 is not JSON/);
    const oneLine = join(dir, 'one-line-scenario.json');
    writeFileSync(oneLine, JSON.stringify(JSON.parse(readFileSync('scenarios/smoke.json', 'utf8'))));
    expect((await run('check-trace', oneLine)).stderr).toMatch(/looks like a scenario file/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(await run('check-trace', empty)).toMatchObject({ status: 2, stderr: expect.stringMatching(/is not a trace: the file is empty/) });
    expect((await run('check-trace', join(dir, 'none.jsonl'))).status).toBe(2);
    // 201 robots in one cell at once: 200 violations.
    const lines = [JSON.stringify({ trace: 1, width: 2, depth: 1, height: 2, tickSeconds: 0.1, stacks: [] })];
    for (let r = 0; r <= 200; r++) lines.push(JSON.stringify({ robot: r, x: 0, y: 0, from: 0, to: 1 }));
    const many = join(dir, 'many.jsonl');
    writeFileSync(many, `${lines.join('\n')}\n`);
    const r = await run('check-trace', many);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/; 200 violations\n/);
    expect(r.stdout.split('\n').filter((l) => /^  robots \d+ and \d+ both in \(0,0\) from 0s to 1s$/.test(l)).length).toBe(50);
    expect(r.stdout).toMatch(/\.\.\. and 150 more \(only the first 50 are listed\)/);
  }, TIMEOUT);
});
