import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const tsx = join('node_modules', '.bin', 'tsx');
const cli = (...args: string[]) => spawnSync(tsx, ['wcs/cli.ts', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('command line', () => {
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
    expect(csv.length).toBe(7);
    const check = cli('check-trace', trace);
    expect(check.stdout).toMatch(/0 violations/);
    expect(check.status).toBe(0);
  });

  it('a bad scenario file gets exit code 2, the field path and what was expected, and nothing runs', () => {
    const bad = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8'));
    bad.robots.count = 0;
    delete bad.$schema;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const out = join(dir, 'never');
    const r = cli('run', file, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/robots\.count: expected .*>= 1.*got 0/);
    expect(r.stdout).toBe('');
    expect(() => readFileSync(join(out, 'kpis.json'))).toThrow();
  });

  it('a file that is not JSON, a missing file and a bad flag are exit code 2', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "name": ');
    expect(cli('run', file).status).toBe(2);
    const missing = cli('run', join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json/);
    const flag = cli('run', 'scenarios/smoke.json', '--hours', 'lots');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--hours: expected a number/);
  });

  it('validate accepts every library scenario', () => {
    for (const s of ['smoke', 'exxpozed', 'polaris', 'thalia']) {
      const r = cli('validate', `scenarios/${s}.json`);
      expect(r.status, r.stderr).toBe(0);
    }
  });
});
