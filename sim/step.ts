/**
 * step(world, commands): advance the world by one tick. Commands from the warehouse control are applied
 * first, then every robot in id order (gripper actions, arrivals, planning of next legs), then the ports'
 * operators, then the watchdog and the occupancy check. Deterministic: same world and commands, same
 * result. The only writer of World state.
 */
import { chooseAside, chooseParking, chooseReturn, canPlace } from './dig.ts';
import { DX, DY } from './grid.ts';
import { positionAt } from './kinematics.ts';
import { FOREVER } from './planner/reservations.ts';
import { Job, MAX_PLAN_RUNS, Phase, Step, TimeCat } from './robots.ts';
import type { Command, WorldEvent } from './events.ts';
import type { World } from './world.ts';
import { checkWorld, InvariantError } from './invariants.ts';

/** Simulated ticks without progress after which a robot with a goal counts as stuck. */
export const STUCK_SECONDS = 60;

/** Thrown when a command cannot be carried out (the warehouse control asked for something impossible). */
export class CommandError extends Error {}

/** Advance one tick; returns the events of this tick (valid until the next call). */
export function step(w: World, commands: readonly Command[] = []): WorldEvent[] {
  w.events = [];
  for (const c of commands) apply(w, c);
  const R = w.robots;
  for (let r = 0; r < R.count; r++) advanceRobot(w, r);
  for (const p of w.ports) {
    const e = p.advance(w.tick, w.portRng, w.tickSeconds, w.binLines, w.binUnits);
    if (e === 1) { w.presentations++; w.events.push({ type: 'presented', port: p.index, bin: p.opBin, tick: w.tick }); }
    else if (e === 2) {
      const bin = p.outBins[p.outBins.length - 1]!;
      w.events.push({ type: 'presentDone', port: p.index, bin, tick: w.tick });
    }
  }
  watchdog(w);
  occupancyCheck(w);
  if (w.opts.check) checkWorld(w);
  w.tick++;
  return w.events;
}

/** Most order lines or units one presentation can carry (the per-bin work counters are 16-bit). */
export const MAX_WORK = 0xffff;

function apply(w: World, c: Command): void {
  if (c.type === 'work') { setWork(w, c.bin, c.lines, c.units); return; }
  const R = w.robots;
  const r = c.robot;
  if (r < 0 || r >= R.count) throw new CommandError(`robot ${r} does not exist`);
  // A robot only parking (not yet driving) may be given real work instead; one driving out of someone's
  // way on its own account takes the command when it gets there.
  if (R.job[r] === Job.Park && R.phase[r] === Phase.Moving && R.jobBin[r]! < 0) { w.deferred[r] = c; return; }
  if (R.job[r] === Job.Park && R.phase[r] !== Phase.Moving) setGoal(w, r, -1);
  else if (R.job[r] !== Job.None) throw new CommandError(`robot ${r} is busy`);
  R.progressAt[r] = w.tick;
  R.backoff[r] = 0;
  R.retryAt[r] = w.tick;
  if (c.type === 'fetch') {
    const b = c.bin;
    if (b < 0 || b >= w.binCell.length) throw new CommandError(`bin ${b} does not exist`);
    if (w.binCell[b]! < 0 && w.binRobot[b]! < 0) throw new CommandError(`bin ${b} is not in the grid`);
    if (w.binTargeted[b]) throw new CommandError(`bin ${b} is already being fetched`);
    if (c.port < 0 || c.port >= w.ports.length) throw new CommandError(`port ${c.port} does not exist`);
    setWork(w, b, c.lines ?? 0, c.units ?? 0);
    R.job[r] = Job.Fetch; R.jobBin[r] = b; R.jobPort[r] = c.port; R.jobTask[r] = c.task;
    R.step[r] = Step.ToBin; R.digDepth[r] = -1;
    w.binTargeted[b] = 1;
    if (w.binCell[b]! >= 0) w.grid.protectedCount[w.binCell[b]!]!++;
  } else if (c.type === 'collect') {
    if (c.port < 0 || c.port >= w.ports.length) throw new CommandError(`port ${c.port} does not exist`);
    R.job[r] = Job.Collect; R.jobPort[r] = c.port; R.jobTask[r] = c.task;
    R.step[r] = Step.ToPort;
    admit(w, r, c.port);
  } else {
    if (!w.grid.isParking(c.cell)) throw new CommandError(`cell ${c.cell} is not a parking cell`);
    R.job[r] = Job.Park; R.step[r] = Step.Park; R.jobTask[r] = -1;
    R.jobBin[r] = c.cell; // a commanded park keeps its cell (automatic parks choose their own)
    setGoal(w, r, c.cell);
  }
  R.phase[r] = Phase.Plan;
}

function setGoal(w: World, r: number, cell: number): void {
  const R = w.robots;
  const old = R.goal[r]!;
  if (old >= 0 && w.goalOf[old] === r) w.goalOf[old] = -1;
  R.goal[r] = cell;
  if (cell >= 0 && w.goalOf[cell] === -1) w.goalOf[cell] = r;
}

/** Queue robot r for port p: admitted if the queue has room, else waiting in line. */
function admit(w: World, r: number, p: number): void {
  const port = w.ports[p]!;
  if (port.queue.length < port.queueLimit && port.waiting.length === 0) {
    port.queue.push(r);
    w.robots.progressAt[r] = w.tick;
  } else port.waiting.push(r);
}

/** Robot r left port p's queue: everyone moves up and the first in line is admitted. */
function leaveQueue(w: World, r: number, p: number): void {
  const port = w.ports[p]!;
  const i = port.queue.indexOf(r);
  if (i < 0) return;
  port.queue.splice(i, 1);
  while (port.queue.length < port.queueLimit && port.waiting.length > 0) {
    // First come first served among robots already waiting near the port; else the first in line.
    let k = port.waiting.findIndex((q) => w.robots.phase[q] === Phase.Hold);
    if (k < 0) k = 0;
    port.queue.push(port.waiting.splice(k, 1)[0]!);
  }
  // Everyone moved up a slot (progress); those standing still re-plan to their new slot.
  for (const q of port.queue) {
    w.robots.progressAt[q] = w.tick;
    if (w.robots.phase[q] === Phase.Hold) { w.robots.phase[q] = Phase.Plan; w.robots.retryAt[q] = w.tick; }
  }
}

function advanceRobot(w: World, r: number): void {
  const R = w.robots;
  const t = w.tick;
  // Body cells for the occupancy check: move() sets them for a robot under way; anyone else (including
  // a robot whose plan was committed this tick, which departs at the earliest now) covers its own cell.
  w.occA[r] = -2;
  // What happens at this tick happens first (an arrival, a gripper done, a leg planned); the tick is then
  // booked as what the robot does from it on: a robot that arrives and starts lowering spends the tick
  // lowering, not waiting.
  switch (R.phase[r]) {
    case Phase.Idle:
      w.timeTicks[TimeCat.Idle]!++;
      if (!w.grid.isParking(R.cell[r]!)) {
        // Idle robots never stay on a port, buffer or street cell.
        parkAside(w, r);
      }
      break;
    case Phase.Moving:
      if (!move(w, r) && t >= R.busyUntil[r]!) arrive(w, r);
      book(w, r);
      break;
    case Phase.Plan:
      if (t >= R.retryAt[r]!) tryLeg(w, r);
      book(w, r);
      break;
    case Phase.Grip:
      if (t >= R.busyUntil[r]!) gripDone(w, r);
      book(w, r);
      break;
    case Phase.Hold:
      hold(w, r);
      book(w, r);
      break;
  }
  if (w.occA[r] === -2) { w.occA[r] = R.cell[r]!; w.occB[r] = -1; }
}

/** Books this tick of robot r by what it does from now on (its phase after this tick's transitions). */
function book(w: World, r: number): void {
  const R = w.robots;
  switch (R.phase[r]) {
    case Phase.Idle:
      w.timeTicks[TimeCat.Idle]!++;
      return;
    case Phase.Moving: {
      const i = R.planIdx[r]!;
      if (i < R.planCount[r]!) {
        const base = r * MAX_PLAN_RUNS;
        const depart = R.planDepart[base + i]!;
        const dir = R.planDir[base + i]!;
        // Before departing: changing the wheel set just before is driving; any other wait is traffic.
        if (w.tick < depart && !((dir >> 1) !== R.axis[r] && w.tick >= depart - w.switchTicks)) {
          account(w, r, TimeCat.TrafficWaiting);
          return;
        }
      }
      account(w, r, driving(w, r));
      return;
    }
    case Phase.Plan:
      account(w, r, TimeCat.TrafficWaiting);
      return;
    case Phase.Grip:
      account(w, r, R.step[r] === Step.PortDrop || R.step[r] === Step.PortPick ? TimeCat.PortHandling : TimeCat.Digging);
      return;
    case Phase.Hold:
      account(w, r, R.step[r] === Step.ToPort ? TimeCat.PortQueueing : TimeCat.TrafficWaiting);
      return;
  }
}

/**
 * What a tick of driving is booked as: the drives of a dig (a covering bin carried aside, and back to the
 * target's stack after setting it down) are digging; other drives are moving, loaded or empty.
 */
function driving(w: World, r: number): TimeCat {
  const R = w.robots;
  const step = R.step[r];
  if (step === Step.DigOut || (step === Step.ToBin && R.digDepth[r]! >= 0)) return TimeCat.Digging;
  return R.bin[r]! >= 0 ? TimeCat.MovingLoaded : TimeCat.MovingEmpty;
}

function account(w: World, r: number, cat: TimeCat): void {
  w.timeTicks[cat]!++;
  if (w.robots.job[r] !== Job.None) w.busyTicks++;
}

/** The operator's work for `bin` at its next presentation. */
function setWork(w: World, b: number, lines: number, units: number): void {
  if (b < 0 || b >= w.binCell.length) throw new CommandError(`bin ${b} does not exist`);
  if (!Number.isInteger(lines) || lines < 0 || lines > MAX_WORK) throw new CommandError(`lines ${lines}: expected an integer from 0 to ${MAX_WORK}`);
  if (!Number.isInteger(units) || units < 0 || units > MAX_WORK) throw new CommandError(`units ${units}: expected an integer from 0 to ${MAX_WORK}`);
  w.binLines[b] = lines;
  w.binUnits[b] = units;
}

/**
 * Update position along the committed plan (the cell under the centre, and the cells the body covers).
 * Returns false when the plan is done (the robot has arrived).
 */
function move(w: World, r: number): boolean {
  const R = w.robots;
  const g = w.grid;
  const t = w.tick;
  const base = r * MAX_PLAN_RUNS;
  let i = R.planIdx[r]!;
  const n = R.planCount[r]!;
  while (i < n) {
    const dir = R.planDir[base + i]!;
    const k = R.planK[base + i]!;
    const table = w.tables[(dir >> 1) * 2 + (R.bin[r]! >= 0 ? 1 : 0)]!;
    if (t >= R.planDepart[base + i]! + table.arrive[k]!) { i++; continue; }
    const from = R.planFrom[base + i]!;
    const depart = R.planDepart[base + i]!;
    if (t < depart) {
      R.cell[r] = from; w.occA[r] = from; w.occB[r] = -1;
    } else {
      R.progressAt[r] = t;
      const s = positionAt(table.profiles[k]!, (t - depart) * w.tickSeconds) / table.pitch;
      const stride = DX[dir]! + DY[dir]! * g.width;
      const lo = Math.floor(s + 1e-9);
      const hi = Math.ceil(s - 1e-9);
      w.occA[r] = from + stride * lo;
      w.occB[r] = hi !== lo ? from + stride * hi : -1;
      R.cell[r] = from + stride * Math.round(s);
      R.axis[r] = dir >> 1;
    }
    R.planIdx[r] = i;
    return true;
  }
  R.planIdx[r] = n;
  R.cell[r] = R.goal[r]!;
  w.occA[r] = R.cell[r]!; w.occB[r] = -1;
  return false;
}

/** The cell the robot's current leg should end at; -1 to wait (hold), -2 to arrive where it stands. */
function legGoal(w: World, r: number): number {
  const R = w.robots;
  switch (R.step[r]) {
    case Step.ToBin: {
      const b = R.jobBin[r]!;
      return w.binCell[b]! >= 0 ? w.binCell[b]! : -1;
    }
    case Step.DigOut:
      if (R.goal[r]! < 0 || !canPlace(w, R.goal[r]!, r)) setGoal(w, r, chooseAside(w, r, R.cell[r]!));
      return R.goal[r]!;
    case Step.Return:
      if (R.goal[r]! < 0 || !canPlace(w, R.goal[r]!, r)) setGoal(w, r, chooseReturn(w, r, R.bin[r]!));
      return R.goal[r]!;
    case Step.ToPort: {
      const port = w.ports[R.jobPort[r]!]!;
      const slot = port.queue.indexOf(r);
      if (slot < 0) {
        // Not admitted yet: wait near the port, so that the drive in is short when a slot frees.
        if (!w.cfg.portStaging) return -1;
        const gl = R.goal[r]!;
        if (gl < 0 || (w.res.foreverOwner(gl) !== -1 && w.res.foreverOwner(gl) !== r)) setGoal(w, r, chooseParking(w, r, port.approach, true));
        return R.goal[r]!;
      }
      // The robot ahead may still be driving into this slot; wait until it has moved up.
      const cell = port.slotCells[slot]!;
      const owner = w.res.foreverOwner(cell);
      return owner === -1 || owner === r ? cell : -1;
    }
    case Step.Park:
      if (R.jobBin[r]! >= 0) return R.jobBin[r]!;
      if (R.goal[r]! < 0 || w.res.foreverOwner(R.goal[r]!) !== -1 && w.res.foreverOwner(R.goal[r]!) !== r) {
        setGoal(w, r, chooseParking(w, r));
      }
      return R.goal[r]!;
  }
  return -1;
}

/** Try to plan and start the robot's next leg. */
function tryLeg(w: World, r: number): void {
  const R = w.robots;
  const goal = legGoal(w, r);
  if (goal === -1) { R.phase[r] = Phase.Hold; return; }
  if (goal === R.cell[r]) { arrive(w, r); return; }
  const step = R.step[r]!;
  const port = step === Step.ToPort ? R.jobPort[r]! : -1;
  const here = w.grid.portOf[R.cell[r]!]!;
  const arrival = w.planner.plan({
    robot: r, start: R.cell[r]!, axis: R.axis[r]!, now: w.tick, goal,
    loaded: R.bin[r]! >= 0, port: port >= 0 ? port : here,
  });
  if (arrival >= 0 && commit(w, r, goal, arrival)) {
    R.backoff[r] = 0;
    return;
  }
  // No plan now: ask idle robots in the way (or on the goal) to move, choose another spot next time,
  // back off.
  clearWay(w, r, goal, port >= 0 ? port : here);
  if (step === Step.DigOut || step === Step.Return || step === Step.Park) setGoal(w, r, -1);
  R.phase[r] = Phase.Plan;
  if (R.backoff[r]! >= 3 && sidestep(w, r)) return;
  const b = Math.min(R.backoff[r]!, 4);
  R.retryAt[r] = w.tick + (1 << b);
  R.backoff[r] = b + 1;
}

/** Send robot r, idle or only parked, to a parking cell of the world's own choosing, planning at once. */
function parkAside(w: World, r: number): void {
  const R = w.robots;
  R.job[r] = Job.Park; R.step[r] = Step.Park; R.jobTask[r] = -1; R.jobBin[r] = -1;
  setGoal(w, r, -1);
  R.phase[r] = Phase.Plan; R.retryAt[r] = w.tick; R.progressAt[r] = w.tick;
  tryLeg(w, r);
}

/** A robot that is only parked (idle, or parking on its own account and not yet under way) may be moved. */
function evictable(w: World, o: number): boolean {
  const R = w.robots;
  return (R.job[o] === Job.None && R.phase[o] === Phase.Idle)
    || (R.job[o] === Job.Park && R.jobBin[o]! < 0 && R.phase[o] !== Phase.Moving);
}

/** Most cells the way-clearing search visits. */
const CLEAR_WAY_CELLS = 4096;

/**
 * Find a way for robot r to `goal` through cells that are free or held by robots that are only parked
 * (breadth-first over the grid), and send those parked robots elsewhere, away from that way. Their new
 * spots are planned at once; the waiting robot plans again on its next try.
 */
function clearWay(w: World, r: number, goal: number, port: number): void {
  if (w.clearing) return;
  const g = w.grid;
  const res = w.res;
  // A goal held by a robot that is busy there cannot be cleared: it will leave by itself.
  const goalOwner = res.foreverOwner(goal);
  if (goalOwner !== -1 && goalOwner !== r && !evictable(w, goalOwner)) return;
  const stamp = ++w.searchStamp;
  const { seen, prev, queue } = w.scratch;
  const start = w.robots.cell[r]!;
  let head = 0, tail = 0;
  queue[tail++] = start;
  seen[start] = stamp;
  let found = false;
  // Bounded: far detours are the planner's business, this only clears nearby blockages.
  while (head < tail && !found && tail < CLEAR_WAY_CELLS) {
    const c = queue[head++]!;
    for (let d = 0; d < 4; d++) {
      const n = g.step(c, d);
      if (n < 0 || seen[n] === stamp || !w.planner.passable(n, port)) continue;
      const o = res.foreverOwner(n);
      if (o !== -1 && o !== r && !evictable(w, o)) continue;
      seen[n] = stamp;
      prev[n] = c;
      if (n === goal) { found = true; break; }
      queue[tail++] = n;
    }
  }
  if (!found) return;
  // Mark the way so that nobody parks on it, then move whoever is parked there.
  const movers: number[] = [];
  for (let c = goal; c !== start; c = prev[c]!) {
    w.avoid[c] = stamp;
    const o = res.foreverOwner(c);
    if (o !== -1 && o !== r) movers.push(o);
  }
  w.clearing = true;
  try {
    for (const o of movers) parkAside(w, o);
  } finally {
    w.clearing = false;
  }
}

/**
 * After repeated failures, step out of the way to a free parking cell nearby, keeping the job step: a
 * robot that blocks the one blocking it (a cycle of goals) breaks the cycle this way. Arrival logic
 * then finds itself elsewhere and plans the real leg again. Robots in a port's queue never sidestep.
 */
function sidestep(w: World, r: number): boolean {
  const R = w.robots;
  if (R.step[r] === Step.ToPort && w.ports[R.jobPort[r]!]!.queue.indexOf(r) >= 0) return false;
  const spot = chooseParking(w, r);
  if (spot < 0) return false;
  const here = w.grid.portOf[R.cell[r]!]!;
  const arrival = w.planner.plan({ robot: r, start: R.cell[r]!, axis: R.axis[r]!, now: w.tick, goal: spot, loaded: R.bin[r]! >= 0, port: here });
  if (arrival < 0 || !commit(w, r, spot, arrival)) return false;
  R.backoff[r] = 0;
  return true;
}

/**
 * Reserve the planner's result for robot r and start executing it. All or nothing: if a cell has no
 * free slot for an interval, everything this commit wrote is taken back and it returns false.
 */
function commit(w: World, r: number, goal: number, arrival: number): boolean {
  const R = w.robots;
  const res = w.res;
  const out = w.planner.out;
  const g = w.grid;
  const loaded = R.bin[r]! >= 0 ? 1 : 0;
  const now = w.tick;
  const start = R.cell[r]!;
  let held = res.removeForever(start, r);
  if (held < 0) held = R.heldSince[r]!;
  const written = w.scratch.written; // (cell, start) pairs written so far, for undoing
  let nWritten = 0;
  const put = (cell: number, a: number, b: number): boolean => {
    if (!res.insert(cell, a, b, r, now)) return false;
    written[nWritten++] = cell;
    written[nWritten++] = a;
    return true;
  };
  let ok = true;
  let prevEnter = held;
  for (let i = 0; i < out.count && ok; i++) {
    const dir = out.dir[i]!;
    const k = out.k[i]!;
    const depart = out.depart[i]!;
    const table = w.tables[(dir >> 1) * 2 + loaded]!;
    const o = table.off(k);
    const stride = DX[dir]! + DY[dir]! * g.width;
    // The stop this run departs from is held from when the robot entered it until it has left.
    let c = out.from[i]!;
    ok = put(c, prevEnter, depart + table.exit[o]!);
    for (let j = 1; j < k && ok; j++) {
      c += stride;
      ok = put(c, depart + table.enter[o + j]!, depart + table.exit[o + j]!);
    }
    prevEnter = depart + table.enter[o + k]!;
  }
  if (ok) ok = put(goal, prevEnter, FOREVER);
  if (!ok) {
    for (let i = 0; i < nWritten; i += 2) res.remove(written[i]!, written[i + 1]!, r);
    res.insert(start, held, FOREVER, r, now);
    return false;
  }
  const trace = w.opts.trace === true;
  if (trace) {
    for (let i = 0; i + 1 < nWritten; i += 2) {
      const cell = written[i]!;
      if (i + 2 >= nWritten) break; // the goal's interval is written when the robot leaves it
      w.events.push({ type: 'occupy', robot: r, cell, from: written[i + 1]!, to: intervalEnd(res, cell, written[i + 1]!, r) });
    }
  }
  const base = r * MAX_PLAN_RUNS;
  for (let i = 0; i < out.count; i++) {
    R.planFrom[base + i] = out.from[i]!;
    R.planDir[base + i] = out.dir[i]!;
    R.planK[base + i] = out.k[i]!;
    R.planDepart[base + i] = out.depart[i]!;
  }
  R.heldSince[r] = prevEnter;
  R.planCount[r] = out.count;
  R.planIdx[r] = 0;
  setGoal(w, r, goal);
  R.phase[r] = Phase.Moving;
  R.busyUntil[r] = arrival;
  // Leaving a port cell frees the robot's place in that port's queue.
  const p = g.portOf[start]!;
  if (p >= 0 && w.ports[p]!.cell === start) leaveQueue(w, r, p);
  return true;
}

/** End of robot r's interval starting at s in cell (just written). */
function intervalEnd(res: World['res'], cell: number, s: number, r: number): number {
  const base = cell * res.slots;
  for (let i = 0; i < res.count[cell]!; i++) if (res.owner[base + i] === r && res.start[base + i] === s) return res.end[base + i]!;
  return s;
}

/** The robot stands at the end of its leg: decide what comes next. */
function arrive(w: World, r: number): void {
  const R = w.robots;
  const g = w.grid;
  const cell = R.cell[r]!;
  R.planCount[r] = 0;
  R.progressAt[r] = w.tick;
  if (R.goal[r]! >= 0 && w.goalOf[R.goal[r]!] === r) w.goalOf[R.goal[r]!] = -1;
  R.goal[r] = -1;
  switch (R.step[r]) {
    case Step.ToBin: {
      const b = R.jobBin[r]!;
      if (w.binCell[b] !== cell) { R.phase[r] = Phase.Plan; R.retryAt[r] = w.tick; return; }
      const h = g.stackHeight[cell]!;
      const level = w.binLevel[b]!;
      if (R.digDepth[r]! < 0) R.digDepth[r] = h - 1 - level;
      if (level === h - 1) grip(w, r, Step.Lift, w.liftTicks[level]!);
      else grip(w, r, Step.DigLift, w.liftTicks[h - 1]!);
      return;
    }
    case Step.DigOut:
    case Step.Return:
      if (!canPlace(w, cell, r)) { R.phase[r] = Phase.Plan; R.retryAt[r] = w.tick; return; }
      grip(w, r, R.step[r] === Step.DigOut ? Step.DigDrop : Step.ReturnDrop, w.lowerTicks[g.stackHeight[cell]!]!);
      return;
    case Step.ToPort: {
      const port = w.ports[R.jobPort[r]!]!;
      const slot = port.queue.indexOf(r);
      if (slot < 0 || port.slotCells[slot] !== cell) { R.phase[r] = slot < 0 ? Phase.Hold : Phase.Plan; R.retryAt[r] = w.tick; return; }
      R.phase[r] = Phase.Hold;
      hold(w, r);
      return;
    }
    case Step.Park:
    default:
      if (R.step[r] === Step.Park && R.jobBin[r]! >= 0 && R.jobBin[r] !== cell) { R.phase[r] = Phase.Plan; R.retryAt[r] = w.tick; return; }
      jobDone(w, r);
  }
}

function grip(w: World, r: number, step: Step, ticks: number): void {
  const R = w.robots;
  // Starting a lift or a lowering is progress (a robot may have waited long at a port for it).
  R.progressAt[r] = w.tick;
  R.step[r] = step;
  R.phase[r] = Phase.Grip;
  R.busyUntil[r] = w.tick + ticks;
}

/** Waiting robots: is what they wait for there yet? */
function hold(w: World, r: number): void {
  const R = w.robots;
  const t = w.tick;
  if (R.step[r] !== Step.ToPort) { R.phase[r] = Phase.Plan; R.retryAt[r] = t; return; }
  const port = w.ports[R.jobPort[r]!]!;
  const slot = port.queue.indexOf(r);
  if (slot < 0) return;                                     // not admitted yet
  if (port.slotCells[slot] !== R.cell[r]) { R.phase[r] = Phase.Plan; R.retryAt[r] = t; tryLeg(w, r); return; }
  if (slot !== 0) return;                                   // in the buffer, waiting to move up
  if (R.bin[r]! >= 0) {
    if (port.canAccept(t)) grip(w, r, Step.PortDrop, w.portGripTicks[port.index]!);
  } else if (port.outputReady(t)) {
    grip(w, r, Step.PortPick, w.portGripTicks[port.index]!);
  } else if (port.binsInside() === 0) {
    jobDone(w, r);
  }
}

function traceBin(w: World, bin: number, op: 'lift' | 'drop', r: number, cell: number, level: number): void {
  if (w.opts.trace) w.events.push({ type: 'bin', bin, op, robot: r, cell, level, tick: w.tick });
}

/** A gripper action has finished. */
function gripDone(w: World, r: number): void {
  const R = w.robots;
  const g = w.grid;
  const cell = R.cell[r]!;
  const t = w.tick;
  R.progressAt[r] = t;
  switch (R.step[r]) {
    case Step.DigLift: {
      const b = g.pop(cell);
      pickUp(w, r, b, cell, g.stackHeight[cell]!);
      if (w.binTargeted[b]) g.protectedCount[cell]!--;
      w.binsMovedAside++;
      R.step[r] = Step.DigOut;
      setGoal(w, r, -1);
      R.phase[r] = Phase.Plan; R.retryAt[r] = t;
      tryLeg(w, r);
      return;
    }
    case Step.DigDrop:
    case Step.ReturnDrop: {
      const b = R.bin[r]!;
      const level = g.push(cell, b);
      R.bin[r] = -1;
      w.binRobot[b] = -1; w.binCell[b] = cell; w.binLevel[b] = level;
      traceBin(w, b, 'drop', r, cell, level);
      if (R.step[r] === Step.ReturnDrop) {
        w.events.push({ type: 'returned', robot: r, bin: b, cell, tick: t });
        jobDone(w, r);
        return;
      }
      if (w.binTargeted[b]) g.protectedCount[cell]!++;
      R.step[r] = Step.ToBin;
      R.phase[r] = Phase.Plan; R.retryAt[r] = t;
      tryLeg(w, r);
      return;
    }
    case Step.Lift: {
      const b = g.pop(cell);
      pickUp(w, r, b, cell, g.stackHeight[cell]!);
      g.protectedCount[cell]!--;
      w.binTargeted[b] = 0;
      w.retrievals++;
      w.depthSum += R.digDepth[r]!;
      w.events.push({ type: 'fetched', robot: r, task: R.jobTask[r]!, bin: b, depth: R.digDepth[r]!, tick: t });
      R.step[r] = Step.ToPort;
      admit(w, r, R.jobPort[r]!);
      R.phase[r] = Phase.Plan; R.retryAt[r] = t;
      tryLeg(w, r);
      return;
    }
    case Step.PortDrop: {
      const port = w.ports[R.jobPort[r]!]!;
      const b = R.bin[r]!;
      port.put(b, t);
      R.bin[r] = -1;
      w.binRobot[b] = -1; w.binPort[b] = port.index;
      traceBin(w, b, 'drop', r, R.cell[r]!, -1);
      if (port.outputReady(t)) { grip(w, r, Step.PortPick, w.portGripTicks[port.index]!); return; }
      jobDone(w, r);
      return;
    }
    case Step.PortPick: {
      const port = w.ports[R.jobPort[r]!]!;
      const b = port.take(t);
      R.bin[r] = b;
      w.binPort[b] = -1; w.binRobot[b] = r;
      traceBin(w, b, 'lift', r, R.cell[r]!, -1);
      w.events.push({ type: 'collected', robot: r, port: port.index, bin: b, tick: t });
      R.step[r] = Step.Return;
      setGoal(w, r, -1);
      R.phase[r] = Phase.Plan; R.retryAt[r] = t;
      tryLeg(w, r);
      return;
    }
  }
}

function pickUp(w: World, r: number, b: number, cell: number, level: number): void {
  w.robots.bin[r] = b;
  w.binCell[b] = -1; w.binLevel[b] = -1; w.binRobot[b] = r;
  traceBin(w, b, 'lift', r, cell, level);
}

function jobDone(w: World, r: number): void {
  const R = w.robots;
  const task = R.jobTask[r]!;
  // Automatic parking is the world's own business; everything the warehouse control asked for is reported.
  const hadJob = R.job[r] !== Job.Park || R.jobBin[r]! >= 0;
  R.job[r] = Job.None; R.step[r] = Step.None; R.phase[r] = Phase.Idle;
  R.jobBin[r] = -1; R.jobPort[r] = -1; R.jobTask[r] = -1; R.digDepth[r] = -1;
  setGoal(w, r, -1);
  R.progressAt[r] = w.tick;
  if (hadJob) w.events.push({ type: 'jobDone', robot: r, task, tick: w.tick });
  const next = w.deferred[r];
  if (next) { w.deferred[r] = undefined; apply(w, next); tryLeg(w, r); }
}

/**
 * Robots with a job and no progress for STUCK_SECONDS are reported once each. Waiting for a port is not
 * being stuck: neither waiting to be admitted to its queue, nor standing in it while the port works (its
 * operator has a bin, or a bin moved in it within STUCK_SECONDS); a robot in the queue of a port that has
 * stopped is.
 */
function watchdog(w: World): void {
  const t = w.tick;
  const limit = Math.round(STUCK_SECONDS / w.tickSeconds);
  if (t % 10 !== 0) return;
  const R = w.robots;
  for (let r = 0; r < R.count; r++) {
    if (R.job[r] === Job.None || R.stuck[r]) continue;
    // Waiting to be admitted to a port queue is queueing, not being stuck.
    if (R.step[r] === Step.ToPort) {
      const port = w.ports[R.jobPort[r]!]!;
      if (port.queue.indexOf(r) < 0) continue;
      if (R.phase[r] === Phase.Hold && (port.opBin >= 0 || t - port.progressAt <= limit)) continue;
    }
    if (t - R.progressAt[r]! > limit) {
      R.stuck[r] = 1;
      w.events.push({ type: 'stuck', robot: r, tick: t, cell: R.cell[r]! });
    }
  }
}

/** No two robots' bodies over one cell: checked every tick from the robots' physical positions. */
function occupancyCheck(w: World): void {
  const R = w.robots;
  const t = w.tick;
  for (let r = 0; r < R.count; r++) {
    for (let q = 0; q < 2; q++) {
      const c = q === 0 ? w.occA[r]! : w.occB[r]!;
      if (c < 0) continue;
      if (w.occStamp[c] === t) {
        w.collisions++;
        w.events.push({ type: 'collision', tick: t, cell: c, robots: [w.occRobot[c]!, r] });
        if (w.opts.check) throw new InvariantError(t, `collision: robots ${w.occRobot[c]} and ${r} in cell ${c} (${c % w.grid.width},${(c / w.grid.width) | 0})`);
      }
      w.occStamp[c] = t;
      w.occRobot[c] = r;
    }
  }
}
