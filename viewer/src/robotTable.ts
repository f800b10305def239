/**
 * The viewer's mirror of the fleet: one slot per robot id in flat typed arrays, holding where each robot
 * is drawn from and to (for interpolation between frames), its state, bin and heading. Filled from
 * RobotRecords (live) or by the replay player; read by the robot layer and the hit test.
 */
import type { RobotRecord } from '../../wcs/protocol.ts';

export class RobotTable {
  /** Robots in use (slots 0..count-1). */
  count = 0;
  ids = new Int32Array(0);
  /** Interpolation: drawn at from → to over [start, start + interval) ms (performance.now clock). */
  fromX = new Float32Array(0);
  fromY = new Float32Array(0);
  toX = new Float32Array(0);
  toY = new Float32Array(0);
  start = new Float64Array(0);
  /** Index into ROBOT_STATES. */
  state = new Uint8Array(0);
  /** Carried bin or -1. */
  bin = new Int32Array(0);
  /** 0 east, 1 west, 2 south, 3 north (as in RobotRecord). */
  heading = new Uint8Array(0);
  /** 1 when state, bin or heading changed since the robot layer last looked. */
  styleDirty = new Uint8Array(0);
  /** Expected milliseconds between two frames: how long a move is spread over. */
  interval = 100;
  private readonly slotOf = new Map<number, number>();

  /** Slot of a robot id, or -1. */
  slot(id: number): number {
    return this.slotOf.get(id) ?? -1;
  }

  /** Forget every robot and take these (a snapshot): drawn where they are, no interpolation. */
  reset(records: readonly RobotRecord[]): void {
    this.slotOf.clear();
    this.count = 0;
    this.ensure(records.length);
    for (const r of records) {
      const s = this.add(r[0]);
      this.fromX[s] = this.toX[s] = r[1];
      this.fromY[s] = this.toY[s] = r[2];
      this.start[s] = 0;
      this.state[s] = r[3];
      this.bin[s] = r[4];
      this.heading[s] = r[5];
    }
  }

  /** Replace with `n` robots with ids 0..n-1 at the origin (replay fills them in). */
  resetDense(n: number): void {
    this.slotOf.clear();
    this.count = 0;
    this.ensure(n);
    for (let id = 0; id < n; id++) {
      const s = this.add(id);
      this.fromX[s] = this.toX[s] = this.fromY[s] = this.toY[s] = 0;
      this.state[s] = 0;
      this.bin[s] = -1;
      this.heading[s] = 0;
    }
  }

  /**
   * Apply a frame's robot diffs at time `now`: each listed robot moves from where it is drawn right now to
   * its new position over the next frame interval, so motion stays continuous even if frames come early.
   */
  apply(records: readonly RobotRecord[], now: number): void {
    for (const r of records) {
      let s = this.slotOf.get(r[0]);
      if (s === undefined) {
        this.ensure(this.count + 1);
        s = this.add(r[0]);
        this.fromX[s] = this.toX[s] = r[1];
        this.fromY[s] = this.toY[s] = r[2];
      } else {
        const a = this.alpha(s, now);
        this.fromX[s] = this.fromX[s]! + (this.toX[s]! - this.fromX[s]!) * a;
        this.fromY[s] = this.fromY[s]! + (this.toY[s]! - this.fromY[s]!) * a;
        this.toX[s] = r[1];
        this.toY[s] = r[2];
      }
      this.start[s] = now;
      if (this.state[s] !== r[3] || this.bin[s] !== r[4] || this.heading[s] !== r[5]) {
        this.state[s] = r[3];
        this.bin[s] = r[4];
        this.heading[s] = r[5];
        this.styleDirty[s] = 1;
      }
    }
  }

  /** Put a robot exactly at (x, y) with this look (replay). */
  place(s: number, x: number, y: number, state: number, bin: number, heading: number): void {
    this.fromX[s] = this.toX[s] = x;
    this.fromY[s] = this.toY[s] = y;
    this.start[s] = 0;
    if (this.state[s] !== state || this.bin[s] !== bin || this.heading[s] !== heading) {
      this.state[s] = state;
      this.bin[s] = bin;
      this.heading[s] = heading;
      this.styleDirty[s] = 1;
    }
  }

  /** Interpolation progress of slot `s` at `now`, 0..1. */
  alpha(s: number, now: number): number {
    const a = (now - this.start[s]!) / this.interval;
    return a >= 1 ? 1 : a <= 0 ? 0 : a;
  }

  /** Drawn x of slot `s` at `now`. */
  x(s: number, now: number): number {
    return this.fromX[s]! + (this.toX[s]! - this.fromX[s]!) * this.alpha(s, now);
  }

  /** Drawn y of slot `s` at `now`. */
  y(s: number, now: number): number {
    return this.fromY[s]! + (this.toY[s]! - this.fromY[s]!) * this.alpha(s, now);
  }

  /** Slot of the robot whose drawn centre is nearest (gx, gy) within `radius` cells, or -1. */
  nearest(gx: number, gy: number, radius: number, now: number): number {
    let best = -1;
    let bestD = radius * radius;
    for (let s = 0; s < this.count; s++) {
      const dx = this.x(s, now) - gx, dy = this.y(s, now) - gy;
      const d = dx * dx + dy * dy;
      if (d <= bestD) { bestD = d; best = s; }
    }
    return best;
  }

  private add(id: number): number {
    const s = this.count++;
    this.ids[s] = id;
    this.slotOf.set(id, s);
    this.styleDirty[s] = 1;
    this.start[s] = 0;
    return s;
  }

  /** Grow the arrays (doubling) to hold at least n robots, keeping contents. */
  private ensure(n: number): void {
    if (n <= this.ids.length) return;
    const cap = Math.max(n, this.ids.length * 2, 16);
    const grow = <T extends Int32Array | Float32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.ids = grow(this.ids, (c) => new Int32Array(c));
    this.fromX = grow(this.fromX, (c) => new Float32Array(c));
    this.fromY = grow(this.fromY, (c) => new Float32Array(c));
    this.toX = grow(this.toX, (c) => new Float32Array(c));
    this.toY = grow(this.toY, (c) => new Float32Array(c));
    this.start = grow(this.start, (c) => new Float64Array(c));
    this.state = grow(this.state, (c) => new Uint8Array(c));
    this.bin = grow(this.bin, (c) => new Int32Array(c));
    this.heading = grow(this.heading, (c) => new Uint8Array(c));
    this.styleDirty = grow(this.styleDirty, (c) => new Uint8Array(c));
  }
}
