/**
 * The replay path without a browser: a hand-written trace goes through the TraceBuilder and the
 * ReplayPlayer into a ViewStore, and the store must show what the trace says at each time — robots
 * between cells while driving, stack heights after lifts and drops, scrubbing backwards undoing them.
 */
import { describe, expect, it } from 'vitest';
import { ROBOT_STATES } from '../../wcs/protocol.ts';
import { ReplayPlayer } from '../src/replayPlayer.ts';
import { TraceBuilder, type ReplayTrace } from '../src/replayTrace.ts';
import { ViewStore } from '../src/store.ts';

/** 4 × 2 grid; stack at (3,0) holds bins 10, 11, 12; the port is at (0,1). */
function trace(): ReplayTrace {
  const lines = [
    { trace: 1, width: 4, depth: 2, height: 5, tickSeconds: 0.1, stacks: [[3, 0, [10, 11, 12]]] },
    // Robot 0 drives (0,0) → (1,0) → (2,0) and stops; it then lifts the top bin of (3,0) and drops it into the
    // port at (0,1) without driving there (the player mirrors events; checking them is check-trace's job).
    { robot: 0, x: 0, y: 0, from: 0, to: 2 },
    { robot: 0, x: 1, y: 0, from: 1, to: 3 },
    { robot: 0, x: 2, y: 0, from: 2.5, to: 10 },
    { bin: 12, event: 'lift', robot: 0, x: 3, y: 0, level: 2, at: 4 },
    { bin: 12, event: 'drop', robot: 0, x: 0, y: 1, level: null, at: 6 },
    // Robot 1 stands still all the time; its lines come out of time order.
    { robot: 1, x: 1, y: 1, from: 5, to: 10 },
    { robot: 1, x: 2, y: 1, from: 0, to: 5.5 },
  ];
  const b = new TraceBuilder();
  for (const l of lines) b.line(JSON.stringify(l));
  return b.finish();
}

function setup() {
  const store = new ViewStore();
  const player = new ReplayPlayer(store, trace());
  player.install();
  const at = (id: number) => {
    const s = store.robots.slot(id);
    return { x: store.robots.toX[s]!, y: store.robots.toY[s]!, state: ROBOT_STATES[store.robots.state[s]!], bin: store.robots.bin[s]!, heading: store.robots.heading[s]! };
  };
  return { store, player, at };
}

describe('replay', () => {
  it('reads the header, robots, events and ports', () => {
    const t = trace();
    expect(t.robots).toBe(2);
    expect(t.duration).toBe(10);
    expect(t.heights0[3]).toBe(3);
    expect(t.portCells).toEqual([4]);
    expect([...t.portDrops]).toEqual([6]);
  });

  it('puts robots in their cells and between cells while they drive', () => {
    const { player, at } = setup();
    player.seek(0.5);
    expect(at(0)).toMatchObject({ x: 0, y: 0 });
    player.seek(1.5); // (0,0) left at 1 (next cell entered), (1,0) reached at 2 (previous cell left)
    expect(at(0).x).toBeCloseTo(0.5);
    expect(at(0)).toMatchObject({ state: 'toBin', heading: 0 });
    player.seek(2.2);
    expect(at(0).x).toBe(1);
    player.seek(2.75);
    expect(at(0).x).toBeCloseTo(1.5);
    player.seek(3.5);
    expect(at(0)).toMatchObject({ x: 2, y: 0 });
    // Robot 1's lines were out of order; it is sorted by time: (2,1) until 5, then (1,1).
    player.seek(1);
    expect(at(1)).toMatchObject({ x: 2, y: 1 });
    player.seek(9);
    expect(at(1)).toMatchObject({ x: 1, y: 1, heading: 1 });
  });

  it('applies lifts and drops going forward and undoes them scrubbing back', () => {
    const { store, player, at } = setup();
    expect(store.heights[3]).toBe(3);
    player.seek(4);
    expect(store.heights[3]).toBe(2);
    expect(at(0)).toMatchObject({ bin: 12, state: 'carrying' });
    player.seek(7);
    expect(at(0).bin).toBe(-1);
    expect(store.ports[0]).toMatchObject({ presentations: 1, binsInside: 1 });
    expect(store.kpis?.binPresentations).toBe(1);
    player.seek(3);
    expect(store.heights[3]).toBe(3);
    expect(at(0).bin).toBe(-1);
    expect(store.ports[0]).toMatchObject({ presentations: 0, binsInside: 0 });
    player.seek(5);
    expect(at(0).bin).toBe(12);
  });

  it('plays at its speed and stops at the end', () => {
    const { player } = setup();
    player.speed = 10;
    player.playing = true;
    player.advance(500);
    expect(player.t).toBeCloseTo(5);
    player.advance(1000);
    expect(player.t).toBe(10);
    expect(player.playing).toBe(false);
  });

  it('rejects a file that is not a trace', () => {
    expect(() => new TraceBuilder().line('{"robot":0}')).toThrow(/not a trace/);
  });
});
