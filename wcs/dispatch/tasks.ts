/**
 * Bin tasks: one bin brought to a port, presented, and returned. A task owns the order lines its
 * presentation serves (lines of any order that need stock from that bin). Lifecycle as the binTask
 * xstate machine; the table here indexes tasks by id and by bin.
 */
import { startBinTask, stepBinTask, accepted, type BinTaskEvent, type BinTaskSnapshot } from '../orders/machines.ts';

export interface BinTask {
  readonly id: number;
  readonly bin: number;
  /** Port chosen at robot assignment (-1 before). */
  port: number;
  robot: number;
  readonly lines: number[];
  readonly createdTick: number;
  snapshot: BinTaskSnapshot;
  /** Its bin choice has been looked at again just before it could first start (see the dispatcher). */
  rebindChecked: boolean;
}

/** States in which more lines may still join a task (its bin has not been presented yet). */
const JOINABLE = new Set(['pending', 'assigned', 'retrieving', 'to_port', 'queued']);

/** Live tasks by id and by bin. Not pure: mutates its tables. */
export class TaskTable {
  private readonly byId = new Map<number, BinTask>();
  /** Live task per bin, or -1. */
  readonly ofBin: Int32Array;
  private nextId = 0;
  created = 0;
  finished = 0;
  cancelled = 0;

  constructor(binCount: number) {
    this.ofBin = new Int32Array(binCount).fill(-1);
  }

  get(id: number): BinTask | undefined { return this.byId.get(id); }

  /** The live task of `bin`, if any. */
  forBin(bin: number): BinTask | undefined {
    const id = this.ofBin[bin]!;
    return id < 0 ? undefined : this.byId.get(id);
  }

  /** Can a new line still be served by this task's presentation? */
  joinable(t: BinTask): boolean { return JOINABLE.has(t.snapshot.value as string); }

  create(bin: number, tick: number): BinTask {
    const id = this.nextId++;
    const t: BinTask = { id, bin, port: -1, robot: -1, lines: [], createdTick: tick, rebindChecked: false,
      snapshot: startBinTask({ taskId: id, bin, port: -1, createdTick: tick }) };
    this.byId.set(id, t);
    this.ofBin[bin] = id;
    this.created++;
    return t;
  }

  /** Apply a lifecycle event; throws if the machine does not accept it (a dispatcher bug). */
  advance(t: BinTask, e: BinTaskEvent): void {
    const next = stepBinTask(t.snapshot, e);
    if (!accepted(t.snapshot, next)) throw new Error(`task ${t.id} in ${String(t.snapshot.value)} cannot take ${e.type}`);
    t.snapshot = next;
  }

  /** The task is over (bin back in the grid): forget it. */
  finish(t: BinTask): void {
    this.byId.delete(t.id);
    if (this.ofBin[t.bin] === t.id) this.ofBin[t.bin] = -1;
    this.finished++;
  }

  /** A task that has not started is dropped (its lines have gone elsewhere). */
  cancel(t: BinTask, tick: number): void {
    this.advance(t, { type: 'CANCEL', tick });
    this.byId.delete(t.id);
    if (this.ofBin[t.bin] === t.id) this.ofBin[t.bin] = -1;
    this.cancelled++;
  }

  get live(): number { return this.byId.size; }
}
