/**
 * The run trace: JSON Lines for independent validation and later replay.
 * - first line: {"trace":1,"width","depth","height","tickSeconds","stacks":[[x,y,[bins bottom->top]],...]}
 *   plus "name", "kinds" (cell kind codes, row-major) and "ports" ([{id,type,x,y,buffer}]) for replays;
 * - {"robot","x","y","from","to"}: robot's body is over cell (x,y) over [from, to) seconds; every cell it
 *   stands in or passes through gets a line; one robot's intervals follow each other without gaps.
 *   Times are the body's exact entry and exit under the run's speed profile (to the millisecond), not
 *   the tick-rounded reservations the planner books: while moving the body covers the cell it leaves
 *   and the cell it enters, so at any instant at most two of a robot's intervals are open (the
 *   reservations, entry rounded down and exit rounded up to whole ticks, can hold three for a tick).
 * - {"bin","event":"lift"|"drop","robot","x","y","level","at"}: level from the floor (0); null at a port.
 * Order: after the header, lines are in time order: an interval is written when it has ended (ordered
 * by `to`, ties by `from`), a bin event when it happens (`at`), after the intervals that end by then.
 * So a reader can check per cell and per robot with bounded state (see check-trace.ts). Intervals
 * still open at the end of the run (or when it stops on an error) are cut at that time.
 * The writer is given a sink (a file in the CLI, an array in tests).
 */
import type { WorldEvent } from '../../sim/events.ts';
import { DX, DY } from '../../sim/grid.ts';
import { timeAtPosition } from '../../sim/kinematics.ts';
import { FOREVER } from '../../sim/planner/reservations.ts';
import { MAX_PLAN_RUNS } from '../../sim/robots.ts';
import type { World } from '../../sim/world.ts';

export type TraceSink = (line: string) => void;

/** An interval known but not yet written; times in (fractional) ticks. */
interface Pending { robot: number; cell: number; from: number; to: number }

const before = (p: Pending, q: Pending) => p.to < q.to || (p.to === q.to && (p.from < q.from || (p.from === q.from && p.robot < q.robot)));

export class TraceWriter {
  private readonly sink: TraceSink;
  private readonly endTick: number;
  private readonly w: World;
  /** Per robot: the cell it holds at the end of its current plan and since when (fractional ticks). */
  private readonly goalCell: Int32Array;
  private readonly heldFrom: Float64Array;
  /** Intervals waiting for their end to pass: a binary heap on (to, from, robot). */
  private heap: Pending[] = [];
  private finished = false;
  /**
   * Commits whose intervals could not be re-derived from the robot's plan and were written with the
   * planner's tick-rounded reservation times instead (0 unless the simulator's plan layout changed).
   */
  fallbacks = 0;

  constructor(w: World, sink: TraceSink, endTick: number) {
    this.w = w;
    this.sink = sink;
    this.endTick = endTick;
    const g = w.grid;
    const R = w.robots;
    this.goalCell = Int32Array.from(R.cell.subarray(0, R.count));
    this.heldFrom = Float64Array.from(R.heldSince.subarray(0, R.count));
    const stacks: [number, number, number[]][] = [];
    for (let c = 0; c < g.cells; c++) {
      const h = g.stackHeight[c]!;
      const bins: number[] = [];
      for (let l = 0; l < h; l++) bins.push(g.stackBins[c * g.height + l]!);
      if (h > 0) stacks.push([c % g.width, (c / g.width) | 0, bins]);
    }
    // Beyond the contract's fields, the header names the scenario and carries the cell kinds and ports,
    // so a replay can draw the grid as it was (readers ignore fields they do not know).
    const ports = w.cfg.ports.map((p) => ({ id: p.id, type: p.type, x: p.x, y: p.y, buffer: p.buffer.map((b) => [b.x, b.y]) }));
    sink(JSON.stringify({ trace: 1, width: g.width, depth: g.depth, height: g.height, tickSeconds: w.tickSeconds, stacks,
      name: w.cfg.name, kinds: Array.from(g.kind), ports }));
  }

  /** Ticks (possibly fractional) to seconds, to the millisecond. */
  private sec(ticks: number): number {
    return Math.round(ticks * this.w.tickSeconds * 1000) / 1000;
  }

  /** Write the trace lines of one step's events; call right after step() (the world's tick has advanced). */
  events(events: readonly WorldEvent[]): void {
    const g = this.w.grid;
    const now = this.w.tick - 1;
    // Everything that has ended by now, then what happened now, then what became known now (all of
    // which ends later: every interval is known before its end).
    this.flush(now);
    for (const e of events) {
      if (e.type === 'bin') {
        this.sink(JSON.stringify({ bin: e.bin, event: e.op, robot: e.robot, x: e.cell % g.width, y: (e.cell / g.width) | 0,
          level: e.level < 0 ? null : e.level, at: this.sec(e.tick) }));
      }
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.type !== 'occupy') continue;
      // One commit's intervals come together: the cells of the new plan, its goal left out (that one is
      // written when the robot leaves it).
      let j = i + 1;
      while (j < events.length && events[j]!.type === 'occupy' && (events[j] as typeof e).robot === e.robot) j++;
      this.commit(e.robot, events.slice(i, j) as (WorldEvent & { type: 'occupy' })[]);
      i = j - 1;
    }
  }

  /**
   * A robot committed a plan: its intervals with exact body times, re-derived from the plan's runs and
   * speed profiles and checked against the reservations the simulator reported (each exact interval
   * lies inside its reservation, which rounds entry down and exit up to whole ticks).
   */
  private commit(r: number, occ: readonly { cell: number; from: number; to: number }[]): void {
    const w = this.w;
    const R = w.robots;
    const exact: Pending[] = [];
    const base = r * MAX_PLAN_RUNS;
    const loaded = R.bin[r]! >= 0 ? 1 : 0;
    let enter = this.heldFrom[r]!;
    for (let i = 0; i < R.planCount[r]!; i++) {
      const dir = R.planDir[base + i]!;
      const k = R.planK[base + i]!;
      const depart = R.planDepart[base + i]!;
      const table = w.tables[(dir >> 1) * 2 + loaded]!;
      const p = table.profiles[k]!;
      const stride = DX[dir]! + DY[dir]! * w.grid.width;
      // When the centre reaches cell m of the run; the body is over cell j while the centre is between
      // cells j - 1 and j + 1.
      const at = (m: number) => depart + timeAtPosition(p, m * table.pitch) / w.tickSeconds;
      const from = R.planFrom[base + i]!;
      exact.push({ robot: r, cell: from, from: enter, to: at(1) });
      for (let j = 1; j < k; j++) exact.push({ robot: r, cell: from + stride * j, from: at(j - 1), to: at(j + 1) });
      enter = at(k - 1);
    }
    const eps = 1e-6;
    let ok = exact.length === occ.length;
    for (let i = 0; i < exact.length && ok; i++) {
      const x = exact[i]!, o = occ[i]!;
      ok = x.cell === o.cell && x.from < x.to && x.from >= o.from - eps && x.from < o.from + 1 + eps
        && x.to <= o.to + eps && x.to > o.to - 1 - eps;
    }
    if (ok) {
      for (const x of exact) this.push(x);
      this.heldFrom[r] = enter;
    } else {
      // Not the plan we expected: keep the reservations as reported (safe, but tick-rounded).
      this.fallbacks++;
      for (const o of occ) this.push({ robot: r, cell: o.cell, from: o.from, to: o.to });
      this.heldFrom[r] = R.heldSince[r]!;
    }
    this.goalCell[r] = R.goal[r]! >= 0 ? R.goal[r]! : R.cell[r]!;
  }

  private push(p: Pending): void {
    if (p.to === FOREVER) return;
    const h = this.heap;
    let i = h.length;
    h.push(p);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(p, h[up]!)) break;
      h[i] = h[up]!;
      i = up;
    }
    h[i] = p;
  }

  private pop(): Pending {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && before(h[l + 1]!, h[l]!) ? l + 1 : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Write every interval that has ended by tick t (and started before the end of the run). */
  private flush(t: number): void {
    while (this.heap.length > 0 && this.heap[0]!.to <= t) this.write(this.pop(), this.endTick);
  }

  private write(p: Pending, end: number): void {
    if (p.from >= end) return;
    const g = this.w.grid;
    this.sink(JSON.stringify({ robot: p.robot, x: p.cell % g.width, y: (p.cell / g.width) | 0, from: this.sec(p.from),
      to: this.sec(Math.min(p.to, end)) }));
  }

  /**
   * At the end of the run (or when it stops early, with the tick it stopped at): every interval still
   * open, each robot's last held cell included, cut at `endTick`. Writes nothing after that.
   */
  finish(endTick = this.endTick): void {
    if (this.finished) return;
    this.finished = true;
    const end = Math.min(endTick, this.endTick);
    const rest: Pending[] = [];
    while (this.heap.length > 0) rest.push(this.pop());
    for (let r = 0; r < this.goalCell.length; r++) rest.push({ robot: r, cell: this.goalCell[r]!, from: this.heldFrom[r]!, to: end });
    for (const p of rest) p.to = Math.min(p.to, end);
    rest.sort((p, q) => (before(p, q) ? -1 : before(q, p) ? 1 : 0));
    for (const p of rest) this.write(p, end);
  }
}
