/**
 * The run trace: JSON Lines for independent validation and later replay.
 * - first line: {"trace":1,"width","depth","height","tickSeconds","stacks":[[x,y,[bins bottom->top]],...]}
 *   plus "name", "kinds" (cell kind codes, row-major) and "ports" ([{id,type,x,y,buffer}]) for replays;
 * - {"robot","x","y","from","to"}: robot occupies cell (x,y) over [from, to) seconds; every cell it stands
 *   in or passes through gets a line; one robot's intervals follow each other without gaps (while moving
 *   a robot's body covers two cells, so consecutive intervals overlap).
 * - {"bin","event":"lift"|"drop","robot","x","y","level","at"}: level from the floor (0); null at a port.
 * The writer is given a sink (a file in the CLI, an array in tests).
 */
import type { WorldEvent } from '../../sim/events.ts';
import { FOREVER } from '../../sim/planner/reservations.ts';
import type { World } from '../../sim/world.ts';

export type TraceSink = (line: string) => void;

export class TraceWriter {
  private readonly sink: TraceSink;
  private readonly endTick: number;
  private readonly w: World;

  constructor(w: World, sink: TraceSink, endTick: number) {
    this.w = w;
    this.sink = sink;
    this.endTick = endTick;
    const g = w.grid;
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

  private sec(ticks: number): number {
    return Math.round(ticks * this.w.tickSeconds * 1000) / 1000;
  }

  /** Write the trace lines of one step's events. */
  events(events: readonly WorldEvent[]): void {
    const g = this.w.grid;
    for (const e of events) {
      if (e.type === 'occupy') this.occupy(e.robot, e.cell, e.from, e.to);
      else if (e.type === 'bin') {
        this.sink(JSON.stringify({ bin: e.bin, event: e.op, robot: e.robot, x: e.cell % g.width, y: (e.cell / g.width) | 0,
          level: e.level < 0 ? null : e.level, at: this.sec(e.tick) }));
      }
    }
  }

  private occupy(robot: number, cell: number, from: number, to: number): void {
    if (from >= this.endTick) return;
    const g = this.w.grid;
    const end = to === FOREVER || to > this.endTick ? this.endTick : to;
    this.sink(JSON.stringify({ robot, x: cell % g.width, y: (cell / g.width) | 0, from: this.sec(from), to: this.sec(end) }));
  }

  /** At the end of the run: every robot's last held cell up to the end. */
  finish(): void {
    const R = this.w.robots;
    for (let r = 0; r < R.count; r++) {
      if (R.planCount[r]! > 0) {
        // Still driving: its goal's interval starts at heldSince (possibly after the end).
        this.occupy(r, R.goal[r]!, R.heldSince[r]!, FOREVER);
      } else {
        this.occupy(r, R.cell[r]!, R.heldSince[r]!, FOREVER);
      }
    }
  }
}
