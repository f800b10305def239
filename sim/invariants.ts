/**
 * The checks that prove a run physical: every bin in exactly one place, no stack above the limit, a
 * robot carries at most one bin, every move between neighbouring cells. (No two robots in one cell is
 * checked every tick by step itself.) Run every tick with the `check` option; a violation throws an
 * InvariantError naming the tick, robots and cells.
 */
import type { World } from './world.ts';

export class InvariantError extends Error {
  constructor(readonly tick: number, message: string) {
    super(`invariant violated at tick ${tick}: ${message}`);
  }
}

const lastCell = new WeakMap<World, Int32Array>();

/** Check every invariant of the world now; throws InvariantError on the first violation. */
export function checkWorld(w: World): void {
  const g = w.grid;
  const t = w.tick;
  const H = g.height;
  const nBins = w.binCell.length;
  const seen = new Uint8Array(nBins);
  const xy = (c: number) => `(${c % g.width},${(c / g.width) | 0})`;
  for (let c = 0; c < g.cells; c++) {
    const h = g.stackHeight[c]!;
    if (h > H) throw new InvariantError(t, `stack at ${xy(c)} holds ${h} bins, limit ${H}`);
    for (let l = 0; l < H; l++) {
      const b = g.stackBins[c * H + l]!;
      if (l >= h) { if (b !== -1) throw new InvariantError(t, `stack at ${xy(c)} has bin ${b} above its top`); continue; }
      if (b < 0 || b >= nBins) throw new InvariantError(t, `stack at ${xy(c)} level ${l} holds no bin`);
      if (seen[b]) throw new InvariantError(t, `bin ${b} is in two places`);
      seen[b] = 1;
      if (w.binCell[b] !== c || w.binLevel[b] !== l) throw new InvariantError(t, `bin ${b} is at ${xy(c)} level ${l} but recorded elsewhere`);
    }
  }
  const R = w.robots;
  for (let r = 0; r < R.count; r++) {
    const b = R.bin[r]!;
    if (b < 0) continue;
    if (seen[b]) throw new InvariantError(t, `bin ${b} carried by robot ${r} is also elsewhere`);
    seen[b] = 1;
    if (w.binRobot[b] !== r) throw new InvariantError(t, `robot ${r} carries bin ${b} recorded elsewhere`);
  }
  for (const p of w.ports) {
    for (const list of [p.inBins, p.outBins, p.opBin >= 0 ? [p.opBin] : []]) {
      for (const b of list) {
        if (seen[b]) throw new InvariantError(t, `bin ${b} in port ${p.cfg.id} is also elsewhere`);
        seen[b] = 1;
        if (w.binPort[b] !== p.index) throw new InvariantError(t, `bin ${b} is in port ${p.cfg.id} but recorded elsewhere`);
      }
    }
    if (p.binsInside() > p.cfg.binPositions + 1) throw new InvariantError(t, `port ${p.cfg.id} holds ${p.binsInside()} bins`);
  }
  for (let b = 0; b < nBins; b++) if (!seen[b]) throw new InvariantError(t, `bin ${b} is nowhere`);
  let last = lastCell.get(w);
  if (!last) { last = Int32Array.from(R.cell); lastCell.set(w, last); }
  for (let r = 0; r < R.count; r++) {
    const a = last[r]!, c = R.cell[r]!;
    const d = Math.abs((a % g.width) - (c % g.width)) + Math.abs(((a / g.width) | 0) - ((c / g.width) | 0));
    if (d > 1) throw new InvariantError(t, `robot ${r} jumped from ${xy(a)} to ${xy(c)}`);
    last[r] = c;
  }
}
