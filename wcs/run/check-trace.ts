/**
 * Independent validation of a run trace (format in trace.ts and the README). It re-derives everything
 * from the trace lines alone, without the simulator's code:
 * - no two robots over one cell at overlapping times;
 * - each robot's intervals follow each other without gaps, between neighbouring cells, and a robot
 *   never covers more than two cells at once (its body spans at most two while moving between them);
 * - every lift and drop replays against the stacks of the header (a lift takes the top bin, a drop lands
 *   on top, no stack above the height limit), a robot carries at most one bin, is at the cell of its
 *   lift or drop at that time, and bins are conserved: each of the header's bins is at all times in
 *   exactly one place (a stack, a robot, a port), and a bin lifted at a port is one dropped there.
 *
 * It streams: lines are pushed one at a time and the state kept is per cell, per robot and per bin, not
 * per line, so memory does not grow with the length of the trace. That relies on the order the writer
 * guarantees (intervals in order of their end, bin events in time order), which is itself checked.
 * Every violation is counted; the first `maxErrors` are kept as messages.
 */
import { createReadStream } from 'node:fs';

export interface TraceReport {
  /** Robots with at least one interval. */
  robots: number;
  intervals: number;
  binEvents: number;
  /** Trace end: the latest interval end or bin event (seconds). */
  seconds: number;
  /** Where the header's bins are at the end. */
  bins: { total: number; inStacks: number; carried: number; atPorts: number };
  /** How many violations were found (all of them). */
  violations: number;
  /** The first violations found, at most the checker's maxErrors (default 50). */
  errors: string[];
}

/** The input is not a trace at all (no header): nothing could be checked. */
export class NotATraceError extends Error {}

/** Messages kept by default; the rest are only counted. */
export const MAX_ERRORS = 50;

interface RobotState {
  n: number;
  /** The last two intervals (cell, from, to); prev* is the one before the last. */
  cell: number; from: number; to: number;
  prevCell: number; prevFrom: number; prevTo: number;
  /** Latest end so far. */
  reach: number;
  /** Bin events waiting for the interval that shows the robot at their cell at their time. */
  pending: PendingAt[];
}

interface PendingAt { cell: number; at: number; what: string; seenAt: number }

/** Most bin events of one robot kept waiting for its interval (more means the robot has no intervals). */
const MAX_PENDING = 64;

// Where a bin is: a stack cell c (0..C-1), a port cell C + c, or robot r as 2C + r.
export class TraceChecker {
  private readonly maxErrors: number;
  private readonly messages: string[] = [];
  private count = 0;
  private lineNo = 0;
  private started = false;
  private W = 0;
  private D = 0;
  private H = 0;
  private C = 0;
  private stacks = new Map<number, number[]>();
  private where = new Map<number, number>();
  private totalBins = 0;
  private readonly robots = new Map<number, RobotState>();
  private carrying = new Map<number, number>();
  // Per cell: the latest-ending interval seen there and the latest-ending one of any other robot.
  private lastFrom = new Float64Array(0);
  private lastTo = new Float64Array(0);
  private lastRobot = new Int32Array(0);
  private otherFrom = new Float64Array(0);
  private otherTo = new Float64Array(0);
  private otherRobot = new Int32Array(0);
  private intervals = 0;
  private binEvents = 0;
  private maxTo = -Infinity;
  private lastAt = -Infinity;

  constructor(opts: { maxErrors?: number } = {}) {
    this.maxErrors = opts.maxErrors ?? MAX_ERRORS;
  }

  private err(m: string): void {
    this.count++;
    if (this.messages.length < this.maxErrors) this.messages.push(m);
  }

  private xy(c: number): string {
    return `(${c % this.W},${Math.floor(c / this.W)})`;
  }

  /** Check the next line of the trace. Throws NotATraceError if the first line is not a trace header. */
  line(raw: string): void {
    const n = ++this.lineNo;
    if (raw.length === 0 || (raw.charCodeAt(0) <= 32 && raw.trim() === '')) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      if (!this.started) throw new NotATraceError(`line ${n} is not JSON; a trace starts with the header line {"trace":1,...}`);
      this.err(`line ${n}: not JSON`);
      return;
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      if (!this.started) throw new NotATraceError(`line ${n} is not a JSON object; a trace starts with the header line {"trace":1,...}`);
      this.err(`line ${n}: not a JSON object`);
      return;
    }
    if (!this.started) { this.header(o, n); return; }
    if (typeof o.from === 'number' || typeof o.to === 'number') this.interval(o, n);
    else if (o.bin !== undefined || o.event !== undefined) this.binEvent(o, n);
    else this.err(`line ${n}: unknown record`);
  }

  private header(o: Record<string, unknown>, n: number): void {
    if (o.trace !== 1) {
      const scenario = 'robots' in o || 'grid' in o || 'ports' in o || '$schema' in o;
      throw new NotATraceError(`line ${n} is not the trace header {"trace":1,...}${scenario ? ' (it looks like a scenario file; run it with --trace FILE to get a trace)' : ''}`);
    }
    const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
    if (!int(o.width) || !int(o.depth) || !int(o.height) || !Array.isArray(o.stacks)) {
      throw new NotATraceError(`line ${n}: the trace header needs positive integers width, depth, height and a stacks list`);
    }
    this.started = true;
    this.W = o.width as number;
    this.D = o.depth as number;
    this.H = o.height as number;
    const C = (this.C = this.W * this.D);
    this.lastFrom = new Float64Array(C);
    this.lastTo = new Float64Array(C).fill(-Infinity);
    this.lastRobot = new Int32Array(C).fill(-1);
    this.otherFrom = new Float64Array(C);
    this.otherTo = new Float64Array(C).fill(-Infinity);
    this.otherRobot = new Int32Array(C).fill(-1);
    for (const s of o.stacks as unknown[]) {
      const [x, y, bins] = Array.isArray(s) ? s : [];
      if (!this.inGrid(x, y) || !Array.isArray(bins)) { this.err(`line ${n}: bad stack entry ${JSON.stringify(s)}`); continue; }
      const cell = (y as number) * this.W + (x as number);
      if (this.stacks.has(cell)) { this.err(`line ${n}: two stacks at ${this.xy(cell)}`); continue; }
      const list: number[] = [];
      for (const b of bins as unknown[]) {
        if (typeof b !== 'number' || !Number.isInteger(b)) { this.err(`line ${n}: stack at ${this.xy(cell)} holds ${JSON.stringify(b)}, not a bin id`); continue; }
        if (this.where.has(b)) { this.err(`line ${n}: bin ${b} is in two stacks of the header`); continue; }
        this.where.set(b, cell);
        list.push(b);
        this.totalBins++;
      }
      if (list.length > this.H) this.err(`line ${n}: stack at ${this.xy(cell)} holds ${list.length} bins, above the height ${this.H}`);
      this.stacks.set(cell, list);
    }
  }

  private inGrid(x: unknown, y: unknown): boolean {
    return typeof x === 'number' && typeof y === 'number' && Number.isInteger(x) && Number.isInteger(y)
      && x >= 0 && y >= 0 && x < this.W && y < this.D;
  }

  private robot(r: number): RobotState {
    let s = this.robots.get(r);
    if (!s) {
      s = { n: 0, cell: -1, from: 0, to: -Infinity, prevCell: -1, prevFrom: 0, prevTo: -Infinity, reach: -Infinity, pending: [] };
      this.robots.set(r, s);
    }
    return s;
  }

  private interval(o: Record<string, unknown>, n: number): void {
    const { robot: r, x, y, from: f, to: t } = o;
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || typeof f !== 'number' || typeof t !== 'number' || !Number.isFinite(f) || !Number.isFinite(t)) {
      this.err(`line ${n}: an interval needs integer robot and numbers from and to`);
      return;
    }
    if (!this.inGrid(x, y)) { this.err(`line ${n}: robot ${r} at (${String(x)},${String(y)}) is outside the ${this.W}×${this.D} grid`); return; }
    this.intervals++;
    const cell = (y as number) * this.W + (x as number);
    if (t < f) { this.err(`robot ${r} at ${this.xy(cell)}: interval ends (${t}s) before it starts (${f}s)`); return; }
    if (t < this.maxTo) {
      this.err(`line ${n}: interval of robot ${r} ending at ${t}s comes after one ending at ${this.maxTo}s (intervals must be in order of their end)`);
    } else this.maxTo = t;

    // Per cell: with intervals in order of their end, an earlier one overlaps this one iff it ends after
    // this one starts; the latest-ending interval of another robot is the one to compare with.
    // (Empty intervals hold nothing.)
    const empty = t === f;
    if (!empty) {
      const lr = this.lastRobot[cell]!;
      const other = lr !== r;
      const oRobot = other ? lr : this.otherRobot[cell]!;
      const oFrom = other ? this.lastFrom[cell]! : this.otherFrom[cell]!;
      const oTo = other ? this.lastTo[cell]! : this.otherTo[cell]!;
      if (oRobot >= 0 && oTo > f && oFrom < t) {
        this.err(`robots ${oRobot} and ${r} both in ${this.xy(cell)} from ${Math.max(f, oFrom)}s to ${Math.min(t, oTo)}s`);
      }
      if (t >= this.lastTo[cell]!) {
        if (other) { this.otherFrom[cell] = this.lastFrom[cell]!; this.otherTo[cell] = this.lastTo[cell]!; this.otherRobot[cell] = lr; }
        this.lastFrom[cell] = f; this.lastTo[cell] = t; this.lastRobot[cell] = r;
      } else if (other && t >= this.otherTo[cell]!) {
        this.otherFrom[cell] = f; this.otherTo[cell] = t; this.otherRobot[cell] = r;
      }
    }

    // Per robot: a chain of neighbouring cells without gaps, at most two open at once.
    const s = this.robot(r);
    if (s.n > 0) {
      const d = Math.abs((s.cell % this.W) - (cell % this.W)) + Math.abs(Math.floor(s.cell / this.W) - Math.floor(cell / this.W));
      if (f < s.from) this.err(`line ${n}: robot ${r}'s interval from ${f}s comes after one from ${s.from}s (out of order)`);
      else if (f > s.reach + 1e-9) this.err(`robot ${r}: no cell between ${s.reach}s and ${f}s`);
      if (d !== 1) this.err(`robot ${r}: moved from ${this.xy(s.cell)} to ${this.xy(cell)} at ${f}s (not neighbours)`);
      if (!empty && s.n > 1 && s.prevTo > f && s.to > f && s.prevTo > s.prevFrom) {
        this.err(`robot ${r} covers three cells at once at ${f}s: ${this.xy(s.prevCell)}, ${this.xy(s.cell)} and ${this.xy(cell)}`);
      }
    }
    s.prevCell = s.cell; s.prevFrom = s.from; s.prevTo = s.to;
    s.cell = cell; s.from = f; s.to = t;
    if (t > s.reach) s.reach = t;
    s.n++;
    if (s.pending.length > 0) {
      s.pending = s.pending.filter((p) => {
        if (f <= p.at && p.at <= t) {
          if (p.cell === cell) return false;
          p.seenAt = cell;
        }
        if (f > p.at) { this.notThere(r, p); return false; }
        return true;
      });
    }
  }

  private notThere(r: number, p: PendingAt): void {
    this.err(`robot ${r} ${p.what} at ${this.xy(p.cell)} at ${p.at}s but is not there${p.seenAt >= 0 ? ` (it is at ${this.xy(p.seenAt)})` : ''}`);
  }

  private describe(bin: number): string {
    const w = this.where.get(bin);
    if (w === undefined) return 'it is not one of the header\'s bins';
    if (w < this.C) return `it is in the stack at ${this.xy(w)} level ${this.stacks.get(w)!.indexOf(bin)}`;
    if (w < 2 * this.C) return `it is in the port at ${this.xy(w - this.C)}`;
    return `robot ${w - 2 * this.C} carries it`;
  }

  /** Take a bin out of wherever it is (after a violation, so the replay follows what the trace says). */
  private remove(bin: number): void {
    const w = this.where.get(bin);
    if (w === undefined) return;
    if (w < this.C) {
      const s = this.stacks.get(w)!;
      const i = s.indexOf(bin);
      if (i >= 0) s.splice(i, 1);
    } else if (w >= 2 * this.C) {
      const r = w - 2 * this.C;
      if (this.carrying.get(r) === bin) this.carrying.delete(r);
    }
    this.where.delete(bin);
  }

  private binEvent(o: Record<string, unknown>, n: number): void {
    const { bin: b, event, robot: r, x, y, level, at } = o;
    if (typeof b !== 'number' || !Number.isInteger(b) || typeof r !== 'number' || !Number.isInteger(r) || r < 0 || typeof at !== 'number' || !Number.isFinite(at)
      || (level !== null && (typeof level !== 'number' || !Number.isInteger(level) || level < 0))) {
      this.err(`line ${n}: a bin event needs integer bin and robot, a time at and a level (a number, or null at a port)`);
      return;
    }
    if (event !== 'lift' && event !== 'drop') { this.err(`line ${n}: unknown bin event ${JSON.stringify(event)}`); return; }
    if (!this.inGrid(x, y)) { this.err(`line ${n}: bin ${b} at (${String(x)},${String(y)}) is outside the ${this.W}×${this.D} grid`); return; }
    this.binEvents++;
    const cell = (y as number) * this.W + (x as number);
    if (at < this.lastAt) this.err(`line ${n}: bin event at ${at}s comes after one at ${this.lastAt}s (bin events must be in time order)`);
    else this.lastAt = at;

    // The robot is at the event's cell at that time: one of its intervals there holds `at` (from <= at
    // <= to). It ends at or after `at`, so it is among the last two seen or still to come.
    const what = `${event === 'lift' ? 'lifts' : 'drops'} bin ${b}`;
    const s = this.robot(r);
    const here = (s.n > 0 && s.cell === cell && s.from <= at && at <= s.to) || (s.n > 1 && s.prevCell === cell && s.prevFrom <= at && at <= s.prevTo);
    if (!here) {
      if (s.n > 0 && s.from > at) {
        // Later intervals start later still: none can show the robot there.
        const seenAt = s.n > 1 && s.prevFrom <= at && at <= s.prevTo ? s.prevCell : -1;
        this.notThere(r, { cell, at, what, seenAt });
      }
      else {
        s.pending.push({ cell, at, what, seenAt: -1 });
        if (s.pending.length > MAX_PENDING) this.notThere(r, s.pending.shift()!);
      }
    }

    if (!this.where.has(b)) {
      // Not a bin of this grid: nothing to replay.
      this.err(`bin ${b} (${event} at ${this.xy(cell)} at ${at}s) is not one of the header's bins`);
      return;
    }
    const place = level === null ? `the port at ${this.xy(cell)}` : `${this.xy(cell)} level ${level}`;
    if (event === 'lift') {
      const held = this.carrying.get(r);
      if (held !== undefined) this.err(`robot ${r} lifts bin ${b} at ${at}s while carrying bin ${held}`);
      const w = this.where.get(b);
      if (level !== null) {
        const st = this.stacks.get(cell) ?? [];
        if (st.length === 0 || st[st.length - 1] !== b || level !== st.length - 1) {
          this.err(`bin ${b} lifted at ${place} at ${at}s is not the top of that stack (${this.describe(b)})`);
        }
      } else if (w !== this.C + cell) {
        this.err(`bin ${b} lifted at ${place} at ${at}s was not dropped there (${this.describe(b)})`);
      }
      this.remove(b);
      if (held !== undefined) this.where.delete(held); // lost track of it; counted as a violation above
      this.carrying.set(r, b);
      this.where.set(b, 2 * this.C + r);
    } else {
      if (this.carrying.get(r) !== b) this.err(`robot ${r} drops bin ${b} at ${at}s that it does not carry (${this.describe(b)})`);
      this.remove(b);
      if (level !== null) {
        let st = this.stacks.get(cell);
        if (!st) this.stacks.set(cell, (st = []));
        if (level !== st.length) this.err(`bin ${b} dropped at ${place} at ${at}s but the stack holds ${st.length}`);
        st.push(b);
        if (st.length > this.H) this.err(`stack at ${this.xy(cell)} above the height limit (${this.H}) at ${at}s`);
        this.where.set(b, cell);
      } else this.where.set(b, this.C + cell);
    }
  }

  /** After the last line: the checks that need the whole trace, and the report. */
  finish(): TraceReport {
    if (!this.started) throw new NotATraceError('the file is empty; a trace starts with the header line {"trace":1,...}');
    const end = Math.max(this.maxTo, this.lastAt);
    const ids = [...this.robots.keys()].sort((a, b) => a - b);
    for (const r of ids) {
      const s = this.robots.get(r)!;
      for (const p of s.pending) this.notThere(r, p);
      s.pending = [];
      if (s.n > 0 && s.reach < this.maxTo - 1e-9) this.err(`robot ${r}: no cell after ${s.reach}s (the trace runs to ${this.maxTo}s)`);
    }
    // Conservation: each of the header's bins in exactly one place.
    let inStacks = 0, carried = 0, atPorts = 0;
    const seen = new Set<number>();
    for (const [cell, st] of this.stacks) {
      for (const b of st) {
        if (seen.has(b)) this.err(`at the end, bin ${b} is in two places`);
        seen.add(b);
        if (this.where.get(b) !== cell) this.err(`at the end, bin ${b} is in the stack at ${this.xy(cell)} but recorded elsewhere`);
        inStacks++;
      }
    }
    for (const [r, b] of this.carrying) {
      if (seen.has(b)) this.err(`at the end, bin ${b} is in two places (robot ${r} carries it)`);
      seen.add(b);
      carried++;
    }
    for (const [b, w] of this.where) {
      if (w >= this.C && w < 2 * this.C) { atPorts++; seen.add(b); }
    }
    const accounted = inStacks + carried + atPorts;
    if (accounted !== this.totalBins) {
      this.err(`at the end ${accounted} bins are accounted for (${inStacks} in stacks, ${carried} carried, ${atPorts} at ports), the header has ${this.totalBins}`);
    }
    return {
      robots: [...this.robots.values()].filter((s) => s.n > 0).length,
      intervals: this.intervals,
      binEvents: this.binEvents,
      seconds: Number.isFinite(end) ? end : 0,
      bins: { total: this.totalBins, inStacks, carried, atPorts },
      violations: this.count,
      errors: this.messages,
    };
  }
}

/** Check a whole trace given as lines (tests, small traces). Throws NotATraceError without a header. */
export function checkTrace(lines: Iterable<string>, opts: { maxErrors?: number } = {}): TraceReport {
  const c = new TraceChecker(opts);
  for (const l of lines) c.line(l);
  return c.finish();
}

/** Check a trace given as an async stream of lines. */
export async function checkTraceLines(lines: AsyncIterable<string>, opts: { maxErrors?: number } = {}): Promise<TraceReport> {
  const c = new TraceChecker(opts);
  for await (const l of lines) c.line(l);
  return c.finish();
}

/** Longest line accepted from a file (the header of a large grid is a few MB). */
export const MAX_LINE = 256 * 1024 * 1024;

/**
 * Check a trace file, reading it in chunks and feeding lines to the checker as they come (memory stays
 * bounded by the checker's state and one chunk, whatever the file's size).
 */
export async function checkTraceFile(path: string, opts: { maxErrors?: number; maxLine?: number } = {}): Promise<TraceReport> {
  const c = new TraceChecker(opts);
  const maxLine = opts.maxLine ?? MAX_LINE;
  let rest = '';
  let n = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const s = rest.length > 0 ? rest + (chunk as string) : (chunk as string);
    let i = 0;
    for (let j = s.indexOf('\n'); j >= 0; j = s.indexOf('\n', i)) {
      n++;
      c.line(j > i && s.charCodeAt(j - 1) === 13 ? s.slice(i, j - 1) : s.slice(i, j));
      i = j + 1;
    }
    rest = s.slice(i);
    if (rest.length > maxLine) {
      const msg = `line ${n + 1} is longer than ${Math.round(maxLine / 1048576)} MiB`;
      if (n === 0) throw new NotATraceError(`${msg}; a trace starts with a header line {"trace":1,...}`);
      throw new Error(`${msg}; is the file a trace?`);
    }
  }
  if (rest.length > 0) c.line(rest);
  return c.finish();
}
