import { describe, expect, it } from 'vitest';
import { Pibt, PibtAction } from '../sim/planner/pibt.ts';
import { createRng, nextFloat, nextInt } from '../sim/rng.ts';

/** A seeded map: `density` of cells blocked, the rest free (not necessarily connected). */
function randomMap(w: number, h: number, density: number, seed: number) {
  const rng = createRng(seed);
  const blocked = new Uint8Array(w * h);
  for (let c = 0; c < w * h; c++) if (nextFloat(rng) < density) blocked[c] = 1;
  return { width: w, height: h, blocked };
}

/** Free cells of the component holding the first free cell (every goal there is reachable). */
function component(m: { width: number; height: number; blocked: Uint8Array }): number[] {
  const start = m.blocked.indexOf(0);
  const seen = new Uint8Array(m.blocked.length);
  const out = [start];
  seen[start] = 1;
  for (let k = 0; k < out.length; k++) {
    const c = out[k]!, x = c % m.width, y = (c / m.width) | 0;
    for (const [nx, ny] of [[x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]] as const) {
      if (nx < 0 || ny < 0 || nx >= m.width || ny >= m.height) continue;
      const n = ny * m.width + nx;
      if (m.blocked[n] || seen[n]) continue;
      seen[n] = 1;
      out.push(n);
    }
  }
  return out;
}

/** Lifelong run: returns goals reached and checks every step's moves. */
function lifelong(robots: number, steps: number, seed: number, guidance = false) {
  const m = randomMap(24, 24, 0.2, 5);
  const cells = component(m);
  const rng = createRng(seed);
  for (let i = cells.length - 1; i > 0; i--) { const j = nextInt(rng, i + 1); [cells[i], cells[j]] = [cells[j]!, cells[i]!]; }
  const p = new Pibt(m, cells.slice(0, robots), seed, { guidance });
  for (let r = 0; r < robots; r++) p.setGoal(r, cells[nextInt(rng, cells.length)]!);
  const HX = [1, 0, -1, 0], HY = [0, 1, 0, -1];
  let reached = 0;
  for (let s = 0; s < steps; s++) {
    const pos = Int32Array.from(p.pos), head = Uint8Array.from(p.heading);
    p.step();
    const at = new Map<number, number>();
    for (let r = 0; r < robots; r++) {
      const c = p.pos[r]!;
      expect(at.has(c), `step ${s}: robots ${at.get(c)} and ${r} in cell ${c}`).toBe(false);
      at.set(c, r);
      expect(m.blocked[c], `step ${s}: robot ${r} on a blocked cell`).toBe(0);
      const a = p.action[r]!;
      if (a === PibtAction.Forward) {
        expect(c, `step ${s}: robot ${r} moves one cell ahead`).toBe(pos[r]! + HX[head[r]!]! + HY[head[r]!]! * m.width);
        expect(p.heading[r]).toBe(head[r]);
      } else {
        expect(c, `step ${s}: robot ${r} turns or waits in place`).toBe(pos[r]);
        const turn = (p.heading[r]! - head[r]! + 4) & 3;
        expect(turn).toBe(a === PibtAction.Wait ? 0 : a === PibtAction.TurnCw ? 1 : 3);
      }
    }
    for (let r = 0; r < robots; r++) {
      const k = at.get(pos[r]!);
      if (k !== undefined && k !== r && p.pos[r] === pos[k]) throw new Error(`step ${s}: robots ${r} and ${k} swap cells`);
    }
    for (let r = 0; r < robots; r++) {
      if (p.pos[r] !== p.goal[r]) continue;
      reached++;
      p.setGoal(r, cells[nextInt(rng, cells.length)]!);
    }
  }
  return { reached, pos: Array.from(p.pos) };
}

describe('PIBT core (turn model)', () => {
  it('moves only forward to a neighbour or turns in place, never puts two robots in one cell or swaps two, and keeps goals coming', () => {
    const { reached } = lifelong(120, 300, 3);
    // 120 robots on about 400 free cells (30 % of them taken): still a steady flow of goals reached.
    expect(reached).toBeGreaterThan(120);
  });

  it('keeps the same rules with guide paths, and keeps goals coming', () => {
    expect(lifelong(120, 300, 3, true).reached).toBeGreaterThan(120);
  });

  it("routes a guide path around a corridor another robot's guide path runs the other way", () => {
    // Two corridors between the left and right columns: row 0 (short) and row 2 (a detour of 4).
    const w = 7;
    const m = { width: w, height: 3, blocked: new Uint8Array(w * 3) };
    for (let x = 1; x < w - 1; x++) m.blocked[w + x] = 1;
    const p = new Pibt(m, [0, w - 1], 1, { guidance: true });
    p.setGoal(0, w - 1);
    p.setGoal(1, 0);
    const rows = (i: number) => Array.from(p.guidePath(i), (c) => (c / w) | 0);
    expect(rows(0).every((y) => y === 0)).toBe(true);
    expect(rows(1)).toContain(2);
    // Without guidance both take row 0, head on.
    const plain = new Pibt(m, [0, w - 1], 1);
    plain.setGoal(0, w - 1);
    expect(plain.guidePath(0).length).toBe(0);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(lifelong(60, 80, 9).pos).toEqual(lifelong(60, 80, 9).pos);
    expect(lifelong(60, 80, 9, true).pos).toEqual(lifelong(60, 80, 9, true).pos);
    expect(lifelong(60, 80, 9).pos).not.toEqual(lifelong(60, 80, 10).pos);
  });

  it('lets a robot out of a dead end whose only way out is held by a robot heading into it', () => {
    // A 4 x 4 room with a dead-end pocket of 2 cells off its left side (row 1). Robot 0 sits at the
    // pocket's end and must go to the room's far corner; robot 1 stands in the pocket's mouth and must
    // go to the pocket's end. Without help, robot 1 (pressing in) and robot 0 (unable to pass) wait for
    // ever.
    const w = 6, h = 4;
    const m = { width: w, height: h, blocked: new Uint8Array(w * h).fill(1) };
    for (let y = 0; y < h; y++) for (let x = 2; x < w; x++) m.blocked[y * w + x] = 0;
    m.blocked[w] = 0; m.blocked[w + 1] = 0;
    const p = new Pibt(m, [w, w + 1], 1);
    p.setGoal(0, (h - 1) * w + w - 1);
    p.setGoal(1, w);
    const done = [false, false];
    for (let s = 0; s < 40 && !(done[0] && done[1]); s++) {
      p.step();
      if (p.pos[0] === p.goal[0]) done[0] = true;
      if (p.pos[1] === p.goal[1]) done[1] = true;
    }
    expect(done).toEqual([true, true]);
  });

  it('rejects a start or goal on a blocked cell, naming the robot', () => {
    const m = { width: 3, height: 1, blocked: Uint8Array.from([0, 1, 0]) };
    expect(() => new Pibt(m, [1], 1)).toThrow(/robot 0: start cell 1/);
    expect(() => new Pibt(m, [0, 0], 1)).toThrow(/robot 1: start cell 0 is taken/);
    const p = new Pibt(m, [0], 1);
    expect(() => p.setGoal(0, 1)).toThrow(/robot 0: goal 1/);
  });
});
