/**
 * Read-only views of the world for observers (the live stream, inspectors): a robot's continuous
 * position and heading, and the cells of its remaining plan. Pure: they read the world, change nothing.
 */
import { DX, DY } from './grid.ts';
import { positionAt } from './kinematics.ts';
import { MAX_PLAN_RUNS, Phase } from './robots.ts';
import type { World } from './world.ts';

/**
 * The robot's centre in cell units (cell (x, y) has its centre at x, y) and its heading (0 east, 1 west,
 * 2 south, 3 north; -1 when standing still), written into out[0..2].
 */
export function robotPose(w: World, r: number, out: Float64Array): void {
  const R = w.robots;
  const g = w.grid;
  const cell = R.cell[r]!;
  out[0] = cell % g.width;
  out[1] = (cell / g.width) | 0;
  out[2] = -1;
  if (R.phase[r] !== Phase.Moving) return;
  const base = r * MAX_PLAN_RUNS;
  const i = R.planIdx[r]!;
  if (i >= R.planCount[r]!) return;
  const depart = R.planDepart[base + i]!;
  const dir = R.planDir[base + i]!;
  const k = R.planK[base + i]!;
  const from = R.planFrom[base + i]!;
  out[2] = dir;
  if (w.tick < depart) { out[0] = from % g.width; out[1] = (from / g.width) | 0; return; }
  const table = w.tables[(dir >> 1) * 2 + (R.bin[r]! >= 0 ? 1 : 0)]!;
  const s = Math.min(k, positionAt(table.profiles[k]!, (w.tick - depart) * w.tickSeconds) / table.pitch);
  out[0] = (from % g.width) + DX[dir]! * s;
  out[1] = ((from / g.width) | 0) + DY[dir]! * s;
}

/** The cells the robot will still pass through, from where it is to the end of its plan, as [x, y]. */
export function robotPath(w: World, r: number): [number, number][] {
  const R = w.robots;
  const g = w.grid;
  const out: [number, number][] = [[R.cell[r]! % g.width, (R.cell[r]! / g.width) | 0]];
  if (R.phase[r] !== Phase.Moving) return out;
  const base = r * MAX_PLAN_RUNS;
  const here = R.cell[r]!;
  for (let i = R.planIdx[r]!; i < R.planCount[r]!; i++) {
    const from = R.planFrom[base + i]!;
    const dir = R.planDir[base + i]!;
    const stride = DX[dir]! + DY[dir]! * g.width;
    // On the current run, start after the cell the robot is over.
    const done = i === R.planIdx[r] ? Math.abs((here % g.width) - (from % g.width)) + Math.abs(((here / g.width) | 0) - ((from / g.width) | 0)) : 0;
    for (let j = done + 1; j <= R.planK[base + i]!; j++) {
      const c = from + stride * j;
      out.push([c % g.width, (c / g.width) | 0]);
    }
  }
  return out;
}
