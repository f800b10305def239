/**
 * Robot state in typed arrays indexed by robot id, and the codes for what a robot is doing. The world's
 * step function is the only writer.
 */
import { MAX_PLAN_RUNS } from './planner/planner.ts';

export { MAX_PLAN_RUNS };

/** What the robot is doing this tick. */
export const enum Phase {
  /** No job; parked. */
  Idle = 0,
  /** Following a committed plan; arrives at `busyUntil`. */
  Moving = 1,
  /** Needs a plan for its next leg; tries again at `retryAt`. */
  Plan = 2,
  /** Gripper working (lift or lower) until `busyUntil`. */
  Grip = 3,
  /** Waiting: for a port queue slot, for the port to accept, for a bin being moved by another robot. */
  Hold = 4,
}

/** The job the warehouse control gave the robot. */
export const enum Job {
  None = 0,
  /** Fetch a bin (digging as needed) and bring it to a port. */
  Fetch = 1,
  /** Go to a port and take a finished bin back into the grid. */
  Collect = 2,
  /** Drive to a cell and park there. */
  Park = 3,
}

/** Where in its job a robot is. */
export const enum Step {
  None = 0,
  ToBin = 1,
  DigLift = 2,
  DigOut = 3,
  DigDrop = 4,
  Lift = 5,
  ToPort = 6,
  PortDrop = 7,
  PortPick = 8,
  Return = 9,
  ReturnDrop = 10,
  Park = 11,
}

/** Categories of the fleet's time (robot-seconds), in kpis.robotTime order. */
export const TIME_CATEGORIES = [
  'movingEmpty', 'movingLoaded', 'digging', 'portHandling', 'portQueueing', 'trafficWaiting', 'idle',
] as const;
export const enum TimeCat { MovingEmpty, MovingLoaded, Digging, PortHandling, PortQueueing, TrafficWaiting, Idle }

export class Robots {
  readonly count: number;
  /** Cell under the robot's centre (while moving: the nearest cell). */
  readonly cell: Int32Array;
  /** Wheel axis: 0 = x, 1 = y. */
  readonly axis: Uint8Array;
  /** Carried bin, or -1. */
  readonly bin: Int32Array;
  readonly phase: Uint8Array;
  readonly job: Uint8Array;
  readonly step: Uint8Array;
  /** The bin a fetch is after, or -1. */
  readonly jobBin: Int32Array;
  readonly jobPort: Int16Array;
  /** The cell a commanded park must end at, or -1 (a park of the world's own chooses its cell). */
  readonly parkCell: Int32Array;
  /** The job's order of assignment (WCS task id), echoed in events. */
  readonly jobTask: Int32Array;
  /** Goal cell of the current leg, or -1. */
  readonly goal: Int32Array;
  readonly busyUntil: Int32Array;
  readonly retryAt: Int32Array;
  readonly backoff: Uint8Array;
  /** Tick of the robot's last progress (leg done, gripper done, admitted): the deadlock watchdog reads it. */
  readonly progressAt: Int32Array;
  /** 1 once the watchdog has seen this robot stuck. */
  readonly stuck: Uint8Array;
  /** Depth (bins above) of the fetched bin when the robot reached its stack, -1 before. */
  readonly digDepth: Int16Array;
  /** Committed plan: runs and the index of the current run. */
  readonly planCount: Uint8Array;
  readonly planIdx: Uint8Array;
  readonly planFrom: Int32Array;
  readonly planDir: Int8Array;
  readonly planK: Int32Array;
  readonly planDepart: Int32Array;
  /** Tick from which the robot has held its current cell (for the trace's occupancy intervals). */
  readonly heldSince: Int32Array;

  constructor(count: number) {
    this.count = count;
    this.cell = new Int32Array(count);
    this.axis = new Uint8Array(count);
    this.bin = new Int32Array(count).fill(-1);
    this.phase = new Uint8Array(count);
    this.job = new Uint8Array(count);
    this.step = new Uint8Array(count);
    this.jobBin = new Int32Array(count).fill(-1);
    this.jobPort = new Int16Array(count).fill(-1);
    this.parkCell = new Int32Array(count).fill(-1);
    this.jobTask = new Int32Array(count).fill(-1);
    this.goal = new Int32Array(count).fill(-1);
    this.busyUntil = new Int32Array(count);
    this.retryAt = new Int32Array(count);
    this.backoff = new Uint8Array(count);
    this.progressAt = new Int32Array(count);
    this.stuck = new Uint8Array(count);
    this.digDepth = new Int16Array(count).fill(-1);
    this.planCount = new Uint8Array(count);
    this.planIdx = new Uint8Array(count);
    this.planFrom = new Int32Array(count * MAX_PLAN_RUNS);
    this.planDir = new Int8Array(count * MAX_PLAN_RUNS);
    this.planK = new Int32Array(count * MAX_PLAN_RUNS);
    this.planDepart = new Int32Array(count * MAX_PLAN_RUNS);
    this.heldSince = new Int32Array(count);
  }
}
