import { describe, expect, it } from 'vitest';
import { R5 } from '../sim/config.ts';
import { gripperSeconds, positionAt, runProfile, timeAtPosition } from '../sim/kinematics.ts';

/** A run's duration as the motion tables take it (RunTable): the profile's T. */
const tripSeconds = (d: number, v: number, a: number, b: number) => runProfile(d, v, a, b).T;
import { World } from '../sim/world.ts';
import { step } from '../sim/step.ts';
import { Job } from '../sim/robots.ts';
import { openGrid, placeRobot } from './support/worlds.ts';

/** The trapezoid formula from reference/autostore.md, written out independently. */
function formula(d: number, v: number, a: number): number {
  return d >= (v * v) / a ? d / v + v / a : 2 * Math.sqrt(d / a);
}

describe('trapezoid kinematics', () => {
  it('matches the published R5 figures', () => {
    expect(tripSeconds(0.705, 3.1, 0.8, 0.8)).toBeCloseTo(1.88, 2);
    expect(tripSeconds(0.48, 3.1, 0.8, 0.8)).toBeCloseTo(1.55, 2);
    expect(tripSeconds(7.05, 3.1, 0.8, 0.8)).toBeCloseTo(5.94, 2);
    expect(tripSeconds(30 * 0.705, 3.1, 0.8, 0.8)).toBeCloseTo(10.7, 1);
  });

  it('position and time are inverse and monotone over a run', () => {
    for (const d of [0.48, 3, 6, 12, 40]) {
      const p = runProfile(d, 3.1, 0.8, 0.8);
      let last = 0;
      for (let t = 0; t <= p.T; t += 0.05) {
        const s = positionAt(p, t);
        expect(s).toBeGreaterThanOrEqual(last - 1e-12);
        expect(timeAtPosition(p, s)).toBeCloseTo(t, 6);
        last = s;
      }
      expect(positionAt(p, p.T)).toBeCloseTo(d, 9);
    }
  });

  it('lift time grows linearly with depth: lift speed times depth plus the grip time', () => {
    const w = new World(openGrid({ height: 16, robotCount: 1 }));
    for (let level = 0; level < 16; level++) {
      const depth = (16 - level) * 0.33;
      const expected = (2 * depth) / R5.liftSpeed + R5.gripSeconds;
      expect(gripperSeconds(R5, depth)).toBeCloseTo(expected, 9);
      expect(Math.abs(w.liftTicks[level]! * 0.1 - expected)).toBeLessThanOrEqual(0.05 + 1e-9);
      if (level > 0) expect(w.liftTicks[level]!).toBeLessThan(w.liftTicks[level - 1]!);
    }
  });
});

describe('trip times in the world equal the trapezoid formula within one tick', () => {
  const trip = (dx: number, dy: number, axis: number) => {
    const w = new World(openGrid({ width: 40, depth: 40, robotCount: 1, binCount: 10 }));
    placeRobot(w, 0, 2, 2, axis);
    const goal = w.grid.cell(2 + dx, 2 + dy);
    step(w, [{ type: 'park', robot: 0, cell: goal }]);
    const start = 0;
    while (w.robots.job[0] !== Job.None && w.tick < 2000) step(w);
    expect(w.robots.cell[0]).toBe(goal);
    return (w.tick - 1 - start) * 0.1;
  };
  const v = R5.topSpeed, a = R5.accel;

  for (const k of [1, 2, 5, 9, 20, 35]) {
    it(`${k} cells along x`, () => {
      expect(Math.abs(trip(k, 0, 0) - formula(k * 0.705, v, a))).toBeLessThanOrEqual(0.1 + 1e-9);
    });
    it(`${k} cells along y`, () => {
      expect(Math.abs(trip(0, k, 1) - formula(k * 0.48, v, a))).toBeLessThanOrEqual(0.1 + 1e-9);
    });
  }

  it('with a turn: x run, wheel-set switch, y run', () => {
    const expected = formula(10 * 0.705, v, a) + R5.wheelSwitchSeconds + formula(7 * 0.48, v, a);
    expect(Math.abs(trip(10, 7, 0) - expected)).toBeLessThanOrEqual(0.2 + 1e-9);
  });

  it('starting on the wrong axis pays the switch first', () => {
    expect(Math.abs(trip(6, 0, 1) - (R5.wheelSwitchSeconds + formula(6 * 0.705, v, a)))).toBeLessThanOrEqual(0.1 + 1e-9);
  });
});
