/**
 * The view store mirrors the stream by id: a snapshot rebuilds, a frame applies only what it lists, and
 * a moved robot is drawn moving from where it was drawn towards its new position over a frame interval.
 */
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type FrameMessage, type LiveKpis, type SnapshotMessage } from '../../wcs/protocol.ts';
import { ViewStore } from '../src/store.ts';

const kpis = (tick: number): LiveKpis => ({
  tick, simSeconds: tick / 10, binPresentations: 0, binPresentationsPerHour: tick, portUtilization: [0.5], robotTime: { idle: 1 },
  robotUtilization: 0, collisions: 0, stuckRobots: 0, actualSpeed: 1,
});

function snapshot(tick = 0): SnapshotMessage {
  return {
    v: PROTOCOL_VERSION, type: 'snapshot', tick, simSeconds: tick / 10, control: { paused: false, speed: 1 },
    scenario: { name: 's', description: '', width: 3, depth: 2, height: 4, pitchX: 1, pitchY: 1, tickSeconds: 0.1,
      kinds: [0, 0, 0, 1, 5, 0], ports: [{ id: 'P1', type: 'carousel', x: 0, y: 1, buffer: [] }], robots: 2, bins: 3 },
    robots: [[0, 1, 0, 0, -1, 0], [5, 2, 1, 3, 7, 2]],
    stacks: [1, 2, 0, 0, 0, 0],
    ports: [[0, 1, 0, 0, 0, 3]],
    kpis: kpis(tick),
  };
}

const frame = (tick: number, f: Partial<FrameMessage>): FrameMessage =>
  ({ v: PROTOCOL_VERSION, type: 'frame', tick, simSeconds: tick / 10, robots: [], stacks: [], ports: [], ...f });

describe('view store', () => {
  it('rebuilds from a snapshot', () => {
    const s = new ViewStore();
    s.applySnapshot(snapshot(), 0);
    expect(s.generation).toBe(1);
    expect([...s.heights]).toEqual([1, 2, 0, 0, 0, 0]);
    expect(s.robots.count).toBe(2);
    expect(s.robots.slot(5)).toBe(1);
    expect(s.ports[0]).toMatchObject({ id: 'P1', queue: 1, presentations: 3 });
    expect(s.kpiT).toEqual([0]);
  });

  it('applies frame diffs by id and marks only changed cells dirty', () => {
    const s = new ViewStore();
    s.applySnapshot(snapshot(), 0);
    s.applyFrame(frame(1, { stacks: [[2, 3], [0, 1]], robots: [[5, 2, 0.5, 1, -1, 3]], kpis: kpis(1) }), 100);
    expect(s.heights[2]).toBe(3);
    expect([...s.dirtyCells.subarray(0, s.dirtyCount)]).toEqual([2]); // cell 0 did not change
    const r = s.robots, k = r.slot(5);
    expect(r.bin[k]).toBe(-1);
    expect(r.heading[k]).toBe(3);
    expect(r.styleDirty[k]).toBe(1);
    expect(s.tick).toBe(1);
    expect(s.kpiT).toEqual([0, 0.1]);
    s.clearDirty();
    expect(s.dirtyCount).toBe(0);
  });

  it('interpolates a move over the frame interval, continuing from where the robot is drawn', () => {
    const s = new ViewStore();
    s.applySnapshot(snapshot(), 0);
    s.robots.interval = 100;
    s.robots.apply([[0, 2, 0, 0, -1, 0]], 1000);
    const k = s.robots.slot(0);
    expect(s.robots.x(k, 1000)).toBe(1);
    expect(s.robots.x(k, 1050)).toBeCloseTo(1.5);
    expect(s.robots.x(k, 1200)).toBe(2);
    // A new position mid-move starts from the drawn position, not the old target: no jump.
    s.robots.apply([[0, 3, 0, 0, -1, 0]], 1050);
    expect(s.robots.x(k, 1050)).toBeCloseTo(1.5);
    expect(s.robots.x(k, 1150)).toBe(3);
  });

  it('hit-tests the nearest robot within the radius', () => {
    const s = new ViewStore();
    s.applySnapshot(snapshot(), 0);
    expect(s.robots.ids[s.robots.nearest(1.3, 0.2, 0.6, 0)]).toBe(0);
    expect(s.robots.nearest(1.5, 0.6, 0.6, 0)).toBe(-1);
  });

  it('keeps the chart across a snapshot of the same run, clears it for a new run', () => {
    const s = new ViewStore();
    s.applySnapshot(snapshot(0), 0);
    s.applyFrame(frame(10, { kpis: kpis(10) }), 1);
    s.applySnapshot(snapshot(20), 2);
    expect(s.kpiT).toEqual([0, 1, 2]);
    s.applySnapshot(snapshot(0), 3);
    expect(s.kpiT).toEqual([0]);
  });
});
