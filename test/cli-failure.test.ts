import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './support/cli.ts';
import { describe, expect, it, vi } from 'vitest';
import type { RunOptions } from '../wcs/run/runner.ts';

// The real runner, with a fault injected into the world at 100 s when the test asks for one: the CLI's
// handling of a run that stops (an invariant violated under --check, or any other error) is what is tested.
const fault = vi.hoisted(() => ({ kind: 'none' as 'none' | 'invariant' | 'crash' }));
vi.mock('../wcs/run/runner.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../wcs/run/runner.ts')>();
  return {
    ...real,
    runScenario: (sc: Parameters<typeof real.runScenario>[0], opts: RunOptions) => real.runScenario(sc, {
      ...opts,
      onTick: (w) => {
        opts.onTick?.(w);
        if (w.tick !== 1000) return;
        if (fault.kind === 'crash') throw new Error('something broke');
        if (fault.kind === 'invariant') {
          let c = 0;
          while (w.grid.stackHeight[c] === 0) c++;
          w.binLevel[w.grid.stackBins[c * w.grid.height]!] = 99; // the next tick's check stops the run
        }
      },
    }),
  };
});

const { main } = await import('../wcs/cli.ts');
const { checkTrace } = await import('../wcs/run/check-trace.ts');

const run = (...args: string[]) => runMain(main, args);

describe('command line: a run that stops keeps its trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnicube-cli-failure-'));

  it('--check stopping the run: exit 1, the violation, and where the trace up to it is', async () => {
    fault.kind = 'invariant';
    const trace = join(dir, 'stopped.jsonl');
    const r = await run('run', 'scenarios/smoke.json', '--hours', '0.1', '--check', '--trace', trace);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/invariant violated at tick 1000: bin \d+ is at .* but recorded elsewhere/);
    expect(r.stderr).toContain(`the trace up to the failure is in ${trace}`);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    const rep = checkTrace(lines);
    expect(rep.errors).toEqual([]);
    expect(rep.seconds).toBe(100);
  }, 120_000);

  it('any other error: rethrown, and the trace so far is kept and named', async () => {
    fault.kind = 'crash';
    const trace = join(dir, 'crashed.jsonl');
    let stderr = '';
    await expect(main(['run', 'scenarios/smoke.json', '--hours', '0.1', '--trace', trace], { out: () => {}, err: (s) => { stderr += s; }, tty: false }))
      .rejects.toThrow('something broke');
    expect(stderr).toContain(`the trace up to the failure is in ${trace}`);
    expect(checkTrace(readFileSync(trace, 'utf8').trim().split('\n')).errors).toEqual([]);
  }, 120_000);
});
