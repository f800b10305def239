/**
 * The robot's job lifecycle as a table: for each step of a job, where its leg ends, what happens when the
 * robot arrives there, what happens when the gripper is done, and which steps may follow. A fetch runs
 * ToBin → (DigLift → DigOut → DigDrop → ToBin)* → Lift → ToPort → PortDrop (→ PortPick → Return →
 * ReturnDrop when the port hands back a finished bin); a collect runs ToPort → PortPick → Return →
 * ReturnDrop; a park is one leg. Part of step(): the only writer of World state.
 */
import { chooseAside, chooseParking, chooseReturn, chooseStaging, canPlace } from './dig.ts';
import { apply } from './commands.ts';
import { setGoal, tryLeg } from './legs.ts';
import { admit } from './port-queue.ts';
import { Job, Phase, Step } from './robots.ts';
import type { World } from './world.ts';

export interface StepRule {
  /** The step's leg: the cell it ends at, or -1 to wait where the robot stands (Hold). Absent: no leg. */
  goal?: (w: World, r: number) => number;
  /** The robot stands at the end of the leg (at `cell`). Absent: the job is done there. */
  arrive?: (w: World, r: number, cell: number) => void;
  /** The gripper action of this step has finished (the robot stands at `cell`). */
  gripDone?: (w: World, r: number, cell: number) => void;
  /** The steps that may follow (None: the job is done); test/lifecycle.test.ts holds runs to it. */
  next: readonly Step[];
}

/** Plan the current step's leg again from this tick (the goal moved, or is not there yet). */
function replan(w: World, r: number): void {
  w.robots.phase[r] = Phase.Plan;
  w.robots.retryAt[r] = w.tick;
}

/** Go on to step `next`, planning its leg at once. */
function proceed(w: World, r: number, next: Step): void {
  const R = w.robots;
  R.step[r] = next;
  R.phase[r] = Phase.Plan; R.retryAt[r] = w.tick;
  tryLeg(w, r);
}

export const LIFECYCLE: readonly StepRule[] = [];
const rules = LIFECYCLE as StepRule[];

rules[Step.None] = { next: [Step.ToBin, Step.ToPort, Step.Park] };

rules[Step.ToBin] = {
  goal: (w, r) => {
    const b = w.robots.jobBin[r]!;
    return w.binCell[b]! >= 0 ? w.binCell[b]! : -1;
  },
  arrive: (w, r, cell) => {
    const R = w.robots;
    const g = w.grid;
    const b = R.jobBin[r]!;
    if (w.binCell[b] !== cell) { replan(w, r); return; }
    const h = g.stackHeight[cell]!;
    const level = w.binLevel[b]!;
    if (R.digDepth[r]! < 0) R.digDepth[r] = h - 1 - level;
    if (level === h - 1) grip(w, r, Step.Lift, w.liftTicks[level]!);
    else grip(w, r, Step.DigLift, w.liftTicks[h - 1]!);
  },
  next: [Step.Lift, Step.DigLift],
};

rules[Step.DigLift] = {
  gripDone: (w, r, cell) => {
    const g = w.grid;
    const b = g.pop(cell);
    pickUp(w, r, b, cell, g.stackHeight[cell]!);
    if (w.binTargeted[b]) g.protectedCount[cell]!--;
    w.counters.binsMovedAside++;
    setGoal(w, r, -1);
    proceed(w, r, Step.DigOut);
  },
  next: [Step.DigOut],
};

/** Set the carried bin down on this stack (a dig's bin moved aside, or a bin back from a port). */
function arriveToDrop(w: World, r: number, cell: number): void {
  const R = w.robots;
  if (!canPlace(w, cell, r)) { replan(w, r); return; }
  grip(w, r, R.step[r] === Step.DigOut ? Step.DigDrop : Step.ReturnDrop, w.lowerTicks[w.grid.stackHeight[cell]!]!);
}

/** A leg to a stack to set the carried bin on: the goal kept while it can take the bin, else chosen again. */
function dropGoal(choose: (w: World, r: number) => number): (w: World, r: number) => number {
  return (w, r) => {
    const R = w.robots;
    if (R.goal[r]! < 0 || !canPlace(w, R.goal[r]!, r)) setGoal(w, r, choose(w, r));
    return R.goal[r]!;
  };
}

rules[Step.DigOut] = {
  goal: dropGoal((w, r) => chooseAside(w, r, w.robots.cell[r]!)),
  arrive: arriveToDrop,
  next: [Step.DigDrop],
};

/** The carried bin is set down on the stack at `cell`. */
function drop(w: World, r: number, cell: number): number {
  const R = w.robots;
  const b = R.bin[r]!;
  const level = w.grid.push(cell, b);
  R.bin[r] = -1;
  w.binRobot[b] = -1; w.binCell[b] = cell; w.binLevel[b] = level;
  traceBin(w, b, 'drop', r, cell, level);
  return b;
}

rules[Step.DigDrop] = {
  gripDone: (w, r, cell) => {
    const b = drop(w, r, cell);
    if (w.binTargeted[b]) w.grid.protectedCount[cell]!++;
    proceed(w, r, Step.ToBin);
  },
  next: [Step.ToBin],
};

rules[Step.Lift] = {
  gripDone: (w, r, cell) => {
    const R = w.robots;
    const g = w.grid;
    const b = g.pop(cell);
    pickUp(w, r, b, cell, g.stackHeight[cell]!);
    g.protectedCount[cell]!--;
    w.binTargeted[b] = 0;
    w.counters.retrievals++;
    w.counters.depthSum += R.digDepth[r]!;
    w.events.push({ type: 'fetched', robot: r, task: R.jobTask[r]!, bin: b, depth: R.digDepth[r]!, tick: w.tick });
    admit(w, r, R.jobPort[r]!);
    proceed(w, r, Step.ToPort);
  },
  next: [Step.ToPort],
};

rules[Step.ToPort] = {
  goal: (w, r) => {
    const R = w.robots;
    const port = w.ports[R.jobPort[r]!]!;
    const slot = port.queue.indexOf(r);
    if (slot < 0) {
      // Not admitted yet: wait where the warehouse control stages robots for this port (see the
      // 'staging' command), or where the robot stands.
      const gl = R.goal[r]!;
      if (gl < 0 || (w.res.foreverOwner(gl) !== -1 && w.res.foreverOwner(gl) !== r)) setGoal(w, r, chooseStaging(w, port.index));
      return R.goal[r]!;
    }
    // The robot ahead may still be driving into this slot; wait until it has moved up.
    const cell = port.slotCells[slot]!;
    const owner = w.res.foreverOwner(cell);
    return owner === -1 || owner === r ? cell : -1;
  },
  arrive: (w, r, cell) => {
    const R = w.robots;
    const port = w.ports[R.jobPort[r]!]!;
    const slot = port.queue.indexOf(r);
    if (slot < 0 || port.slotCells[slot] !== cell) { R.phase[r] = slot < 0 ? Phase.Hold : Phase.Plan; R.retryAt[r] = w.tick; return; }
    R.phase[r] = Phase.Hold;
    hold(w, r);
  },
  next: [Step.PortDrop, Step.PortPick, Step.None],
};

rules[Step.PortDrop] = {
  gripDone: (w, r) => {
    const R = w.robots;
    const t = w.tick;
    const port = w.ports[R.jobPort[r]!]!;
    const b = R.bin[r]!;
    port.put(b, t);
    R.bin[r] = -1;
    w.binRobot[b] = -1; w.binPort[b] = port.index;
    traceBin(w, b, 'drop', r, R.cell[r]!, -1);
    if (port.outputReady(t)) { grip(w, r, Step.PortPick, w.portGripTicks[port.index]!); return; }
    jobDone(w, r);
  },
  next: [Step.PortPick, Step.None],
};

rules[Step.PortPick] = {
  gripDone: (w, r) => {
    const R = w.robots;
    const t = w.tick;
    const port = w.ports[R.jobPort[r]!]!;
    const b = port.take(t);
    R.bin[r] = b;
    w.binPort[b] = -1; w.binRobot[b] = r;
    traceBin(w, b, 'lift', r, R.cell[r]!, -1);
    w.events.push({ type: 'collected', robot: r, port: port.index, bin: b, tick: t });
    setGoal(w, r, -1);
    proceed(w, r, Step.Return);
  },
  next: [Step.Return],
};

rules[Step.Return] = {
  goal: dropGoal((w, r) => chooseReturn(w, r, w.robots.bin[r]!)),
  arrive: arriveToDrop,
  next: [Step.ReturnDrop],
};

rules[Step.ReturnDrop] = {
  gripDone: (w, r, cell) => {
    const b = drop(w, r, cell);
    w.events.push({ type: 'returned', robot: r, bin: b, cell, tick: w.tick });
    jobDone(w, r);
  },
  next: [Step.None],
};

rules[Step.Park] = {
  goal: (w, r) => {
    const R = w.robots;
    if (R.parkCell[r]! >= 0) return R.parkCell[r]!;
    if (R.goal[r]! < 0 || w.res.foreverOwner(R.goal[r]!) !== -1 && w.res.foreverOwner(R.goal[r]!) !== r) {
      setGoal(w, r, chooseParking(w, r));
    }
    return R.goal[r]!;
  },
  arrive: (w, r, cell) => {
    // A commanded park keeps its cell: arriving anywhere else is not arriving.
    if (w.robots.parkCell[r]! >= 0 && w.robots.parkCell[r] !== cell) { replan(w, r); return; }
    jobDone(w, r);
  },
  // A parked robot may be given real work at once (see apply).
  next: [Step.None, Step.ToBin, Step.ToPort, Step.Park],
};

/** The cell the robot's current leg should end at; -1 to wait where it stands (hold). */
export function legGoal(w: World, r: number): number {
  return LIFECYCLE[w.robots.step[r]!]!.goal?.(w, r) ?? -1;
}

/** The robot stands at the end of its leg: decide what comes next. */
export function arrive(w: World, r: number): void {
  const R = w.robots;
  const cell = R.cell[r]!;
  R.planCount[r] = 0;
  R.progressAt[r] = w.tick;
  if (R.goal[r]! >= 0 && w.goalOf[R.goal[r]!] === r) w.goalOf[R.goal[r]!] = -1;
  R.goal[r] = -1;
  const rule = LIFECYCLE[R.step[r]!]!;
  if (rule.arrive) rule.arrive(w, r, cell);
  else jobDone(w, r);
}

/** A gripper action has finished. */
export function gripDone(w: World, r: number): void {
  const R = w.robots;
  R.progressAt[r] = w.tick;
  LIFECYCLE[R.step[r]!]!.gripDone?.(w, r, R.cell[r]!);
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
export function hold(w: World, r: number): void {
  const R = w.robots;
  const t = w.tick;
  if (R.step[r] !== Step.ToPort) { replan(w, r); return; }
  const port = w.ports[R.jobPort[r]!]!;
  const slot = port.queue.indexOf(r);
  if (slot < 0) return;                                     // not admitted yet
  if (port.slotCells[slot] !== R.cell[r]) { replan(w, r); tryLeg(w, r); return; }
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

function pickUp(w: World, r: number, b: number, cell: number, level: number): void {
  w.robots.bin[r] = b;
  w.binCell[b] = -1; w.binLevel[b] = -1; w.binRobot[b] = r;
  traceBin(w, b, 'lift', r, cell, level);
}

function jobDone(w: World, r: number): void {
  const R = w.robots;
  const task = R.jobTask[r]!;
  // Automatic parking is the world's own business; everything the warehouse control asked for is reported.
  const hadJob = R.job[r] !== Job.Park || R.parkCell[r]! >= 0;
  R.job[r] = Job.None; R.step[r] = Step.None; R.phase[r] = Phase.Idle;
  R.jobBin[r] = -1; R.jobPort[r] = -1; R.jobTask[r] = -1; R.digDepth[r] = -1; R.parkCell[r] = -1;
  setGoal(w, r, -1);
  R.progressAt[r] = w.tick;
  if (hadJob) w.events.push({ type: 'jobDone', robot: r, task, tick: w.tick });
  const next = w.deferred[r];
  if (next) { w.deferred[r] = undefined; apply(w, next); tryLeg(w, r); }
}
