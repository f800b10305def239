/**
 * Trip, turn and lift times as pure functions of the robot model, and the per-run occupancy tables the
 * planner reserves from. A run is a straight stop-to-stop drive of k cells along one axis with a
 * trapezoidal (or, when too short to reach top speed, triangular) speed profile: it does not stop in
 * the cells it passes.
 */
import type { RobotModel } from './config.ts';

/** Profile parameters of one run of distance d: peak speed, end of acceleration, start of deceleration, total. */
export interface RunProfile {
  d: number; a: number; b: number; vp: number; ta: number; tc: number; T: number;
}

/** The speed profile of a run of distance d (pure). */
export function runProfile(d: number, v: number, a: number, b: number): RunProfile {
  const da = (v * v) / (2 * a);
  const db = (v * v) / (2 * b);
  if (d >= da + db) {
    const ta = v / a;
    const tc = ta + (d - da - db) / v;
    return { d, a, b, vp: v, ta, tc, T: tc + v / b };
  }
  const vp = Math.sqrt((2 * d * a * b) / (a + b));
  const ta = vp / a;
  return { d, a, b, vp, ta, tc: ta, T: ta + vp / b };
}

/** Distance covered t seconds after the start of a run (pure). */
export function positionAt(p: RunProfile, t: number): number {
  if (t <= 0) return 0;
  if (t >= p.T) return p.d;
  if (t <= p.ta) return 0.5 * p.a * t * t;
  const da = 0.5 * p.a * p.ta * p.ta;
  if (t <= p.tc) return da + p.vp * (t - p.ta);
  const r = p.T - t;
  return p.d - 0.5 * p.b * r * r;
}

/** Time at which a run first reaches distance s (pure; inverse of positionAt). */
export function timeAtPosition(p: RunProfile, s: number): number {
  if (s <= 0) return 0;
  if (s >= p.d) return p.T;
  const da = 0.5 * p.a * p.ta * p.ta;
  if (s <= da) return Math.sqrt((2 * s) / p.a);
  const dc = da + p.vp * (p.tc - p.ta);
  if (s <= dc) return p.ta + (s - da) / p.vp;
  return p.T - Math.sqrt((2 * (p.d - s)) / p.b);
}

/**
 * Gripper time in seconds to reach `levelsDown` bin heights below the rails and come back up, plus the
 * fixed grip/release and settle time (pure).
 */
export function gripperSeconds(model: RobotModel, depthMetres: number): number {
  return (2 * depthMetres) / model.liftSpeed + model.gripSeconds;
}

/**
 * Occupancy tables for every run length along one axis for one load state, in integer ticks.
 * A robot body is one cell long, so while its centre is between cells j and j+1 it covers both: cell j
 * of a run is occupied from when the centre passes cell j-1 until it passes cell j+1. Entry times are
 * rounded down and exit times up, so the reserved interval always contains the physical one.
 */
export class RunTable {
  readonly maxLen: number;
  readonly pitch: number;
  /** Ticks from departure until arrival (stopped) at the end of a run of k cells. Index k. */
  readonly arrive: Int32Array;
  /** enter[off(k) + j], exit[off(k) + j] for cells j = 0..k of a run of k cells. */
  readonly enter: Int32Array;
  readonly exit: Int32Array;
  readonly offsets: Int32Array;
  readonly profiles: RunProfile[];

  constructor(maxLen: number, pitch: number, v: number, a: number, b: number, tickSeconds: number) {
    this.maxLen = maxLen;
    this.pitch = pitch;
    this.arrive = new Int32Array(maxLen + 1);
    this.offsets = new Int32Array(maxLen + 2);
    let total = 0;
    for (let k = 0; k <= maxLen; k++) { this.offsets[k] = total; total += k + 1; }
    this.offsets[maxLen + 1] = total;
    this.enter = new Int32Array(total);
    this.exit = new Int32Array(total);
    this.profiles = [];
    const eps = 1e-9;
    for (let k = 0; k <= maxLen; k++) {
      const p = runProfile(k * pitch, v, a, b);
      this.profiles.push(p);
      this.arrive[k] = Math.ceil(p.T / tickSeconds - eps);
      const o = this.offsets[k]!;
      for (let j = 0; j <= k; j++) {
        this.enter[o + j] = j === 0 ? 0 : Math.floor(timeAtPosition(p, (j - 1) * pitch) / tickSeconds + eps);
        this.exit[o + j] = j === k ? 0x7fffffff : Math.ceil(timeAtPosition(p, (j + 1) * pitch) / tickSeconds - eps);
      }
    }
  }

  /** Offset of run length k's rows in enter/exit. */
  off(k: number): number { return this.offsets[k]!; }
}

/** Run tables for both axes and both load states of one robot model. Index: axis * 2 + loaded. */
export function buildRunTables(model: RobotModel, maxLen: number, pitchX: number, pitchY: number, tickSeconds: number): RunTable[] {
  const out: RunTable[] = [];
  for (const pitch of [pitchX, pitchY]) {
    out.push(new RunTable(maxLen, pitch, model.topSpeed, model.accel, model.decel, tickSeconds));
    out.push(new RunTable(maxLen, pitch, model.topSpeedLoaded, model.accelLoaded, model.decelLoaded, tickSeconds));
  }
  return out;
}

/**
 * Lower bound on the ticks to drive from `cell` (wheels on `axis`) to `goal` on a grid `width` cells
 * wide: the straight runs along each axis, plus a wheel switch when the trip needs the other axis. Ignores
 * everything in the way, so no plan is faster: the planner's heuristic and the cost estimates of the
 * placement policies. Pure.
 */
export function driveLowerBound(tables: readonly RunTable[], switchTicks: number, width: number, cell: number, axis: number, goal: number, loaded: number): number {
  const dx = Math.abs((cell % width) - (goal % width));
  const dy = Math.abs(((cell / width) | 0) - ((goal / width) | 0));
  let h = tables[loaded]!.arrive[dx]! + tables[2 + loaded]!.arrive[dy]!;
  if (dx > 0 && dy > 0) h += switchTicks;
  else if ((dx > 0 && axis !== 0) || (dy > 0 && axis !== 1)) h += switchTicks;
  return h;
}
