import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../sim/invariants.ts';
import { checkTrace, checkTraceFile, checkTraceLines, NotATraceError } from '../wcs/run/check-trace.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

function traceOf(file: string, seconds: number): string[] {
  const lines: string[] = [];
  const res = runScenario(loadScenarioFile(file), { seconds, trace: (l) => lines.push(l) });
  expect(res.kpis.collisions).toBe(0);
  return lines;
}

type Rec = Record<string, any>;
const isInterval = (r: Rec) => typeof r.from === 'number';
const key = (r: Rec) => (isInterval(r) ? r.to : r.at);

/** Most intervals of one robot open at one instant ([from, to) half-open), from the lines alone. */
function maxOpen(recs: Rec[]): number {
  const byRobot = new Map<number, [number, number][]>();
  for (const r of recs) {
    if (!isInterval(r) || r.to <= r.from) continue;
    let a = byRobot.get(r.robot);
    if (!a) byRobot.set(r.robot, (a = []));
    a.push([r.from, 1], [r.to, -1]);
  }
  let most = 0;
  for (const a of byRobot.values()) {
    a.sort((p, q) => p[0] - q[0] || p[1] - q[1]); // ends before starts at the same instant
    let open = 0;
    for (const [, d] of a) { open += d; most = Math.max(most, open); }
  }
  return most;
}

/** A small hand-made trace: a 6×3 grid, one stack at (5,0) holding bins 1, 2, a port cell at (0,2). */
const HEADER = JSON.stringify({ trace: 1, width: 6, depth: 3, height: 4, tickSeconds: 0.1, stacks: [[5, 0, [1, 2]]] });
const iv = (robot: number, x: number, y: number, from: number, to: number) => JSON.stringify({ robot, x, y, from, to });
const ev = (bin: number, event: string, robot: number, x: number, y: number, level: number | null, at: number) =>
  JSON.stringify({ bin, event, robot, x, y, level, at });

describe('trace', () => {
  const smoke = traceOf('scenarios/smoke.json', 900);
  const recs = smoke.slice(1).map((l) => JSON.parse(l) as Rec);

  it('starts with the header and holds robot intervals and bin events', () => {
    const h = JSON.parse(smoke[0]!);
    expect(h).toMatchObject({ trace: 1, width: 12, depth: 10, height: 6, tickSeconds: 0.1 });
    expect(h.stacks.reduce((a: number, s: [number, number, number[]]) => a + s[2].length, 0)).toBe(350);
    expect(recs.some((r) => 'robot' in r && 'from' in r)).toBe(true);
    expect(recs.some((r) => r.event === 'lift' && r.level === null)).toBe(true); // at a port
    expect(recs.some((r) => r.event === 'drop' && typeof r.level === 'number')).toBe(true);
  });

  it('is in time order: intervals by their end, bin events by their time', () => {
    for (let i = 1; i < recs.length; i++) expect(key(recs[i]!), `line ${i + 2}`).toBeGreaterThanOrEqual(key(recs[i - 1]!));
  });

  it('a robot covers at most two cells at once, with exact (not tick-rounded) body times', () => {
    expect(maxOpen(recs)).toBe(2);
    // Exact times: a moving robot enters and leaves cells between ticks.
    const offTick = recs.filter((r) => isInterval(r) && Math.abs(r.to * 10 - Math.round(r.to * 10)) > 1e-6);
    expect(offTick.length).toBeGreaterThan(recs.filter(isInterval).length / 4);
    // Each bin event happens where its robot is at that time.
    for (const e of recs.filter((r) => r.event)) {
      expect(recs.some((r) => isInterval(r) && r.robot === e.robot && r.x === e.x && r.y === e.y && r.from <= e.at && e.at <= r.to)).toBe(true);
    }
  });

  it('a smoke run validates independently', () => {
    const rep = checkTrace(smoke);
    expect(rep.errors).toEqual([]);
    expect(rep.violations).toBe(0);
    expect(rep.robots).toBe(4);
    expect(rep.seconds).toBe(900);
    expect(rep.bins.total).toBe(350);
    expect(rep.bins.inStacks + rep.bins.carried + rep.bins.atPorts).toBe(350);
  });

  it('the checker catches two robots in one cell, gaps, jumps and impossible lifts', () => {
    const occ = recs.findIndex((r) => isInterval(r) && r.robot === 0 && r.to > r.from && r.from > 20);
    const o = recs[occ]!;
    const at = occ + 1; // the line index in smoke
    const ins = (i: number, l: string) => [...smoke.slice(0, i + 1), l, ...smoke.slice(i + 1)];
    expect(checkTrace(ins(at, JSON.stringify({ ...o, robot: 1 }))).errors.join('\n')).toMatch(/robots \d and \d both in/);
    expect(checkTrace([...smoke, JSON.stringify({ ...o, from: 10_000, to: 10_001 })]).errors.join('\n')).toMatch(/robot 0: no cell between/);
    const jump = [...smoke];
    jump[at] = JSON.stringify({ ...o, x: (o.x + 5) % 12 });
    expect(checkTrace(jump).errors.join('\n')).toMatch(/robot 0: moved from .* \(not neighbours\)/);
    const lift = recs.findIndex((r) => r.event === 'lift' && typeof r.level === 'number');
    const bad = [...smoke];
    bad[lift + 1] = JSON.stringify({ ...recs[lift], level: recs[lift]!.level + 1 });
    expect(checkTrace(bad).errors.join('\n')).toMatch(/not the top/);
  });

  it('the checker catches a bin event away from its robot (a drop moved by 20 cells)', () => {
    const i = recs.findIndex((r) => r.event === 'drop' && typeof r.level === 'number');
    const moved = [...smoke];
    moved[i + 1] = JSON.stringify({ ...recs[i], x: (recs[i]!.x + 20) % 12, y: (recs[i]!.y + 1) % 10 });
    const rep = checkTrace(moved);
    expect(rep.errors.join('\n')).toMatch(new RegExp(`robot ${recs[i]!.robot} drops bin ${recs[i]!.bin} at .* but is not there \\(it is at \\(${recs[i]!.x},${recs[i]!.y}\\)\\)`));
  });

  it('the checker tracks bins at ports: a bin lifted at a port must have been dropped there', () => {
    const i = recs.findIndex((r) => r.event === 'lift' && r.level === null);
    // A bin never dropped at a port in the whole trace.
    const atPorts = new Set(recs.filter((r) => r.event === 'drop' && r.level === null).map((r) => r.bin));
    const stacks = (JSON.parse(smoke[0]!) as { stacks: [number, number, number[]][] }).stacks;
    const other = { bin: stacks.flatMap((s) => s[2]).find((b) => !atPorts.has(b))! };
    expect(other.bin).toBeDefined();
    const swapped = [...smoke];
    swapped[i + 1] = JSON.stringify({ ...recs[i], bin: other.bin });
    expect(checkTrace(swapped).errors.join('\n')).toMatch(new RegExp(`bin ${other.bin} lifted at the port at .* was not dropped there`));
  });

  it('the checker counts every violation and keeps the first 50 messages', () => {
    // Every bin event moved one row: each is a violation (and more follow from them).
    const shifted = smoke.map((l, i) => {
      const r = i > 0 ? JSON.parse(l) : undefined;
      return r?.event ? JSON.stringify({ ...r, y: (r.y + 1) % 10 }) : l;
    });
    const rep = checkTrace(shifted);
    const events = recs.filter((r) => r.event).length;
    expect(events).toBeGreaterThan(50);
    expect(rep.errors.length).toBe(50);
    expect(rep.violations).toBeGreaterThanOrEqual(events);
    expect(checkTrace(shifted, { maxErrors: 5 }).errors.length).toBe(5);
  });

  it('the checker verifies at most two cells per robot at once, line order and bin conservation', () => {
    // Robot 0 drives (0,0) -> (3,0); body times as the writer gives them.
    const drive = [iv(0, 0, 0, 0, 1.2), iv(0, 1, 0, 1, 1.6), iv(0, 2, 0, 1.2, 2), iv(0, 3, 0, 1.6, 3)];
    expect(checkTrace([HEADER, ...drive]).violations).toBe(0);
    // Tick-rounded reservations: (0,0) held until 1.3 while (2,0) is entered at 1.2.
    const three = [iv(0, 0, 0, 0, 1.3), iv(0, 1, 0, 1, 1.6), iv(0, 2, 0, 1.2, 2), iv(0, 3, 0, 1.6, 3)];
    expect(checkTrace([HEADER, ...three]).errors).toEqual(['robot 0 covers three cells at once at 1.2s: (0,0), (1,0) and (2,0)']);
    const swapped = [drive[1]!, drive[0]!, drive[2]!, drive[3]!];
    expect(checkTrace([HEADER, ...swapped]).errors.join('\n')).toMatch(/line 3: interval of robot 0 ending at 1.2s comes after one ending at 1.6s/);
    // Bins: robot 1 lifts bin 2 from (5,0), drops it at the port (0,2) and takes it back.
    const park = (r: number, x: number, y: number) => iv(r, x, y, 0, 10);
    const ok = [ev(2, 'lift', 1, 5, 0, 1, 1), ev(2, 'drop', 1, 5, 0, null, 2), ev(2, 'lift', 1, 5, 0, null, 3),
      park(0, 0, 0), park(1, 5, 0)];
    const good = checkTrace([HEADER, ...ok]);
    expect(good.errors).toEqual([]);
    expect(good.bins).toEqual({ total: 2, inStacks: 1, carried: 1, atPorts: 0 });
    // Lifting at a port a bin never dropped at one; a bin dropped by a robot that does not carry it (two places).
    const noPort = checkTrace([HEADER, park(0, 0, 0), ev(1, 'lift', 1, 5, 0, null, 1), park(1, 5, 0)]);
    expect(noPort.errors.join('\n')).toMatch(/bin 1 lifted at the port at \(5,0\) at 1s was not dropped there \(it is in the stack at \(5,0\) level 0\)/);
    const twice = checkTrace([HEADER, park(0, 0, 0), ev(2, 'drop', 1, 5, 0, 2, 1), park(1, 5, 0)]);
    expect(twice.errors.join('\n')).toMatch(/robot 1 drops bin 2 at 1s that it does not carry \(it is in the stack at \(5,0\) level 1\)/);
    const unknown = checkTrace([HEADER, park(0, 0, 0), ev(9, 'drop', 0, 0, 0, 0, 1)]);
    expect(unknown.errors.join('\n')).toMatch(/bin 9 .* is not one of the header's bins/);
  });

  it('refuses what is not a trace', () => {
    expect(() => checkTrace([])).toThrow(NotATraceError);
    expect(() => checkTrace(['{', '  "name": "smoke"'])).toThrow(/line 1 is not JSON/);
    expect(() => checkTrace([JSON.stringify({ name: 'x', grid: {}, robots: {} })])).toThrow(/looks like a scenario file/);
  });

  it('streams from a file or an async source with the same result as from lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnicube-trace-'));
    const file = join(dir, 't.jsonl');
    writeFileSync(file, `${smoke.join('\r\n')}\r\n`);
    const whole = checkTrace(smoke);
    expect(await checkTraceFile(file)).toEqual(whole);
    async function* gen() { for (const l of smoke) yield l; }
    expect(await checkTraceLines(gen())).toEqual(whole);
    // A tiny chunk limit proves lines are split across chunks correctly.
    writeFileSync(file, 'x'.repeat(100));
    await expect(checkTraceFile(file, { maxLine: 50 })).rejects.toThrow(NotATraceError);
  });

  it('a run stopped by an invariant violation keeps a valid trace up to that tick', () => {
    const lines: string[] = [];
    const sc = loadScenarioFile('scenarios/smoke.json');
    let broken = false;
    expect(() => runScenario(sc, {
      seconds: 300, check: true, trace: (l) => lines.push(l),
      onTick: (w) => {
        // At 100 s a bin's record goes wrong: the next tick's check stops the run.
        if (w.tick === 1000 && !broken) {
          broken = true;
          let c = 0;
          while (w.grid.stackHeight[c] === 0) c++;
          w.binLevel[w.grid.stackBins[c * w.grid.height]!] = 99;
        }
      },
    })).toThrow(InvariantError);
    const rep = checkTrace(lines);
    expect(rep.errors).toEqual([]);
    expect(rep.seconds).toBeGreaterThan(99);
    expect(rep.seconds).toBeLessThanOrEqual(100.1);
    expect(rep.robots).toBe(4);
  }, 120_000);

  it('a 15-minute Polaris trace has no two robots in one cell at overlapping times', () => {
    const lines = traceOf('scenarios/polaris.json', 900);
    const rep = checkTrace(lines);
    expect(rep.robots).toBe(74);
    expect(rep.intervals).toBeGreaterThan(10_000);
    expect(rep.errors).toEqual([]);
    expect(maxOpen(lines.slice(1).map((l) => JSON.parse(l) as Rec))).toBe(2);
  }, 120_000);
});
