/**
 * The cube grid: cells and their kinds, and the stacks of bins beneath the rails, in typed arrays indexed
 * by cell = y * width + x. Level 0 is the floor; a stack's top bin sits at level height - 1.
 */
import { CellKind, type WorldConfig } from './config.ts';

/** Direction deltas: 0 east (+x), 1 west (-x), 2 south (+y), 3 north (-y). Axis of a direction: dir >> 1. */
export const DX = Int8Array.of(1, -1, 0, 0);
export const DY = Int8Array.of(0, 0, 1, -1);

export class Grid {
  readonly width: number;
  readonly depth: number;
  readonly cells: number;
  /** Maximum bins per stack. */
  readonly height: number;
  readonly pitchX: number;
  readonly pitchY: number;
  readonly binHeight: number;
  readonly kind: Uint8Array;
  /** Port index owning a port or buffer cell, else -1. */
  readonly portOf: Int16Array;
  /** Bins per stack. */
  readonly stackHeight: Uint8Array;
  /** stackBins[cell * height + level] = bin id, or -1 above the top. */
  readonly stackBins: Int32Array;
  /** Count of bins in the stack that a fetch is heading for: such a stack must not be covered. */
  readonly protectedCount: Uint16Array;

  constructor(cfg: WorldConfig) {
    this.width = cfg.width;
    this.depth = cfg.depth;
    this.cells = cfg.width * cfg.depth;
    this.height = cfg.height;
    this.pitchX = cfg.pitchX;
    this.pitchY = cfg.pitchY;
    this.binHeight = cfg.binHeight;
    this.kind = new Uint8Array(this.cells);
    this.portOf = new Int16Array(this.cells).fill(-1);
    this.stackHeight = new Uint8Array(this.cells);
    this.stackBins = new Int32Array(this.cells * cfg.height).fill(-1);
    this.protectedCount = new Uint16Array(this.cells);
    for (const b of cfg.blocked) this.kind[this.cell(b.x, b.y)] = CellKind.Blocked;
    for (const c of cfg.chargers) this.kind[this.cell(c.x, c.y)] = CellKind.Charger;
    cfg.ports.forEach((p, i) => {
      const c = this.cell(p.x, p.y);
      this.kind[c] = CellKind.Port;
      this.portOf[c] = i;
      for (const b of p.buffer) {
        const bc = this.cell(b.x, b.y);
        this.kind[bc] = CellKind.Buffer;
        this.portOf[bc] = i;
      }
    });
    // Cells around a port or its buffer (the eight neighbours) are streets: robots come and go
    // through them, so nothing is stored or parked there and the way out of a port stays open.
    for (let c = 0; c < this.cells; c++) {
      if (this.kind[c] !== CellKind.Port && this.kind[c] !== CellKind.Buffer) continue;
      const cx = c % this.width, cy = (c / this.width) | 0;
      for (let y = Math.max(0, cy - 1); y <= Math.min(this.depth - 1, cy + 1); y++) {
        for (let x = Math.max(0, cx - 1); x <= Math.min(this.width - 1, cx + 1); x++) {
          const n = y * this.width + x;
          if (this.kind[n] === CellKind.Storage) this.kind[n] = CellKind.Street;
        }
      }
    }
  }

  cell(x: number, y: number): number { return y * this.width + x; }
  x(cell: number): number { return cell % this.width; }
  y(cell: number): number { return (cell / this.width) | 0; }

  /** Neighbour of `cell` in direction `dir`, or -1 off the grid. */
  step(cell: number, dir: number): number {
    const x = (cell % this.width) + DX[dir]!;
    const y = ((cell / this.width) | 0) + DY[dir]!;
    if (x < 0 || y < 0 || x >= this.width || y >= this.depth) return -1;
    return y * this.width + x;
  }

  isStorage(cell: number): boolean { return this.kind[cell] === CellKind.Storage; }

  /** Where an idle robot may stand for as long as it likes. */
  isParking(cell: number): boolean {
    const k = this.kind[cell];
    return k === CellKind.Storage || k === CellKind.Charger;
  }

  /** Top bin of a stack, or -1 if empty. */
  top(cell: number): number {
    const h = this.stackHeight[cell]!;
    return h === 0 ? -1 : this.stackBins[cell * this.height + h - 1]!;
  }

  /** Put a bin on top of a stack (caller checks room). */
  push(cell: number, bin: number): number {
    const h = this.stackHeight[cell]!;
    this.stackBins[cell * this.height + h] = bin;
    this.stackHeight[cell] = h + 1;
    return h;
  }

  /** Take the top bin of a stack. */
  pop(cell: number): number {
    const h = this.stackHeight[cell]! - 1;
    const i = cell * this.height + h;
    const bin = this.stackBins[i]!;
    this.stackBins[i] = -1;
    this.stackHeight[cell] = h;
    return bin;
  }

  /** Gripper travel in metres from the rails down to the top of the bin at `level`. */
  depthToLevel(level: number): number {
    return (this.height - level) * this.binHeight;
  }
}
