/**
 * Ports: the operator stations at the grid's edge. A robot over the port cell lowers a bin into the
 * port's input; the port moves it to the operator position, the operator handles it for a seeded time,
 * and the bin waits at the output until a robot over the port cell lifts it out. A port holds at most
 * `binPositions` bins; a robot that brings a bin may always swap it for a finished one. Presentations are
 * at least `minCycleSeconds` apart. The operator's time per presentation follows the station model
 * (sim/config.ts): bin exchange + per order line + per unit of the work the warehouse control gave the bin.
 */
import type { PortConfig, StageTime } from './config.ts';
import { nextLognormal, type RngState } from './rng.ts';

/** Mutable state of one port. Small per-port arrays; nothing here is touched per robot per tick. */
export class PortState {
  readonly index: number;
  readonly cfg: PortConfig;
  readonly cell: number;
  /** Cells of the queue: slot 0 is the port cell, slot i the (i-1)th buffer cell. */
  readonly slotCells: Int32Array;
  readonly queueLimit: number;
  /** Where robots not yet admitted to the queue wait: the grid cell just inside the last buffer cell. */
  readonly approach: number;
  readonly minCycleTicks: number;
  readonly transferTicks: number;
  /** Robots admitted to the queue, in order (index 0 is at or heading for the port cell). */
  queue: number[] = [];
  /** Robots with a bin for this port waiting to be admitted, first come first served. */
  waiting: number[] = [];
  /** Bins in the input, each with the tick it reaches the operator position. */
  inBins: number[] = [];
  inReady: number[] = [];
  /** Bin at the operator position, and when its handling started and ends. */
  opBin = -1;
  opStart = 0;
  opEnd = 0;
  lastStart = -0x3fffffff;
  /** Finished bins waiting at the output for a robot, with the tick each becomes reachable. */
  outBins: number[] = [];
  outReady: number[] = [];
  presentations = 0;
  busyTicks = 0;
  /** Order lines and units picked at this port (the work of the bins it presented). */
  lines = 0;
  units = 0;
  /** Last tick a bin moved in the port (put, taken, presented or finished): the watchdog's sign of life. */
  progressAt = 0;

  constructor(index: number, cfg: PortConfig, cell: number, slotCells: number[], approach: number, tickSeconds: number) {
    this.approach = approach;
    this.index = index;
    this.cfg = cfg;
    this.cell = cell;
    this.slotCells = Int32Array.from(slotCells);
    this.queueLimit = Math.max(1, Math.min(cfg.queueLimit, slotCells.length));
    this.minCycleTicks = Math.round(cfg.minCycleSeconds / tickSeconds);
    this.transferTicks = Math.round(cfg.transferSeconds / tickSeconds);
  }

  /** Bins inside the port. */
  binsInside(): number {
    return this.inBins.length + (this.opBin >= 0 ? 1 : 0) + this.outBins.length;
  }

  /** A finished bin is at the output and reachable by the robot over the port cell at `tick`. */
  outputReady(tick: number): boolean {
    return this.outBins.length > 0 && this.outReady[0]! <= tick;
  }

  /** Can a robot carrying a bin lower it into the port now? (Always when it can swap it for a finished one.) */
  canAccept(tick: number): boolean {
    return this.binsInside() < this.cfg.binPositions || this.outputReady(tick);
  }

  /** A bin enters the input. */
  put(bin: number, tick: number): void {
    this.progressAt = tick;
    this.inBins.push(bin);
    this.inReady.push(tick + this.transferTicks);
  }

  /** Take the first finished bin from the output. */
  take(tick: number): number {
    this.progressAt = tick;
    this.outReady.shift();
    return this.outBins.shift()!;
  }

  /**
   * Advance the operator by one tick. Returns 1 when a presentation started, 2 when one ended, 0
   * otherwise (at most one of the two per tick; a start waits for the next tick after an end).
   */
  advance(tick: number, rng: RngState, tickSeconds: number, binLines: Uint16Array, binUnits: Uint16Array): number {
    if (this.opBin >= 0) {
      this.busyTicks++;
      if (tick < this.opEnd) return 0;
      this.outBins.push(this.opBin);
      this.outReady.push(tick + this.transferTicks);
      this.opBin = -1;
      this.progressAt = tick;
      return 2;
    }
    if (this.inBins.length === 0 || this.inReady[0]! > tick || tick < this.lastStart + this.minCycleTicks) return 0;
    this.opBin = this.inBins.shift()!;
    this.inReady.shift();
    const st = this.cfg.station;
    const lines = binLines[this.opBin]!, units = binUnits[this.opBin]!;
    // The work given for this presentation is used up by it.
    binLines[this.opBin] = 0; binUnits[this.opBin] = 0;
    let seconds = draw(rng, st.exchange);
    for (let i = 0; i < lines; i++) seconds += draw(rng, st.line);
    for (let i = 0; i < units; i++) seconds += draw(rng, st.unit);
    seconds = Math.max(st.minSeconds, seconds);
    this.lines += lines;
    this.units += units;
    this.opStart = tick;
    this.opEnd = tick + Math.max(1, Math.round(seconds / tickSeconds));
    this.lastStart = tick;
    this.progressAt = tick;
    this.presentations++;
    return 1;
  }
}

/** One stage's time: nothing when its mean is 0, else a lognormal draw. */
function draw(rng: RngState, s: StageTime): number {
  return s.meanSeconds > 0 ? nextLognormal(rng, s.meanSeconds, s.cv) : 0;
}
