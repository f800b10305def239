/**
 * The replay player: mirrors a loaded trace into the view store at a time t, so the same layers draw
 * it. Robots stand in the cell of their interval containing t, interpolated between consecutive cells;
 * stack heights are the header's plus every lift/drop up to t. Each event records its level, so stepping
 * backwards undoes events exactly (no checkpoints needed), and moving a per-robot cursor makes
 * scrubbing by small steps cost O(robots). The trace has no robot states, jobs or ports by name:
 * states are read off what the trace shows (carrying a bin, driving, standing at a port, idle) and
 * ports are the cells where bins entered or left a port.
 */
import type { LiveKpis, PortDetail, RobotDetail } from '../../wcs/protocol.ts';
import { ROBOT_STATES } from '../../wcs/protocol.ts';
import { KIND_PORT } from './colors.ts';
import type { DetailSource } from './inspector.ts';
import type { ReplayTrace } from './replayTrace.ts';
import type { ViewStore } from './store.ts';

const IDLE = ROBOT_STATES.indexOf('idle');
const DRIVING = ROBOT_STATES.indexOf('toBin');
const CARRYING = ROBOT_STATES.indexOf('carrying');
const QUEUEING = ROBOT_STATES.indexOf('queueing');
/** Chart window: presentations per hour over the last 10 simulated minutes, like the live KPI. */
const WINDOW = 600;

/** Index of the first element of sorted `a` greater than x. Pure. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Heading code (as in RobotRecord) of a step from cell a to cell b on a grid of width w, or -1. Pure. */
function headingOf(a: number, b: number, w: number): number {
  const d = b - a;
  if (d === 1) return 0;
  if (d === -1) return 1;
  if (d === w) return 2;
  if (d === -w) return 3;
  return -1;
}

export class ReplayPlayer implements DetailSource {
  /** Current replay time, seconds. */
  t = 0;
  playing = false;
  /** Simulated seconds per wall second. */
  speed = 20;
  private cursor = new Int32Array(0);
  private ev = 0;
  private carrying = new Int32Array(0);
  private heading = new Uint8Array(0);
  private portOf = new Map<number, number>();
  private binsInPort = new Int32Array(0);
  private presented = new Int32Array(0);
  private onPort = new Int32Array(0);
  private version = 0;
  private readonly kpis: LiveKpis = {
    tick: 0, simSeconds: 0, binPresentations: 0, binPresentationsPerHour: 0, portUtilization: [], robotTime: {},
    robotUtilization: NaN, collisions: NaN, stuckRobots: NaN, actualSpeed: 0,
  };
  private applied = -1;

  constructor(private readonly store: ViewStore, readonly trace: ReplayTrace) {}

  /** Put the trace into the store at t = 0 (switches the store to replay mode). */
  install(): void {
    const tr = this.trace, s = this.store;
    s.mode = 'replay';
    s.scenarioName = tr.name ? `${tr.name} (replay)` : 'replay';
    const kinds = tr.kinds ? Uint8Array.from(tr.kinds) : new Uint8Array(tr.width * tr.depth);
    if (!tr.kinds) for (const c of tr.portCells) kinds[c] = KIND_PORT;
    s.resetGrid(tr.width, tr.depth, tr.height, kinds);
    s.heights.set(tr.heights0);
    s.robots.resetDense(tr.robots);
    s.setPorts(tr.portCells.map((c, i) => ({
      id: tr.ports?.[i]?.id ?? `P${i + 1}`, type: tr.ports?.[i]?.type ?? 'port', x: c % tr.width, y: Math.floor(c / tr.width),
      buffer: tr.ports?.[i]?.buffer ?? [], queue: 0, waiting: 0, binsInside: 0, presenting: 0, presentations: 0,
    })));
    this.portOf = new Map(tr.portCells.map((c, i) => [c, i]));
    this.binsInPort = new Int32Array(tr.portCells.length);
    this.presented = new Int32Array(tr.portCells.length);
    this.onPort = new Int32Array(tr.portCells.length);
    this.cursor = Int32Array.from({ length: tr.robots }, (_, r) => tr.start[r]!);
    this.carrying = new Int32Array(tr.robots).fill(-1);
    this.heading = new Uint8Array(tr.robots);
    this.ev = 0;
    this.t = 0;
    s.tick = 0;
    s.simSeconds = 0;
    s.control = { paused: true, speed: this.speed };
    s.controlVersion++;
    // The chart: one point per simulated minute, presentations per hour over the trailing window.
    s.kpiT = [0];
    s.kpiV = [0];
    const drops = tr.portDrops;
    for (let m = 60; m <= tr.duration + 59; m += 60) {
      const t = Math.min(m, tr.duration);
      const n = upperBound(drops, t) - upperBound(drops, t - WINDOW);
      s.kpiT.push(t);
      s.kpiV.push((n * 3600) / Math.min(WINDOW, Math.max(t, 1)));
      if (t === tr.duration) break;
    }
    this.version++;
    this.seek(0);
  }

  /** Advance playback by a wall-clock step. Returns true if t moved. */
  advance(dtMs: number): boolean {
    if (!this.playing) return false;
    const next = Math.min(this.trace.duration, this.t + (dtMs / 1000) * this.speed);
    if (next >= this.trace.duration) this.playing = false;
    return this.seek(next);
  }

  /** Show the trace at time t. Returns true if anything was re-applied. */
  seek(t: number): boolean {
    const tr = this.trace;
    t = Math.min(tr.duration, Math.max(0, t));
    if (t === this.t && this.applied === this.version) return false;
    this.t = t;
    this.applied = this.version;
    this.events(t);
    this.robots(t);
    this.ports();
    const s = this.store;
    s.tick = Math.round(t / (tr.tickSeconds || 0.1));
    s.simSeconds = t;
    const presented = upperBound(tr.portDrops, t);
    const recent = presented - upperBound(tr.portDrops, t - WINDOW);
    // What the trace tells of the KPIs: bins dropped into ports stand for presentations. The rest
    // (utilization, robot time, collisions) is not in a trace and shows as unknown (NaN → "—").
    const k = this.kpis;
    k.tick = s.tick;
    k.simSeconds = t;
    k.binPresentations = presented;
    k.binPresentationsPerHour = (recent * 3600) / Math.min(WINDOW, Math.max(t, 1));
    k.actualSpeed = this.playing ? this.speed : 0;
    s.kpis = k;
    s.kpiVersion++;
    return true;
  }

  /** Apply (or undo) bin events so exactly those with at <= t are in effect. */
  private events(t: number): void {
    const tr = this.trace, s = this.store;
    while (this.ev < tr.evAt.length && tr.evAt[this.ev]! <= t) {
      const i = this.ev++;
      const lvl = tr.evLevel[i]!, lift = tr.evLift[i] === 1, c = tr.evCell[i]!, r = tr.evRobot[i]!;
      if (lvl >= 0) s.setHeight(c, lift ? lvl : lvl + 1);
      else this.portBins(c, lift ? -1 : 1, lift ? 0 : 1);
      if (r >= 0) this.carrying[r] = lift ? tr.evBin[i]! : -1;
    }
    while (this.ev > 0 && tr.evAt[this.ev - 1]! > t) {
      const i = --this.ev;
      const lvl = tr.evLevel[i]!, lift = tr.evLift[i] === 1, c = tr.evCell[i]!, r = tr.evRobot[i]!;
      if (lvl >= 0) s.setHeight(c, lift ? lvl + 1 : lvl);
      else this.portBins(c, lift ? 1 : -1, lift ? 0 : -1);
      // Before a lift the robot was empty; before a drop it held the dropped bin.
      if (r >= 0) this.carrying[r] = lift ? -1 : tr.evBin[i]!;
    }
  }

  /** A bin entered (d = 1) or left (d = -1) the port at `cell`; `presented` counts drops (presentations). */
  private portBins(cell: number, d: number, presented: number): void {
    const p = this.portOf.get(cell);
    if (p === undefined) return;
    this.binsInPort[p] = this.binsInPort[p]! + d;
    this.presented[p] = this.presented[p]! + presented;
  }

  /** Place every robot at time t. */
  private robots(t: number): void {
    const tr = this.trace, R = this.store.robots, w = tr.width;
    for (let r = 0; r < tr.robots; r++) {
      const a = tr.start[r]!, b = tr.start[r + 1]!;
      if (a === b) continue;
      let i = this.cursor[r]!;
      while (i < b - 1 && t >= tr.arrive[i + 1]!) i++;
      while (i > a && t < tr.arrive[i]!) i--;
      this.cursor[r] = i;
      const c = tr.cell[i]!;
      let x = c % w, y = (c - x) / w;
      let moving = false;
      let hd = -1;
      if (i < b - 1 && t > tr.leave[i]!) {
        // Between cell i and i + 1: interpolate the centre.
        const n = tr.cell[i + 1]!, nx = n % w, ny = (n - nx) / w;
        const u = (t - tr.leave[i]!) / (tr.arrive[i + 1]! - tr.leave[i]! || 1);
        x += (nx - x) * u;
        y += (ny - y) * u;
        moving = true;
        hd = headingOf(c, n, w);
      } else if (i < b - 1 && t >= tr.arrive[i]! && tr.leave[i]! - tr.arrive[i]! < 0.05) {
        moving = true; // passing through without stopping
        hd = headingOf(c, tr.cell[i + 1]!, w);
      } else if (i > a) {
        hd = headingOf(tr.cell[i - 1]!, c, w);
      }
      if (hd >= 0) this.heading[r] = hd;
      const bin = this.carrying[r]!;
      const state = bin >= 0 ? CARRYING : moving ? DRIVING : this.portOf.has(c) ? QUEUEING : IDLE;
      const slot = R.slot(r);
      if (slot >= 0) R.place(slot, x, y, state, bin, this.heading[r]!);
    }
  }

  /** Ports: robots standing on the port cell, bins inside, presentations so far. */
  private ports(): void {
    const s = this.store, tr = this.trace, R = s.robots;
    let changed = false;
    const onPort = this.onPort;
    onPort.fill(0);
    for (let r = 0; r < tr.robots; r++) {
      if (tr.start[r] === tr.start[r + 1]) continue;
      const p = this.portOf.get(tr.cell[this.cursor[r]!]!);
      const slot = R.slot(r);
      if (p !== undefined && slot >= 0 && R.fromX[slot]! === Math.round(R.fromX[slot]!) && R.fromY[slot]! === Math.round(R.fromY[slot]!)) onPort[p]!++;
    }
    s.ports.forEach((p, i) => {
      const q = onPort[i]!, bins = Math.max(0, this.binsInPort[i]!);
      const pres = this.presented[i]!;
      if (p.queue !== q || p.binsInside !== bins || p.presentations !== pres) {
        p.queue = q; p.binsInside = bins; p.presentations = pres;
        changed = true;
      }
    });
    if (changed) s.portsVersion++;
  }

  // ---- DetailSource: the inspector in replay mode --------------------------------------------------

  robot(id: number): Promise<RobotDetail> {
    const tr = this.trace, R = this.store.robots, slot = R.slot(id);
    if (id < 0 || id >= tr.robots || slot < 0) return Promise.reject(new Error(`no robot ${id} in the trace`));
    // The path ahead: the cells of the coming intervals until the robot next stands still (> 1 s).
    const path: [number, number][] = [];
    const b = tr.start[id + 1]!;
    for (let i = this.cursor[id]!; i < b && path.length < 200; i++) {
      const c = tr.cell[i]!;
      path.push([c % tr.width, Math.floor(c / tr.width)]);
      if (i > this.cursor[id]! && tr.leave[i]! - Math.max(tr.arrive[i]!, this.t) > 1) break;
    }
    const c = tr.cell[this.cursor[id]!] ?? 0;
    return Promise.resolve({
      id, x: R.toX[slot]!, y: R.toY[slot]!, state: ROBOT_STATES[R.state[slot]!] ?? 'idle',
      job: 'none', task: -1, bin: this.carrying[id]!, targetBin: -1,
      port: this.portOf.has(c) ? `P${this.portOf.get(c)! + 1}` : null, path,
    });
  }

  port(id: string): Promise<PortDetail> {
    const s = this.store, tr = this.trace, p = s.port(id);
    if (!p) return Promise.reject(new Error(`no port ${id}`));
    const cell = p.x + p.y * tr.width;
    const queue: number[] = [];
    for (let r = 0; r < tr.robots; r++) if (tr.start[r] !== tr.start[r + 1] && tr.cell[this.cursor[r]!] === cell) queue.push(r);
    let recent = 0;
    for (let i = 0; i < this.ev; i++) {
      if (tr.evLevel[i] === -1 && tr.evLift[i] === 0 && tr.evCell[i] === cell && tr.evAt[i]! > this.t - WINDOW) recent++;
    }
    return Promise.resolve({
      id, type: 'port (from trace)', x: p.x, y: p.y, queue, waiting: [], binsInside: p.binsInside, presenting: 0,
      presentations: p.presentations, utilization: NaN, perHour: (recent * 3600) / Math.min(WINDOW, Math.max(this.t, 1)),
    });
  }
}
