/**
 * The reservation table: for every cell, the time intervals [start, end) in ticks during which one robot
 * holds it, sorted by start. A robot standing still holds its cell until it next departs; a robot that has
 * arrived at the end of its plan holds its cell for ever (end = FOREVER) until it plans again.
 *
 * Fixed slots per cell in flat typed arrays (no allocation while planning or stepping). Intervals that
 * have ended are compacted away when a cell is written.
 */

export const FOREVER = 0x7fffffff;

export class ReservationTable {
  readonly cells: number;
  readonly slots: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly owner: Int32Array;
  readonly count: Uint8Array;

  constructor(cells: number, slots = 32) {
    this.cells = cells;
    this.slots = slots;
    this.start = new Int32Array(cells * slots);
    this.end = new Int32Array(cells * slots);
    this.owner = new Int32Array(cells * slots);
    this.count = new Uint8Array(cells);
  }

  /** Drop intervals of `cell` that ended at or before `now`. */
  compact(cell: number, now: number): void {
    const n = this.count[cell]!;
    const base = cell * this.slots;
    let w = 0;
    for (let i = 0; i < n; i++) {
      const e = this.end[base + i]!;
      if (e <= now) continue;
      if (w !== i) {
        this.start[base + w] = this.start[base + i]!;
        this.end[base + w] = e;
        this.owner[base + w] = this.owner[base + i]!;
      }
      w++;
    }
    this.count[cell] = w;
  }

  /** True when `cell` has room for another interval after compaction. */
  hasRoom(cell: number, now: number): boolean {
    if (this.count[cell]! < this.slots) return true;
    this.compact(cell, now);
    return this.count[cell]! < this.slots;
  }

  /**
   * Insert [s, e) for robot `who`. The caller guarantees it overlaps nothing (the planner only commits
   * free intervals); returns false when the cell has no free slot.
   */
  insert(cell: number, s: number, e: number, who: number, now: number): boolean {
    if (!this.hasRoom(cell, now)) return false;
    const base = cell * this.slots;
    let i = this.count[cell]!;
    while (i > 0 && this.start[base + i - 1]! > s) {
      this.start[base + i] = this.start[base + i - 1]!;
      this.end[base + i] = this.end[base + i - 1]!;
      this.owner[base + i] = this.owner[base + i - 1]!;
      i--;
    }
    this.start[base + i] = s;
    this.end[base + i] = e;
    this.owner[base + i] = who;
    this.count[cell] = this.count[cell]! + 1;
    return true;
  }

  /** Remove robot `who`'s interval starting at `s` from `cell` (undoing an insert); false if none. */
  remove(cell: number, s: number, who: number): boolean {
    const base = cell * this.slots;
    for (let i = 0; i < this.count[cell]!; i++) {
      if (this.owner[base + i] === who && this.start[base + i] === s) { this.removeAt(cell, i); return true; }
    }
    return false;
  }

  /** Remove robot `who`'s interval that ends FOREVER at `cell`; returns its start, or -1 if none. */
  removeForever(cell: number, who: number): number {
    const base = cell * this.slots;
    for (let i = 0; i < this.count[cell]!; i++) {
      if (this.owner[base + i] === who && this.end[base + i] === FOREVER) {
        const s = this.start[base + i]!;
        this.removeAt(cell, i);
        return s;
      }
    }
    return -1;
  }

  private removeAt(cell: number, i: number): void {
    const base = cell * this.slots;
    const n = this.count[cell]!;
    for (let j = i; j < n - 1; j++) {
      this.start[base + j] = this.start[base + j + 1]!;
      this.end[base + j] = this.end[base + j + 1]!;
      this.owner[base + j] = this.owner[base + j + 1]!;
    }
    this.count[cell] = n - 1;
  }

  /**
   * First interval of `cell` that overlaps [a, b) and is not owned by `self`; returns its end, or -1 if
   * the window is free. Used by the planner to push a departure past a conflict.
   */
  conflictEnd(cell: number, a: number, b: number, self: number): number {
    const base = cell * this.slots;
    const n = this.count[cell]!;
    for (let i = 0; i < n; i++) {
      const s = this.start[base + i]!;
      if (s >= b) break;
      const e = this.end[base + i]!;
      if (e > a && this.owner[base + i] !== self) return e;
    }
    return -1;
  }

  /** Robot holding `cell` for ever (parked, or the end of its plan), or -1. */
  foreverOwner(cell: number): number {
    const n = this.count[cell]!;
    if (n === 0) return -1;
    const i = cell * this.slots + n - 1;
    return this.end[i] === FOREVER ? this.owner[i]! : -1;
  }

  /** Start of the FOREVER interval at `cell`, or -1. */
  foreverStart(cell: number): number {
    const n = this.count[cell]!;
    if (n === 0) return -1;
    const i = cell * this.slots + n - 1;
    return this.end[i] === FOREVER ? this.start[i]! : -1;
  }

  /**
   * The safe interval of `cell` containing tick t: writes [gapStart, gapEnd) into out and returns the
   * index of the gap (0 = before the first interval), or -1 if t lies inside a reservation by someone
   * other than `self`.
   */
  gapAt(cell: number, t: number, self: number, out: Int32Array): number {
    const base = cell * this.slots;
    const n = this.count[cell]!;
    let prevEnd = -FOREVER;
    let gi = 0;
    for (let i = 0; i < n; i++) {
      if (this.owner[base + i] === self) continue;
      const s = this.start[base + i]!;
      const e = this.end[base + i]!;
      if (t < s) { out[0] = prevEnd; out[1] = s; return gi; }
      if (t < e) return -1;
      prevEnd = e;
      gi++;
    }
    out[0] = prevEnd;
    out[1] = FOREVER;
    return gi;
  }
}
