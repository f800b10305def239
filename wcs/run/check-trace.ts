/**
 * Independent validation of a run trace (see trace.ts for the format). It re-derives everything from the
 * trace lines alone: no two robots in one cell at overlapping times, each robot's intervals follow each
 * other without gaps between neighbouring cells, and the bins' lifts and drops replay against the
 * stacks of the header (a lift takes the top bin, a drop lands on top, no stack above the height limit,
 * no robot carries two bins). Pure apart from reading its input lines.
 */

export interface TraceReport {
  robots: number;
  intervals: number;
  binEvents: number;
  /** Every violation found, first 50. */
  errors: string[];
}

interface Occ { robot: number; cell: number; from: number; to: number }

export function checkTrace(lines: Iterable<string>): TraceReport {
  const errors: string[] = [];
  const err = (m: string) => { if (errors.length < 50) errors.push(m); };
  let header: { width: number; depth: number; height: number; stacks: [number, number, number[]][] } | undefined;
  const occ: Occ[] = [];
  const bins: { bin: number; event: string; robot: number; x: number; y: number; level: number | null; at: number; n: number }[] = [];
  let n = 0;
  for (const raw of lines) {
    n++;
    if (raw.trim() === '') continue;
    let o: Record<string, unknown>;
    try { o = JSON.parse(raw) as Record<string, unknown>; } catch { err(`line ${n}: not JSON`); continue; }
    if (n === 1) {
      if (o.trace !== 1) { err('line 1: expected the header {"trace":1,...}'); return { robots: 0, intervals: 0, binEvents: 0, errors }; }
      header = o as unknown as typeof header;
      continue;
    }
    if (typeof o.robot === 'number' && typeof o.from === 'number') {
      occ.push({ robot: o.robot, cell: (o.y as number) * header!.width + (o.x as number), from: o.from, to: o.to as number });
    } else if (typeof o.bin === 'number') {
      bins.push({ ...(o as unknown as (typeof bins)[number]), n });
    } else err(`line ${n}: unknown record`);
  }
  if (!header) return { robots: 0, intervals: 0, binEvents: 0, errors: ['empty trace'] };
  const W = header.width;
  const xy = (c: number) => `(${c % W},${Math.floor(c / W)})`;

  // No two robots in one cell at overlapping times.
  const byCell = new Map<number, Occ[]>();
  for (const o of occ) {
    if (!(o.to >= o.from)) err(`robot ${o.robot} at ${xy(o.cell)}: interval ends before it starts`);
    let a = byCell.get(o.cell);
    if (!a) byCell.set(o.cell, (a = []));
    a.push(o);
  }
  for (const [cell, a] of byCell) {
    a.sort((p, q) => p.from - q.from || p.to - q.to);
    let maxTo = -Infinity, maxRobot = -1;
    for (const o of a) {
      if (o.from < maxTo && o.robot !== maxRobot && o.to > o.from) {
        err(`robots ${maxRobot} and ${o.robot} both in ${xy(cell)} around ${o.from}s`);
      }
      if (o.to > maxTo) { maxTo = o.to; maxRobot = o.robot; }
    }
  }

  // Each robot's intervals chain without gaps, between neighbouring cells.
  const byRobot = new Map<number, Occ[]>();
  for (const o of occ) {
    let a = byRobot.get(o.robot);
    if (!a) byRobot.set(o.robot, (a = []));
    a.push(o);
  }
  for (const [robot, a] of byRobot) {
    a.sort((p, q) => p.from - q.from || p.to - q.to);
    let reach = a[0]!.to;
    for (let i = 1; i < a.length; i++) {
      const p = a[i - 1]!, o = a[i]!;
      if (o.from > reach + 1e-9) err(`robot ${robot}: no cell between ${reach}s and ${o.from}s`);
      const d = Math.abs((p.cell % W) - (o.cell % W)) + Math.abs(Math.floor(p.cell / W) - Math.floor(o.cell / W));
      if (d !== 1) err(`robot ${robot}: moved from ${xy(p.cell)} to ${xy(o.cell)} at ${o.from}s (not neighbours)`);
      reach = Math.max(reach, o.to);
    }
  }

  // Bins replay against the stacks.
  const stacks = new Map<number, number[]>();
  for (const [x, y, list] of header.stacks) stacks.set(y * W + x, [...list]);
  const carried = new Map<number, number>();
  bins.sort((p, q) => p.at - q.at || p.n - q.n);
  for (const b of bins) {
    const cell = b.y * W + b.x;
    if (b.event === 'lift') {
      if (carried.has(b.robot)) err(`robot ${b.robot} lifts bin ${b.bin} at ${b.at}s while carrying bin ${carried.get(b.robot)}`);
      if (b.level !== null) {
        const s = stacks.get(cell) ?? [];
        if (s[s.length - 1] !== b.bin || b.level !== s.length - 1) err(`bin ${b.bin} lifted at ${xy(cell)} level ${b.level} at ${b.at}s is not the top of that stack`);
        else s.pop();
      }
      carried.set(b.robot, b.bin);
    } else if (b.event === 'drop') {
      if (carried.get(b.robot) !== b.bin) err(`robot ${b.robot} drops bin ${b.bin} at ${b.at}s that it does not carry`);
      carried.delete(b.robot);
      if (b.level !== null) {
        let s = stacks.get(cell);
        if (!s) stacks.set(cell, (s = []));
        if (b.level !== s.length) err(`bin ${b.bin} dropped at ${xy(cell)} level ${b.level} at ${b.at}s but the stack holds ${s.length}`);
        s.push(b.bin);
        if (s.length > header.height) err(`stack at ${xy(cell)} above the height limit at ${b.at}s`);
      }
    } else err(`line ${b.n}: unknown bin event ${b.event}`);
  }
  return { robots: byRobot.size, intervals: occ.length, binEvents: bins.length, errors };
}
