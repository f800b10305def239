/**
 * An analytic cycle-time model of one robot serving one port, from the documented physics (README, The
 * model; ../shared/reference/autostore.md) and none of the simulator's code: the yardstick the simulator
 * is validated against (`npm run validate:model`, test/cycle-model.test.ts).
 *
 * The case it models (validationScenario builds it): one R5 robot, one CarouselPort on the north edge,
 * bins spread evenly over the stacks, every SKU in one bin with uniform demand, one-line orders taken
 * oldest first (`assignment: nearest-idle`), so that the bin fetched is uniform over all bins: its stack
 * is uniform over stacks weighted by height, its depth uniform over the stack. A cycle:
 *   1. drive empty from the stack the last bin was returned to, R, to the target stack T;
 *   2. dig: for each of the d bins above the target, lift it, drive to the cheapest stack with room within
 *      two cells (drive plus lowering at its height, heights drawn from the grid's now), lower it there,
 *      drive back; then lift the target;
 *   3. drive loaded from T to the port cell P; lower the bin into the port and lift the previous one out
 *      (the carousel swap: the operator has long finished it);
 *   4. drive loaded to the return stack R (the cheapest stack with room by drive plus lowering at its
 *      height now: the stacks nearest the port fill up, and fetches from them make room again) and lower
 *      the bin there;
 *   5. one tick idle while the WCS gives the next job.
 * The grid changes over the run (returns pile up near the port, dug-out bins on neighbours), and the
 * model follows it in expectation, cycle by cycle (see simulateRun).
 * A straight stop-to-stop run of s metres takes 2·sqrt(s/a) below s = v²/a, else s/v + v/a (the
 * trapezoid), and ends on a tick (half a tick more on average). A leg with an x and a y run starts along
 * the axis the wheels are set for and switches once; a leg along one axis switches when set for the
 * other. Which axis the robot is set for is followed as a probability through the cycle (and the return
 * stacks are ranked for the axis the robot reaches the port with). A lift or a lowering at level l
 * (0 on the floor, H the grid's height) costs 2·(H - l)·binHeight / liftSpeed + the grip time; at the
 * port the depth is the port's hand-over depth.
 * Time is booked as the simulator books it: drives empty / loaded, digging (every gripper action at a
 * stack and the drives of a dig), port handling (the two port grips), idle (the tick between jobs).
 * Pure.
 */
import type { RobotModel, WorldConfig } from '../../sim/config.ts';
import type { LoadedScenario } from '../scenario/types.ts';

/** Cells around a target (Chebyshev) where the model looks for the stack a dug-out bin goes to. */
const ASIDE_RADIUS = 2;
/** Stacks nearest the port whose heights the model follows one by one (where returns go). */
const RETURN_CANDIDATES = 64;

export interface CycleEstimate {
  /** Mean seconds per cycle (one presentation). */
  cycleSeconds: number;
  presentationsPerHour: number;
  /** Mean bins above a fetched bin (bins moved aside per retrieval). */
  meanDepth: number;
  /** Mean seconds per cycle in each time category. */
  seconds: { movingEmpty: number; movingLoaded: number; digging: number; portHandling: number; idle: number };
}

/** Seconds to run s metres from stop to stop (trapezoid, or triangle when too short for top speed). */
export function runSeconds(s: number, v: number, a: number): number {
  if (s <= 0) return 0;
  return s < (v * v) / a ? 2 * Math.sqrt(s / a) : s / v + v / a;
}

interface Cell { x: number; y: number }

/** Storage cells: all but the ports', their buffer cells' and the streets around both (8 neighbours). */
export function storageCells(cfg: WorldConfig): Cell[] {
  const street = new Set<string>();
  for (const p of cfg.ports) {
    for (const c of [{ x: p.x, y: p.y }, ...p.buffer]) {
      for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) street.add(`${c.x + dx},${c.y + dy}`);
    }
  }
  const blocked = new Set([...cfg.blocked, ...cfg.chargers].map((c) => `${c.x},${c.y}`));
  const out: Cell[] = [];
  for (let y = 0; y < cfg.depth; y++) {
    for (let x = 0; x < cfg.width; x++) if (!street.has(`${x},${y}`) && !blocked.has(`${x},${y}`)) out.push({ x, y });
  }
  return out;
}

/** The model for a scenario of the validated kind, over a run of `seconds` from its evenly filled start. */
export function cycleEstimate(sc: LoadedScenario, seconds: number): CycleEstimate {
  const cfg = sc.world;
  if (cfg.robotCount !== 1 || cfg.ports.length !== 1) throw new RangeError('the cycle model is for one robot and one port');
  const m: RobotModel = cfg.robotModel;
  const H = cfg.height, bh = cfg.binHeight;
  const port = cfg.ports[0]!;
  const halfTick = cfg.tickSeconds / 2;
  const grip = (depthMetres: number) => (2 * depthMetres) / m.liftSpeed + m.gripSeconds;
  const atLevel = (level: number) => grip((H - level) * bh);
  /**
   * A leg from a to b starting with the wheels set for y with chance `py`: its mean time and the chance
   * it ends set for y. With both an x and a y run it starts along the axis it is set for and switches
   * once; along one axis it switches only when set for the other.
   */
  const legA = (a: Cell, b: Cell, loaded: boolean, py: number): { t: number; py: number } => {
    const v = loaded ? m.topSpeedLoaded : m.topSpeed, acc = loaded ? m.accelLoaded : m.accel;
    const dx = Math.abs(a.x - b.x) * cfg.pitchX, dy = Math.abs(a.y - b.y) * cfg.pitchY;
    // Each run ends on a tick: half a tick later than its physics on average.
    const runs = runSeconds(dx, v, acc) + runSeconds(dy, v, acc) + ((dx > 0 ? 1 : 0) + (dy > 0 ? 1 : 0)) * halfTick;
    if (dx > 0 && dy > 0) return { t: runs + m.wheelSwitchSeconds, py: 1 - py };
    if (dx > 0) return { t: runs + py * m.wheelSwitchSeconds, py: 0 };
    if (dy > 0) return { t: runs + (1 - py) * m.wheelSwitchSeconds, py: 1 };
    return { t: 0, py };
  };

  // Stacks: bins spread evenly (the extra ones one each on as many stacks).
  const stacks = storageCells(cfg);
  const per = Math.floor(cfg.binCount / stacks.length);
  const extra = cfg.binCount - per * stacks.length;
  const P: Cell = { x: port.x, y: port.y };

  /**
   * A bin dug out goes to the cheapest stack with room by loaded drive plus lowering at its height (the
   * simulator's rule), among the stacks within two cells of the target, their heights drawn from the grid's
   * now (`share[h]`: the share of stacks with h bins; a full one has no room). Ties go to the lower cell
   * index (row, then column). Returns the mean of drive there, lowering and the empty drive back, for a
   * robot at the target set for y with chance `py`.
   */
  const asideCost = (py: number, share: Float64Array): number => {
    const cands: { out: number; back: number }[] = [];
    for (let dy = -ASIDE_RADIUS; dy <= ASIDE_RADIUS; dy++) {
      for (let dx = -ASIDE_RADIUS; dx <= ASIDE_RADIUS; dx++) {
        if (dx === 0 && dy === 0) continue;
        const o = legA({ x: 0, y: 0 }, { x: dx, y: dy }, true, py);
        cands.push({ out: o.t, back: legA({ x: dx, y: dy }, { x: 0, y: 0 }, false, o.py).t });
      }
    }
    // P(candidate j costs more than x), strictly (after) or at least (before the candidate in index order).
    const above = (j: number, x: number, strict: boolean) => {
      let q = share[H]!;
      for (let h = 0; h < H; h++) {
        const c = cands[j]!.out + atLevel(h);
        if (strict ? c > x : c >= x) q += share[h]!;
      }
      return q;
    };
    let total = 0, mass = 0;
    for (let i = 0; i < cands.length; i++) {
      for (let h = 0; h < H; h++) {
        if (share[h]! <= 0) continue;
        const x = cands[i]!.out + atLevel(h);
        let pr = share[h]!;
        for (let j = 0; j < cands.length && pr > 0; j++) if (j !== i) pr *= above(j, x, j < i);
        total += pr * (x + cands[i]!.back);
        mass += pr;
      }
    }
    return mass > 0 ? total / mass : 0;
  };
  /**
   * From the return stack R, set for y with chance pyR: the mean empty drive to the target stack, the
   * mean dig drive aside and back (along the axis the robot arrived with), the mean loaded drive on to
   * the port, and the chance it reaches the port set for y.
   */
  const fromReturn = (R: Cell, pyR: number, weight: (t: Cell) => number = () => 1) => {
    let empty = 0, toPort = 0, pyP = 0, pyT = 0, n = 0;
    for (const t of stacks) {
      const k = weight(t);
      const a = legA(R, t, false, pyR);
      const b = legA(t, P, true, a.py);
      empty += k * a.t; toPort += k * b.t; pyP += k * b.py; pyT += k * a.py; n += k;
    }
    return { empty: empty / n, toPort: toPort / n, pyP: pyP / n, pyT: pyT / n };
  };
  // The return stacks, cheapest first (drive from the port plus lowering), for the robot's axis at the
  // port: found by iterating the cycle's axis chain to its fixed point.
  let pyAtP = 0.5;
  let ranked: { c: Cell; cost: number }[] = [];
  for (let i = 0; i < 6; i++) {
    ranked = stacks.map((c) => ({ c, cost: legA(P, c, true, pyAtP).t + atLevel(per) })).sort((a, b) => a.cost - b.cost);
    const R = ranked[0]!.c;
    pyAtP = fromReturn(R, legA(P, R, true, pyAtP).py).pyP;
  }
  // Mean empty drive from cell c to the target stack (stacks weighted by their bins).

  // Digging a target at depth d in a stack of h bins: for each covering bin (taken from the top down) a
  // lift, and the drive aside, lowering and drive back of asideCost; then the target's lift.
  const digWork = (h: number, d: number, aside: number) => {
    let work = 0;
    for (let k = 0; k < d; k++) work += atLevel(h - 1 - k) + aside;
    return work + atLevel(h - 1 - d);
  };
  const portGrips = 2 * grip(port.handoverDepth);
  const tick = cfg.tickSeconds;

  /**
   * The run, cycle by cycle, in expectation. The grid changes as it goes: each cycle takes one bin out of
   * a stack (one chosen with the chance of its share of the bins: the target is uniform over bins) and
   * puts one on the return stack, so return stacks near the port grow to the top while the others
   * shrink, and fetches dig deeper on average. `count[h]`: stacks (fractional, in expectation) of h bins.
   */
  const simulateRun = (cycles: number) => {
    const count = new Float64Array(H + 1);
    count[per] = stacks.length - extra;
    count[per + 1] = extra;
    let bins = cfg.binCount;
    let dig = 0, drive = 0, lower = 0, toTarget = 0, toPort = 0, depth = 0;
    // The heights of the stacks nearest the port (where returns go), in expectation: each cycle a fetch
    // takes bins from them as from any stack, dug-out bins land on them as on any, and the return goes
    // to the cheapest with room by drive plus lowering at its height now.
    const near = Math.min(ranked.length, RETURN_CANDIDATES);
    const hts = new Float64Array(near).fill(per);
    const retDrive = ranked.slice(0, near).map((x) => legA(P, x.c, true, pyAtP));
    const nearIndex = new Map(ranked.slice(0, near).map((x, i) => [x.c, i] as const));
    const n = Math.max(1, Math.round(cycles));
    for (let j = 0; j < n; j++) {
      // The return stack of this cycle (the cheapest with room): the cycle's legs start from it.
      let r = -1, best = Infinity;
      for (let i = 0; i < near; i++) {
        if (hts[i]! > H - 1) continue;
        const cost = retDrive[i]!.t + atLevel(Math.floor(hts[i]!));
        if (cost < best) { best = cost; r = i; }
      }
      if (r < 0) r = near - 1;
      const rh = Math.min(H - 1, Math.floor(hts[r]!));
      const R = ranked[r]!.c;
      const ret = retDrive[r]!;
      // The target is uniform over bins: a stack is chosen with the chance of its height (the near ones
      // as followed, the others at the mean height of the rest).
      let nearBins = 0;
      for (let i = 0; i < near; i++) nearBins += hts[i]!;
      const restHeight = Math.max(0, (bins - nearBins) / Math.max(1, stacks.length - near));
      const from = fromReturn(R, ret.py, (t) => { const i = nearIndex.get(t); return i === undefined ? restHeight : hts[i]!; });
      toTarget += from.empty; toPort += from.toPort;
      // Mean dig work over all bins now.
      const stacksAll = count.reduce((a, c) => a + c, 0);
      const aside = asideCost(from.pyT, count.map((c) => c / stacksAll));
      let work = 0;
      for (let h = 1; h <= H; h++) {
        if (count[h]! <= 0) continue;
        let perStack = 0;
        for (let d = 0; d < h; d++) perStack += digWork(h, d, aside);
        work += count[h]! * perStack;
        depth += (count[h]! * h * (h - 1)) / 2 / bins;
      }
      dig += work / bins;
      // The fetch: a bin uniform over all bins, so a stack of h bins with chance count[h]·h / bins and a
      // depth d uniform over 0..h-1. Its stack keeps h - 1 - d bins; the d bins above the target go onto
      // a neighbour (a stack uniform over all, h' -> h' + d, at most H).
      const stacksNow = count.reduce((a, c) => a + c, 0);
      const next = Float64Array.from(count);
      for (let h = 1; h <= H; h++) {
        if (count[h]! <= 0) continue;
        for (let d = 0; d < h; d++) {
          const p = (count[h]! * h) / bins / h; // this stack height and this depth
          next[h]! -= p; next[h - 1 - d]! += p;
          if (d === 0) continue;
          for (let g = 0; g <= H; g++) {
            if (count[g]! <= 0) continue;
            const q = p * (count[g]! / stacksNow);
            next[g]! -= q; next[Math.min(H, g + d)]! += q;
          }
        }
      }
      count.set(next);
      // The near stacks in expectation: a fetch hits stack i with chance h / bins and takes the target and
      // the bins above it ((h + 1) / 2 on average); the bins dug out land on any stack alike.
      let dug = 0;
      for (let h = 1; h <= H; h++) dug += (count[h]! * h * (h - 1)) / 2 / bins;
      for (let i = 0; i < near; i++) {
        const h = hts[i]!;
        hts[i] = Math.max(0, h - (h / bins) * ((h + 1) / 2) + dug / stacksNow);
      }
      bins -= 1;
      // The return: onto R.
      drive += ret.t; lower += atLevel(rh);
      count[rh]! -= 1; count[rh + 1]! += 1; hts[r]! += 1; bins += 1;
    }
    return { dig: dig / n, drive: drive / n, lower: lower / n, toTarget: toTarget / n, toPort: toPort / n, depth: depth / n };
  };

  let cycle = 60;
  let est: CycleEstimate | undefined;
  for (let i = 0; i < 4; i++) {
    const run = simulateRun(seconds / cycle);
    const secs = {
      movingEmpty: run.toTarget,
      movingLoaded: run.toPort + run.drive,
      digging: run.dig + run.lower,
      portHandling: portGrips,
      idle: tick,
    };
    cycle = secs.movingEmpty + secs.movingLoaded + secs.digging + secs.portHandling + secs.idle;
    est = { cycleSeconds: cycle, presentationsPerHour: 3600 / cycle, meanDepth: run.depth, seconds: secs };
  }
  return est!;
}

/** The scenario file of the validated kind: a grid, a stack height and a fill (share of the slots holding bins). */
export function validationScenarioFile(o: { width: number; depth: number; height: number; fill: number; seed: number }): Record<string, unknown> {
  const slots = (o.width * o.depth - 12) * o.height;
  const bins = Math.round(slots * o.fill);
  return {
    name: `cycle-model ${o.width}x${o.depth}x${o.height} fill ${o.fill}`, seed: o.seed,
    notes: ['Built by wcs/run/cycle-model.ts for the validation of the simulator against the analytic cycle model.'],
    grid: { width: o.width, depth: o.depth, height: o.height },
    robots: { count: 1, model: 'R5' },
    ports: [{ id: 'P1', type: 'carousel', edge: 'north', x: Math.floor(o.width / 2), y: 0 }],
    bins: { count: bins },
    inventory: { skus: bins, unitsPerBin: { min: 50, max: 50 }, slotsPerSku: 1 },
    orders: { mode: 'backlog', linesPerOrder: { mean: 1, max: 1 }, unitsPerLine: { mean: 1, max: 1 }, skew: { share: 0.5, of: 0.5 }, channels: { web: 1 } },
    dispatch: { assignment: 'nearest-idle' },
  };
}
