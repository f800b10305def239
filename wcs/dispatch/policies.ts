/**
 * The dispatcher's decisions as named policies, each one thing a scenario selects and a benchmark can
 * swap (DispatchOptions.policies): which open lines become bin tasks and when (release), which bin a
 * line's stock comes from (bin choice), which port a task goes to (port choice), who takes which
 * pending task (assignment), whether a task's line may
 * move to a better bin just before it starts (rebinding), which robot takes a finished bin back from a
 * port (collection), where idle robots wait (rest; vacate: off port, buffer and street cells at once), where bins go back to (returns: home areas given to
 * the world once) and where robots wait for a full port (staging: cells given to the world once). A
 * policy is given the dispatcher, whose tasks,
 * ports and means (available, choosePort, start, chooseBin, ...) it works with, and the world's view;
 * it returns commands through `cmds`.
 */
import type { Command } from '../../sim/events.ts';
import { Job, Phase } from '../../sim/robots.ts';
import { ring } from '../../sim/dig.ts';
import type { WorldView } from '../../sim/world-view.ts';
import type { Dispatcher } from './dispatcher.ts';

export interface ReleasePolicy {
  readonly name: string;
  /** Turns open order lines into bin tasks (stock reserved on a bin) as far as the look-ahead has room. */
  release(d: Dispatcher, w: WorldView, t: number): void;
}
export interface BinChoicePolicy {
  readonly name: string;
  /** The bin to take a line's stock from, other than `except` and cheaper than `below`; -1: none. */
  chooseBin(d: Dispatcher, w: WorldView, sku: number, qty: number, except: number, below: number): number;
  /** What taking a line from `bin` (in the grid) costs, in the unit of `below`. */
  cost(d: Dispatcher, w: WorldView, bin: number): number;
}
export interface PortChoicePolicy {
  readonly name: string;
  /** The port for a task with its bin at `cell`, among those still taking robots; -1: none. */
  choosePort(d: Dispatcher, w: WorldView, cell: number): number;
  /** Seconds port p adds to a task whose bin is at `cell` (the assignment weighs tasks by it). */
  cost(d: Dispatcher, w: WorldView, p: number, cell: number): number;
}
export interface AssignmentPolicy {
  readonly name: string;
  /** Hands pending tasks to free robots this tick (fetch commands into `cmds`). */
  assign(d: Dispatcher, w: WorldView, t: number, cmds: Command[]): void;
}
export interface RebindingPolicy {
  readonly name: string;
  /** May move pending task i's line to a better bin; true when the task was dropped (its line joined another). */
  rebind(d: Dispatcher, w: WorldView, i: number): boolean;
}
export interface CollectionPolicy {
  readonly name: string;
  /** Sends robots for finished bins waiting at ports (collect commands into `cmds`). */
  collect(d: Dispatcher, w: WorldView, cmds: Command[]): void;
}
export interface RestPolicy {
  readonly name: string;
  /** Sends robots idle long enough somewhere to wait (park commands into `cmds`). */
  rest(d: Dispatcher, w: WorldView, t: number, cmds: Command[]): void;
}

export interface ReturnPolicy {
  readonly name: string;
  /** The bins' home areas, given to the world at the start ('home' commands into `cmds`). */
  homes(d: Dispatcher, w: WorldView, cmds: Command[]): void;
}
export interface StagingPolicy {
  readonly name: string;
  /** Where robots wait for each port, given to the world at the start ('staging' commands into `cmds`). */
  staging(d: Dispatcher, w: WorldView, cmds: Command[]): void;
}

export interface VacatePolicy {
  readonly name: string;
  /** Sends robots left idle where robots may not wait (port, buffer, street cells) away (park commands into `cmds`). */
  vacate(d: Dispatcher, w: WorldView, cmds: Command[]): void;
}

export interface DispatchPolicies {
  release: ReleasePolicy;
  binChoice: BinChoicePolicy;
  portChoice: PortChoicePolicy;
  assignment: AssignmentPolicy;
  rebinding: RebindingPolicy;
  collection: CollectionPolicy;
  rest: RestPolicy;
  returns: ReturnPolicy;
  staging: StagingPolicy;
  vacate: VacatePolicy;
}

/** Open lines the release reads from the book at a time. */
const RELEASE_BATCH = 64;
/** Bin choice: cost of a bin above the one wanted, and of a cell between its stack and the nearest port. */
const DIG_COST = 4;
const PORT_CELL_COST = 0.05;

/** Reserve stock for open lines, oldest first, until the look-ahead is full. */
function releaseLookahead(d: Dispatcher, w: WorldView, t: number): void {
  let room = d.lookahead(w) - d.pending.length;
  if (room <= 0) return;
  for (const id of d.book.openLines(RELEASE_BATCH)) {
    const l = d.book.line(id)!;
    let bin = d.chooseBin(w, l.sku, l.qty);
    if (bin < 0 && d.feed.topUp) {
      // A capacity run (backlog mode, a replay): stock is topped up so the run never runs dry.
      const b = d.inventory.emptiestBin(l.sku);
      d.inventory.replenish(b, l.sku, Math.max(l.qty, d.cfg.unitsPerBin.max));
      d.replenished++;
      bin = d.chooseBin(w, l.sku, l.qty);
    }
    if (bin < 0) {
      const orderId = l.orderId;
      d.book.markShort(id, t);
      d.shortLines++;
      d.reportIfDone(orderId, t);
      continue;
    }
    d.inventory.reserve(bin, l.sku, l.qty);
    d.book.markReserved(id, bin, t);
    let task = d.tasks.forBin(bin);
    if (!task) {
      task = d.tasks.create(bin, t);
      d.pending.push(task);
      room--;
    }
    task.lines.push(id);
    if (task.robot >= 0) { d.picking(id, t); d.workDirty.add(task); }
    if (room <= 0) break;
  }
}

/**
 * The bin to take a line's stock from: enough available, joinable task or none, and cheapest by
 * depth (bins above it) and distance to the nearest port (see bindCost), other than `except` and
 * cheaper than `below`. -1 if no bin qualifies.
 */
function chooseShallowNearPort(d: Dispatcher, w: WorldView, sku: number, qty: number, except = -1, below = Infinity): number {
  let best = -1;
  let bestCost = below;
  for (const b of d.inventory.binsWithSku(sku)) {
    if (b === except || d.inventory.availableInBin(b, sku) < qty) continue;
    const task = d.tasks.forBin(b);
    let cost: number;
    if (task) {
      if (!d.tasks.joinable(task)) continue;
      cost = -1; // already coming: a shared presentation costs nothing extra
    } else {
      if (w.binCell[b]! < 0) continue; // out at a port or on a robot: not now
      cost = shallowNearPortCost(d, w, b);
    }
    if (cost < bestCost || (cost === bestCost && b < best)) { bestCost = cost; best = b; }
  }
  return best;
}

/** What binding a line to `bin` (in the grid) costs: its depth, then its distance to the nearest port. */
function shallowNearPortCost(d: Dispatcher, w: WorldView, bin: number): number {
  return d.binDepth(w, bin) * DIG_COST + d.portDistance(w.binCell[bin]!) * PORT_CELL_COST;
}

/** Seconds port p adds to a task whose bin is at `cell`: the carry there and the work queued ahead. */
function leastWorkCost(d: Dispatcher, w: WorldView, p: number, cell: number): number {
  const g = w.grid;
  const cfg = w.cfg.ports[p]!;
  const travel = Math.abs(cfg.x - (cell % g.width)) * g.pitchX + Math.abs(cfg.y - ((cell / g.width) | 0)) * g.pitchY;
  return d.portAssigned[p]! * (d.portCycle[p]! * w.tickSeconds) + travel / w.cfg.robotModel.topSpeedLoaded;
}

/** The port that adds least to a task with its bin at `cell` (see portCost), among those still taking robots. */
function chooseLeastWork(d: Dispatcher, w: WorldView, cell: number): number {
  let best = -1;
  let bestCost = Infinity;
  for (let p = 0; p < w.ports.length; p++) {
    if (!d.takesRobots(w, p)) continue;
    const cost = leastWorkCost(d, w, p, cell);
    if (cost < bestCost) { bestCost = cost; best = p; }
  }
  return best;
}

/**
 * 'cost' (the default): free robots take work by marginal cost. Marginal cost, in
 * seconds: drive to the bin and dig, and, when ports are the scarce side, carry it to the best port
 * that still takes robots (its travel plus the work already queued there). The cheapest (robot, task)
 * pair is assigned first, then the next: with robots to spare a freed port slot goes to a bin near it;
 * with robots scarce each goes to the work nearest it (counting the carry then lets far tasks pile up
 * in the window and costs more than it saves).
 */
function assignByCost(d: Dispatcher, w: WorldView, t: number, cmds: Command[]): void {
  if (d.pending.length === 0) return;
  const R = w.robots;
  const g = w.grid;
  const free = d.freeRobots;
  free.length = 0;
  for (let r = 0; r < R.count; r++) {
    if (!d.available(w, r) || (R.phase[r] === Phase.Idle && !g.isParking(R.cell[r]!) && R.job[r] !== Job.None)) continue;
    free.push(r);
  }
  const speed = w.cfg.robotModel.topSpeed;
  // Ports are the scarce side when more robots are free than ports still take robots: then the carry
  // to the port counts in the choice of task. Otherwise each robot takes the work nearest to it.
  let openPorts = d.openPorts(w);
  if (openPorts === 0 || free.length === 0) return;
  const portsScarce = free.length > openPorts;
  // The rebinding policy first looks at each task entering the window (once per task).
  for (let i = 0; i < Math.min(d.opts.window, d.pending.length); i++) {
    if (!d.pending[i]!.rebindChecked && d.policies.rebinding.rebind(d, w, i)) i--;
  }
  if (d.pending.length === 0) return;
  const n = Math.min(d.opts.window, d.pending.length, d.taskCost.length);
  // Per task in the window: its fixed cost (digging and, when ports are scarce, the carry to its best
  // port) and that port; -2 marks a task that cannot start now.
  const fixed = d.taskCost;
  const portOf = d.taskPort;
  let m = n;
  for (let i = 0; i < m; i++) refreshTask(d, w, i, portsScarce);
  while (free.length > 0 && m > 0 && openPorts > 0) {
    let bestK = -1, bestI = -1;
    let bestCost = Infinity;
    for (let k = 0; k < free.length; k++) {
      const rc = R.cell[free[k]!]!;
      const rx = rc % g.width, ry = (rc / g.width) | 0;
      for (let i = 0; i < m; i++) {
        if (portOf[i] === -2) continue;
        const c = w.binCell[d.pending[i]!.bin]!;
        const cost = (Math.abs((c % g.width) - rx) * g.pitchX + Math.abs(((c / g.width) | 0) - ry) * g.pitchY) / speed + fixed[i]!;
        if (cost < bestCost) { bestCost = cost; bestK = k; bestI = i; }
      }
    }
    if (bestI < 0) return;
    const port = portsScarce ? portOf[bestI]! : d.choosePort(w, w.binCell[d.pending[bestI]!.bin]!);
    if (port < 0) return;
    const r = free[bestK]!;
    free[bestK] = free[free.length - 1]!;
    free.pop();
    d.start(d.pending[bestI]!, bestI, r, port, t, cmds);
    // The window lost task bestI: shift the per-task entries after it down by one.
    for (let i = bestI; i < m - 1; i++) { fixed[i] = fixed[i + 1]!; portOf[i] = portOf[i + 1]!; }
    m--;
    if (m < n && m < d.pending.length) { refreshTask(d, w, m, portsScarce); m++; }
    openPorts = d.openPorts(w);
    // The port just given may be full now: tasks that counted on it look again.
    if (portsScarce) for (let i = 0; i < m; i++) if (portOf[i] === port) refreshTask(d, w, i, portsScarce);
  }
}

/**
 * The baseline policy ('nearest-idle'): the oldest pending tasks, in order, each take the nearest
 * available robot.
 */
function assignNearestIdle(d: Dispatcher, w: WorldView, t: number, cmds: Command[]): void {
  if (d.pending.length === 0) return;
  const R = w.robots;
  const g = w.grid;
  const free: number[] = [];
  for (let r = 0; r < R.count; r++) if (d.available(w, r)) free.push(r);
  for (let i = 0; i < d.pending.length && free.length > 0 && i < d.opts.window;) {
    const task = d.pending[i]!;
    const c = w.binCell[task.bin]!;
    if (c < 0 || w.binTargeted[task.bin]) { i++; continue; }
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < free.length; k++) {
      const rc = R.cell[free[k]!]!;
      const d = Math.abs((c % g.width) - (rc % g.width)) * g.pitchX + Math.abs(((c / g.width) | 0) - ((rc / g.width) | 0)) * g.pitchY;
      if (d < bestD) { bestD = d; best = k; }
    }
    const port = d.choosePort(w, c);
    if (port < 0) return;
    const r = free.splice(best, 1)[0]!;
    d.start(task, i, r, port, t, cmds);
  }
}

/**
 * The fixed cost of pending task i (digging and, when ports are scarce, the carry to its best port)
 * and that port, in taskCost/taskPort; port -2 when the task cannot start now.
 */
function refreshTask(d: Dispatcher, w: WorldView, i: number, portsScarce: boolean): void {
  const g = w.grid;
  const task = d.pending[i]!;
  const c = w.binCell[task.bin]!;
  d.taskPort[i] = -2;
  if (c < 0 || w.binTargeted[task.bin]) return;
  d.taskCost[i] = d.binDepth(w, task.bin) * 2 + (g.protectedCount[c]! > 0 ? 10 : 0);
  d.taskPort[i] = -1;
  if (!portsScarce) return;
  const p = d.choosePort(w, c);
  if (p < 0) { d.taskPort[i] = -2; return; }
  d.taskCost[i]! += d.portCost(w, p, c);
  d.taskPort[i] = p;
}

/**
 * Just-in-time binding: a bin chosen when its line was released (up to the look-ahead earlier) may
 * since have been buried, or another bin with the SKU may have been sent for. Once, when a pending
 * single-line task is first in the assignment window, its line moves to the cheapest bin of its SKU
 * by the release rule: a bin already coming to a port (the line shares that presentation and this
 * task is dropped: returns true), else one now shallower and nearer a port with no task of its own
 * (the task is replaced in place, keeping its age). Sharing saves a fetch per line, so presentations
 * per hour fall slightly while order lines per hour rise (see bench:dispatch).
 */
function rebindJustInTime(d: Dispatcher, w: WorldView, i: number): boolean {
  const task = d.pending[i]!;
  task.rebindChecked = true;
  if (task.lines.length !== 1) return false;
  const id = task.lines[0]!;
  const l = d.book.line(id);
  if (!l || w.binCell[task.bin]! < 0) return false;
  const best = d.chooseBin(w, l.sku, l.qty, task.bin, d.bindCost(w, task.bin));
  if (best < 0) return false;
  d.inventory.release(task.bin, l.sku, l.qty);
  d.inventory.reserve(best, l.sku, l.qty); // chooseBin checked it is available: cannot fail
  d.book.rebindLine(id, best, w.tick);
  d.tasks.cancel(task, w.tick);
  d.rebound++;
  const join = d.tasks.forBin(best);
  if (join) {
    join.lines.push(id);
    if (join.robot >= 0) { d.picking(id, w.tick); d.workDirty.add(join); }
    d.pending.splice(i, 1);
    return true;
  }
  const moved = d.tasks.create(best, task.createdTick);
  moved.lines.push(id);
  moved.rebindChecked = true;
  d.pending[i] = moved;
  return false;
}

/** May a robot be sent to park on `c` now: nobody stands, parks or heads there, over no stack a fetch is after? */
function freeToPark(w: WorldView, c: number): boolean {
  return !w.cellClaimed(c) && w.grid.protectedCount[c] === 0;
}

/** Robots idle for long enough, and not on a rest cell, drive to the nearest free one. */
function restOnLattice(d: Dispatcher, w: WorldView, t: number, cmds: Command[]): void {
  const R = w.robots;
  const g = w.grid;
  const after = Math.round(d.opts.restAfterSeconds / w.tickSeconds);
  for (let r = 0; r < R.count; r++) {
    if (R.job[r] !== Job.None || R.phase[r] !== Phase.Idle) { d.idleSince[r] = -1; continue; }
    if (d.idleSince[r]! < 0) { d.idleSince[r] = t; continue; }
    if (t - d.idleSince[r]! < after) continue;
    const here = R.cell[r]!;
    if (d.restMask[here]) continue;
    if (cmds.some((c) => 'robot' in c && c.robot === r)) continue;
    const hx = here % g.width, hy = (here / g.width) | 0;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < d.restCells.length; i++) {
      const c = d.restCells[i]!;
      const dist = Math.abs((c % g.width) - hx) + Math.abs(((c / g.width) | 0) - hy);
      if (dist >= bestD) continue;
      if (!freeToPark(w, c)) continue;
      bestD = dist; best = c;
    }
    d.idleSince[r] = -1;
    if (best >= 0) cmds.push({ type: 'park', robot: r, cell: best });
  }
}

/**
 * 'zone': zones are stripes across the grid's width (d.cfg.zones of them); a bin belongs to the zone
 * it starts in and goes back there (to the cheapest stack with room in it; anywhere when it is full).
 */
function homesByZone(d: Dispatcher, w: WorldView, cmds: Command[]): void {
  const g = w.grid;
  const zones = Math.max(1, Math.min(d.cfg.zones, g.width));
  const zoneOfX = (x: number) => Math.min(zones - 1, Math.floor((x * zones) / g.width));
  const bins: number[][] = Array.from({ length: zones }, () => []);
  for (let b = 0; b < w.binCell.length; b++) {
    const c = w.binCell[b]!;
    if (c >= 0) bins[zoneOfX(c % g.width)]!.push(b);
  }
  let x0 = 0;
  for (let z = 0; z < zones; z++) {
    let x1 = x0;
    while (x1 + 1 < g.width && zoneOfX(x1 + 1) === z) x1++;
    cmds.push({ type: 'home', bins: bins[z]!, area: { x0, y0: 0, x1, y1: g.depth - 1 } });
    x0 = x1 + 1;
  }
}

/**
 * 'near-port': robots wait for a port on the parking cells nearest its approach (Chebyshev distance,
 * then cell index), on a lattice of even columns and rows only, so that waiting robots leave every odd
 * row and column open as a lane (a solid line of them would wall the port rows off).
 */
function stageNearPort(d: Dispatcher, w: WorldView, cmds: Command[]): void {
  const g = w.grid;
  const lattice: number[] = [];
  for (let c = 0; c < g.cells; c++) if (((g.x(c) | g.y(c)) & 1) === 0 && g.isParking(c)) lattice.push(c);
  for (const port of w.ports) {
    const ax = g.x(port.approach), ay = g.y(port.approach);
    const dist = (c: number) => Math.max(Math.abs(g.x(c) - ax), Math.abs(g.y(c) - ay));
    const cells = lattice.filter((c) => c !== port.approach).sort((a, b) => dist(a) - dist(b) || a - b);
    cmds.push({ type: 'staging', port: port.index, cells });
  }
}

/**
 * 'nearest-parking': a robot whose job ended where robots may not wait (on a port, buffer or street cell)
 * and that got no new work drives at once to the nearest free parking cell (Chebyshev rings around it,
 * the lowest cell index in the first ring with one). With none free it tries again next tick.
 */
function vacateNearest(d: Dispatcher, w: WorldView, cmds: Command[]): void {
  const R = w.robots;
  const g = w.grid;
  const left = d.leftIdle;
  let keep = 0;
  for (const r of left) {
    if (R.job[r] !== Job.None || R.phase[r] !== Phase.Idle || g.isParking(R.cell[r]!)) continue;
    if (cmds.some((c) => 'robot' in c && c.robot === r)) continue;
    let best = -1;
    const visit = (c: number) => {
      if (g.isParking(c) && freeToPark(w, c) && (best < 0 || c < best)) best = c;
    };
    for (let k = 1; k <= Math.max(g.width, g.depth) && best < 0; k++) ring(g, R.cell[r]!, k, visit);
    if (best >= 0) cmds.push({ type: 'park', robot: r, cell: best });
    else left[keep++] = r;
  }
  left.length = keep;
}

/** Ports holding finished bins with no robot coming get the nearest free robot. */
function collectNearest(d: Dispatcher, w: WorldView, cmds: Command[]): void {
  const R = w.robots;
  for (let p = 0; p < w.ports.length; p++) {
    const port = w.ports[p]!;
    if (port.outBins.length === 0 || d.portAssigned[p]! > 0 || d.portCollectors[p]! > 0) continue;
    let best = -1;
    let bestD = Infinity;
    for (let r = 0; r < R.count; r++) {
      if (!d.available(w, r) || cmds.some((c) => 'robot' in c && c.robot === r)) continue;
      const c = R.cell[r]!;
      const dist = Math.abs((c % w.grid.width) - port.cfg.x) + Math.abs(((c / w.grid.width) | 0) - port.cfg.y);
      if (dist < bestD) { bestD = dist; best = r; }
    }
    if (best < 0) return;
    d.portCollectors[p]!++;
    d.collectorPort[best] = p;
    cmds.push({ type: 'collect', robot: best, port: p, task: d.nextCollectId() });
  }
}

export const RELEASE = {
  'look-ahead': { name: 'look-ahead', release: releaseLookahead },
} as const satisfies Record<string, ReleasePolicy>;

export const BIN_CHOICE = {
  'shallow-near-port': { name: 'shallow-near-port', chooseBin: chooseShallowNearPort, cost: shallowNearPortCost },
} as const satisfies Record<string, BinChoicePolicy>;

export const PORT_CHOICE = {
  'least-work': { name: 'least-work', choosePort: chooseLeastWork, cost: leastWorkCost },
} as const satisfies Record<string, PortChoicePolicy>;

export const ASSIGNMENT = {
  cost: { name: 'cost', assign: assignByCost },
  'nearest-idle': { name: 'nearest-idle', assign: assignNearestIdle },
} as const satisfies Record<string, AssignmentPolicy>;

export const REBINDING = {
  'just-in-time': { name: 'just-in-time', rebind: rebindJustInTime },
  none: { name: 'none', rebind: () => false },
} as const satisfies Record<string, RebindingPolicy>;

export const COLLECTION = {
  nearest: { name: 'nearest', collect: collectNearest },
} as const satisfies Record<string, CollectionPolicy>;

export const RETURNS = {
  nearest: { name: 'nearest', homes: () => {} },
  zone: { name: 'zone', homes: homesByZone },
} as const satisfies Record<string, ReturnPolicy>;

export const STAGING = {
  'near-port': { name: 'near-port', staging: stageNearPort },
  none: { name: 'none', staging: () => {} },
} as const satisfies Record<string, StagingPolicy>;

export const VACATE = {
  'nearest-parking': { name: 'nearest-parking', vacate: vacateNearest },
} as const satisfies Record<string, VacatePolicy>;

export const REST = {
  lattice: { name: 'lattice', rest: restOnLattice },
  none: { name: 'none', rest: () => {} },
} as const satisfies Record<string, RestPolicy>;
