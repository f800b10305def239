/**
 * PIBT (priority inheritance with backtracking; Okumura et al., AIJ 2022) for lifelong multi-robot path
 * finding in unit steps: a cheap per-step core for dense and corridor maps, where reservation-based
 * planning (sipp.ts) stalls because robots parked at their goals wall corridors off. Not used by the
 * simulator yet (its robots have real kinematics); the planner benchmark runs it beside the
 * competition's reference figures. Like all PIBT it can still circle in tree-like parts of a map
 * (a goal at the end of a corridor held by a robot that must leave through it).
 *
 * Action model (the competition model of the MovingAI lifelong benchmarks): each robot has a heading;
 * per step it moves one cell forward, turns 90 degrees, or waits. Conflicts: no two robots in one cell,
 * no two robots swapping cells; a robot may follow one that moves forward out of its way.
 *
 * Each step:
 * 1. Priorities: steps since the robot's goal was set (a seeded fraction breaks ties); at its goal a
 *    robot drops to its fraction. A robot in a dead end gains DEAD_END_BONUS per step: PIBT alone
 *    deadlocks when a robot's goal is a dead end held by another robot that can only leave through the
 *    first one's cell.
 * 2. PIBT: robots, highest priority first, take the neighbouring cell (or their own) nearest to their
 *    goal by true distance around obstacles; a robot in the way inherits the priority and must move
 *    elsewhere, backtracking if it cannot.
 * 3. Actions: a robot whose chosen cell is not ahead of it turns towards it instead (and stays); a robot
 *    heading into a cell whose robot does not move forward out of it waits. Candidates tie-break
 *    towards the cell ahead, so turns are taken only where they gain distance.
 *
 * Optional guidance (PibtOptions.guidance): traffic-aware guide paths, routed when a robot gets a goal
 * so as not to run against other robots' guide paths, rank the cells instead of the plain distance.
 *
 * Deterministic given its inputs (a seeded PRNG), typed arrays, no allocation per step beyond distance
 * tables for new goals (cached per goal cell; once the cache is full the least recently used table no
 * robot is heading for is reused).
 */
import { createRng, nextFloat, type RngState } from '../rng.ts';

/** Headings: 0 east (+x), 1 south (+y), 2 west, 3 north; turning clockwise adds 1. */
const HX = [1, 0, -1, 0] as const;
const HY = [0, 1, 0, -1] as const;

export const enum PibtAction { Wait = 0, Forward = 1, TurnCw = 2, TurnCcw = 3 }

const UNREACHABLE = 0xffff;
/** Priority added each step to a robot in a dead end (others can only reach its cell through it). */
const DEAD_END_BONUS = 10;

export interface PibtOptions {
  /**
   * Traffic-aware guide paths: each robot, when given a goal, gets a path that avoids running against
   * the guide paths of the others, and PIBT ranks cells by the distance to that path plus the path's
   * remaining length instead of the plain distance to the goal.
   */
  guidance?: boolean;
  /** Extra cost per other robot's guide path running the opposite way along an edge (default 2). */
  contraflowCost?: number;
  /** Bytes allowed for cached goal distance tables (default 512 MiB). */
  cacheBytes?: number;
}

export interface PibtMap {
  width: number;
  height: number;
  /** 1 where blocked, row-major. */
  blocked: Uint8Array;
}

export class Pibt {
  readonly n: number;
  readonly width: number;
  readonly height: number;
  readonly pos: Int32Array;
  readonly heading: Uint8Array;
  readonly goal: Int32Array;
  /** This step's action per robot (after step()). */
  readonly action: Uint8Array;
  private readonly blocked: Uint8Array;
  private readonly prio: Float64Array;
  /** 1 on cells with a single free neighbour (dead ends): robots there go first. */
  private readonly deadEnd: Uint8Array;
  private readonly tie: Float64Array;
  private readonly next: Int32Array;
  private readonly order: Int32Array;
  private readonly occNow: Int32Array;
  private readonly occNext: Int32Array;
  /** Dependency state while resolving actions: 0 unknown, 1 visiting, 2 moves, 3 waits. */
  private readonly dep: Uint8Array;
  private readonly rng: RngState;
  private readonly dist: (Uint16Array | undefined)[];
  private readonly cache = new Map<number, Uint16Array>();
  /** Robots per goal cell (a cached table in use is never reused). */
  private readonly goalRefs: Int32Array;
  private readonly cacheMax: number;
  private readonly bfsQueue: Int32Array;
  /** Candidate scratch: 5 slots per recursion depth. */
  private readonly candCell: Int32Array;
  private readonly candKey: Float64Array;
  private readonly byPrio: (a: number, b: number) => number;
  // Guidance (see PibtOptions): per robot its guide path, how far along it is, and its ranking table;
  // per directed edge (cell * 4 + heading) the guide paths still ahead of their robots that use it.
  private readonly guided: boolean;
  private readonly contraflow: number;
  private readonly flow: Uint16Array;
  private readonly path: Int32Array[];
  private readonly pathLen: Int32Array;
  private readonly pathAt: Int32Array;
  private readonly guide: Uint16Array[];
  private readonly heap: GuideHeap;
  private readonly cost: Float64Array;
  private readonly from: Int32Array;
  private readonly seen: Uint32Array;
  private epoch = 0;

  constructor(map: PibtMap, starts: ArrayLike<number>, seed: number, opts: PibtOptions = {}) {
    const cacheBytes = opts.cacheBytes ?? 512 << 20;
    this.width = map.width;
    this.height = map.height;
    this.blocked = map.blocked;
    const n = starts.length;
    this.n = n;
    const cells = map.width * map.height;
    this.pos = Int32Array.from(starts);
    this.heading = new Uint8Array(n);
    this.goal = Int32Array.from(starts);
    this.action = new Uint8Array(n);
    this.prio = new Float64Array(n);
    this.deadEnd = new Uint8Array(cells);
    for (let c = 0; c < cells; c++) {
      if (map.blocked[c]) continue;
      const x = c % map.width, y = (c / map.width) | 0;
      let free = 0;
      if (x + 1 < map.width && !map.blocked[c + 1]) free++;
      if (x > 0 && !map.blocked[c - 1]) free++;
      if (y + 1 < map.height && !map.blocked[c + map.width]) free++;
      if (y > 0 && !map.blocked[c - map.width]) free++;
      if (free <= 1) this.deadEnd[c] = 1;
    }
    this.tie = new Float64Array(n);
    this.next = new Int32Array(n);
    this.order = new Int32Array(n);
    this.occNow = new Int32Array(cells).fill(-1);
    this.occNext = new Int32Array(cells).fill(-1);
    this.dep = new Uint8Array(n);
    this.rng = createRng(seed);
    this.dist = new Array<Uint16Array | undefined>(n).fill(undefined);
    this.cacheMax = Math.max(n + 16, Math.floor(cacheBytes / (cells * 2)));
    this.bfsQueue = new Int32Array(cells);
    this.goalRefs = new Int32Array(cells);
    this.candCell = new Int32Array(5 * (n + 1));
    this.candKey = new Float64Array(5 * (n + 1));
    for (let i = 0; i < n; i++) {
      const c = starts[i]!;
      if (c < 0 || c >= cells || map.blocked[c]) throw new Error(`robot ${i}: start cell ${c} is not a free cell`);
      if (this.occNow[c] !== -1) throw new Error(`robot ${i}: start cell ${c} is taken by robot ${this.occNow[c]}`);
      this.occNow[c] = i;
      this.goalRefs[c]!++;
      this.tie[i] = nextFloat(this.rng);
      this.prio[i] = this.tie[i]!;
      this.order[i] = i;
    }
    const prio = this.prio;
    this.byPrio = (a, b) => (prio[b]! - prio[a]!) || (a - b);
    this.guided = opts.guidance === true;
    this.contraflow = opts.contraflowCost ?? 2;
    const g = this.guided;
    this.flow = new Uint16Array(g ? cells * 4 : 0);
    this.path = Array.from({ length: g ? n : 0 }, () => new Int32Array(64));
    this.pathLen = new Int32Array(n);
    this.pathAt = new Int32Array(n);
    this.guide = Array.from({ length: g ? n : 0 }, () => new Uint16Array(cells));
    this.heap = new GuideHeap(g ? cells * 4 : 0);
    this.cost = new Float64Array(g ? cells : 0);
    this.from = new Int32Array(g ? cells : 0);
    this.seen = new Uint32Array(g ? cells : 0);
  }

  /** Give robot i a new goal; its priority restarts. */
  setGoal(i: number, cell: number): void {
    if (cell < 0 || cell >= this.width * this.height || this.blocked[cell]) throw new Error(`robot ${i}: goal ${cell} is not a free cell`);
    this.goalRefs[this.goal[i]!]!--;
    this.goal[i] = cell;
    this.goalRefs[cell]!++;
    this.dist[i] = this.distanceTo(cell);
    this.prio[i] = this.tie[i]!;
    if (this.guided) this.routeGuide(i);
  }

  /**
   * Robot i's guide path to its goal: cheapest by 1 per cell plus `contraflow` per other guide path
   * that runs the opposite way along the same edge (A*, the goal distance as heuristic); its edges
   * join the flow, and its ranking table becomes the distance to the path plus the path's remaining
   * length from the nearest path cell.
   */
  private routeGuide(i: number): void {
    const w = this.width;
    const dist = this.dist[i]!;
    const start = this.pos[i]!, goal = this.goal[i]!;
    this.dropGuide(i);
    // A* over cells.
    if (++this.epoch === 0xffffffff) { this.seen.fill(0); this.epoch = 1; }
    const ep = this.epoch;
    const heap = this.heap;
    heap.clear();
    this.cost[start] = 0; this.from[start] = -1; this.seen[start] = ep;
    heap.push(start, dist[start]!);
    let found = false;
    while (heap.size > 0) {
      const c = heap.pop();
      if (c === goal) { found = true; break; }
      const gc = this.cost[c]!;
      const x = c % w, y = (c / w) | 0;
      for (let d = 0; d < 4; d++) {
        const nx = x + HX[d]!, ny = y + HY[d]!;
        if (nx < 0 || ny < 0 || nx >= w || ny >= this.height) continue;
        const m = ny * w + nx;
        if (this.blocked[m]) continue;
        const ng = gc + 1 + this.contraflow * this.flow[m * 4 + ((d + 2) & 3)]!;
        if (this.seen[m] === ep && this.cost[m]! <= ng) continue;
        this.seen[m] = ep; this.cost[m] = ng; this.from[m] = c;
        heap.push(m, ng + dist[m]!);
      }
    }
    if (!found) return; // no way there: rank by goal distance alone
    // The path, start to goal.
    let len = 0;
    for (let c = goal; c !== -1; c = this.from[c]!) len++;
    if (this.path[i]!.length < len) this.path[i] = new Int32Array(Math.max(len, this.path[i]!.length * 2));
    const path = this.path[i]!;
    let k = len;
    for (let c = goal; c !== -1; c = this.from[c]!) path[--k] = c;
    this.pathLen[i] = len;
    this.pathAt[i] = 0;
    for (let k2 = 0; k2 + 1 < len; k2++) this.flow[path[k2]! * 4 + this.headingOf(path[k2]!, path[k2 + 1]!)]!++;
    // Ranking table: breadth-first search from all path cells at once (those nearer the goal first, so
    // they win ties); a cell's rank is its distance to the nearest path cell plus that cell's remaining
    // length, so a robot pushed off its path is drawn back to it rather than onto a shortcut.
    const h = this.guide[i]!;
    h.fill(UNREACHABLE);
    const q = this.bfsQueue;
    let head = 0, tail = 0;
    for (let k2 = len - 1; k2 >= 0; k2--) {
      const c = path[k2]!;
      if (h[c] !== UNREACHABLE) continue;
      h[c] = len - 1 - k2;
      q[tail++] = c;
    }
    while (head < tail) {
      const c = q[head++]!;
      const x = c % w, y = (c / w) | 0;
      for (let d = 0; d < 4; d++) {
        const nx = x + HX[d]!, ny = y + HY[d]!;
        if (nx < 0 || ny < 0 || nx >= w || ny >= this.height) continue;
        const m = ny * w + nx;
        if (this.blocked[m] || h[m] !== UNREACHABLE) continue;
        h[m] = Math.min(UNREACHABLE - 1, h[c]! + 1);
        q[tail++] = m;
      }
    }
  }

  /** Robot i's guide path from where it is along it to its goal (a copy; empty without guidance). */
  guidePath(i: number): Int32Array {
    if (!this.guided) return new Int32Array(0);
    return this.path[i]!.slice(this.pathAt[i]!, this.pathLen[i]!);
  }

  /** Take robot i's guide path, from where it is along it, out of the flow. */
  private dropGuide(i: number): void {
    const path = this.path[i]!;
    for (let k = this.pathAt[i]!; k + 1 < this.pathLen[i]!; k++) this.flow[path[k]! * 4 + this.headingOf(path[k]!, path[k + 1]!)]!--;
    this.pathLen[i] = 0;
    this.pathAt[i] = 0;
  }

  /** Robot i moved: the guide path's edges it has passed leave the flow. */
  private advanceGuide(i: number): void {
    const path = this.path[i]!;
    const at = this.pos[i]!;
    // Look a few cells ahead (a pushed robot may rejoin further on).
    const end = Math.min(this.pathLen[i]!, this.pathAt[i]! + 4);
    for (let k = this.pathAt[i]! + 1; k < end; k++) {
      if (path[k] !== at) continue;
      for (let e = this.pathAt[i]!; e < k; e++) this.flow[path[e]! * 4 + this.headingOf(path[e]!, path[e + 1]!)]!--;
      this.pathAt[i] = k;
      return;
    }
  }

  /** Cells to `goal` from everywhere around obstacles, cached per goal. */
  private distanceTo(goal: number): Uint16Array {
    const hit = this.cache.get(goal);
    if (hit) { this.cache.delete(goal); this.cache.set(goal, hit); return hit; }
    let d: Uint16Array | undefined;
    if (this.cache.size >= this.cacheMax) {
      // Reuse the least recently used table no robot is following.
      for (const [g, t] of this.cache) {
        if (this.goalRefs[g]! > 0) continue;
        this.cache.delete(g);
        d = t;
        break;
      }
    }
    d ??= new Uint16Array(this.width * this.height);
    d.fill(UNREACHABLE);
    const q = this.bfsQueue;
    const w = this.width, h = this.height;
    let head = 0, tail = 0;
    d[goal] = 0;
    q[tail++] = goal;
    while (head < tail) {
      const c = q[head++]!;
      const x = c % w, y = (c / w) | 0;
      const nd = d[c]! + 1;
      if (x + 1 < w) { const m = c + 1; if (d[m] === UNREACHABLE && !this.blocked[m]) { d[m] = nd; q[tail++] = m; } }
      if (x > 0) { const m = c - 1; if (d[m] === UNREACHABLE && !this.blocked[m]) { d[m] = nd; q[tail++] = m; } }
      if (y + 1 < h) { const m = c + w; if (d[m] === UNREACHABLE && !this.blocked[m]) { d[m] = nd; q[tail++] = m; } }
      if (y > 0) { const m = c - w; if (d[m] === UNREACHABLE && !this.blocked[m]) { d[m] = nd; q[tail++] = m; } }
    }
    this.cache.set(goal, d);
    return d;
  }

  /** Plan and execute one step. */
  step(): void {
    const n = this.n;
    for (let i = 0; i < n; i++) {
      this.next[i] = -1;
      this.dep[i] = 0;
      if (this.pos[i] === this.goal[i]) continue;
      if (this.deadEnd[this.pos[i]!]) this.prio[i]! += DEAD_END_BONUS;
      this.prio[i]! += 1;
    }
    this.order.sort(this.byPrio);
    for (let k = 0; k < n; k++) {
      const i = this.order[k]!;
      if (this.next[i] === -1) this.pibt(i, -1, 0);
    }
    // Actions: forward when the chosen cell is ahead, else turn towards it (the shorter way; a reversal
    // takes two turns).
    for (let i = 0; i < n; i++) {
      const from = this.pos[i]!, to = this.next[i]!;
      if (to === from) { this.action[i] = PibtAction.Wait; continue; }
      const turn = (this.headingOf(from, to) - this.heading[i]! + 4) & 3;
      this.action[i] = turn === 0 ? PibtAction.Forward : turn === 3 ? PibtAction.TurnCcw : PibtAction.TurnCw;
    }
    // A robot heading into a cell whose robot does not move forward out of it waits.
    for (let i = 0; i < n; i++) if (this.action[i] === PibtAction.Forward) this.moves(i);
    // Apply.
    for (let i = 0; i < n; i++) this.occNext[this.next[i]!] = -1;
    for (let i = 0; i < n; i++) if (this.action[i] === PibtAction.Forward) this.occNow[this.pos[i]!] = -1;
    for (let i = 0; i < n; i++) {
      const a = this.action[i]!;
      if (a === PibtAction.Forward) {
        this.pos[i] = this.next[i]!;
        this.occNow[this.pos[i]!] = i;
        if (this.guided && this.pathLen[i]! > 0) this.advanceGuide(i);
        continue;
      }
      if (a === PibtAction.TurnCw) this.heading[i] = (this.heading[i]! + 1) & 3;
      else if (a === PibtAction.TurnCcw) this.heading[i] = (this.heading[i]! + 3) & 3;
    }
  }

  /** Does robot i (planned to move forward) really move? Follows the chain of robots ahead. */
  private moves(i: number): boolean {
    // Iterative walk along the chain ahead; a cycle of robots moving forward all move.
    let j = i;
    let len = 0;
    let verdict = true;
    for (;;) {
      const s = this.dep[j]!;
      if (s === 2) { verdict = true; break; }
      if (s === 3) { verdict = false; break; }
      if (s === 1) { verdict = true; break; }
      if (this.action[j] !== PibtAction.Forward) { verdict = false; break; }
      this.dep[j] = 1;
      len++;
      const k = this.occNow[this.next[j]!]!;
      if (k === -1) { verdict = true; break; }
      j = k;
    }
    // Mark the chain walked from i (robots still 'visiting').
    j = i;
    for (let m = 0; m < len; m++) {
      if (this.dep[j] !== 1) break;
      this.dep[j] = verdict ? 2 : 3;
      if (!verdict) this.action[j] = PibtAction.Wait;
      const k = this.occNow[this.next[j]!]!;
      if (k === -1) break;
      j = k;
    }
    return verdict;
  }

  private headingOf(from: number, to: number): number {
    const d = to - from;
    return d === 1 ? 0 : d === this.width ? 1 : d === -1 ? 2 : 3;
  }

  /** PIBT for robot i, pushed by robot j (-1: none). Returns false when i cannot leave j's way. */
  private pibt(i: number, j: number, depth: number): boolean {
    const w = this.width, h = this.height;
    const here = this.pos[i]!;
    const x = here % w, y = (here / w) | 0;
    const dist = this.guided && this.pathLen[i]! > 0 ? this.guide[i]! : this.dist[i] ?? (this.dist[i] = this.distanceTo(this.goal[i]!));
    const base = depth * 5;
    const cc = this.candCell, ck = this.candKey;
    let nc = 0;
    // Candidates: stay (d = -1) or a free neighbour; nearest to the goal first, among equals fewer
    // turns, then a random order.
    for (let d = -1; d < 4; d++) {
      let c = here;
      let turns = 0;
      if (d >= 0) {
        const nx = x + HX[d]!, ny = y + HY[d]!;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        c = ny * w + nx;
        if (this.blocked[c]) continue;
        const t = (d - this.heading[i]! + 4) & 3;
        turns = t === 0 ? 0 : t === 2 ? 2 : 1;
      }
      ck[base + nc] = dist[c]! * 4 + turns + nextFloat(this.rng) * 0.5;
      cc[base + nc] = c;
      nc++;
    }
    for (let a = base + 1; a < base + nc; a++) {
      const kc = cc[a]!, kk = ck[a]!;
      let b = a - 1;
      while (b >= base && ck[b]! > kk) { ck[b + 1] = ck[b]!; cc[b + 1] = cc[b]!; b--; }
      ck[b + 1] = kk; cc[b + 1] = kc;
    }
    for (let a = base; a < base + nc; a++) {
      const c = cc[a]!;
      if (this.occNext[c] !== -1) continue;
      if (j !== -1 && c === this.pos[j]) continue;
      this.occNext[c] = i;
      this.next[i] = c;
      const k = this.occNow[c]!;
      if (k !== -1 && k !== i && this.next[k] === -1 && !this.pibt(k, i, depth + 1)) continue;
      return true;
    }
    this.occNext[here] = i;
    this.next[i] = here;
    return false;
  }
}

/** A binary min-heap of cells keyed by cost, in typed arrays (no allocation once built). */
class GuideHeap {
  private readonly cells: Int32Array;
  private readonly keys: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.cells = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
  }

  clear(): void { this.size = 0; }

  push(cell: number, key: number): void {
    if (this.size >= this.cells.length) return; // full: the entry is dropped (a stale duplicate at worst)
    let k = this.size++;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (this.keys[p]! <= key) break;
      this.cells[k] = this.cells[p]!; this.keys[k] = this.keys[p]!;
      k = p;
    }
    this.cells[k] = cell; this.keys[k] = key;
  }

  pop(): number {
    const top = this.cells[0]!;
    const n = --this.size;
    if (n === 0) return top;
    const cell = this.cells[n]!, key = this.keys[n]!;
    let k = 0;
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      if (c + 1 < n && this.keys[c + 1]! < this.keys[c]!) c++;
      if (this.keys[c]! >= key) break;
      this.cells[k] = this.cells[c]!; this.keys[k] = this.keys[c]!;
      k = c;
    }
    this.cells[k] = cell; this.keys[k] = key;
    return top;
  }
}
