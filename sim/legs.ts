/**
 * Legs: a robot's next leg planned and started (its goal from the job's lifecycle, the path from the
 * world's planner), and what a robot does when no plan is found (ask parked robots to move, back off,
 * step aside). Part of step(): the only writer of World state.
 */
import { chooseParking } from './dig.ts';
import { arrive, legGoal } from './lifecycle.ts';
import { commit } from './motion.ts';
import { Job, Phase, Step } from './robots.ts';
import { clearWay } from './way.ts';
import type { World } from './world.ts';

/** Failed plans in a row after which a robot steps aside to a free parking cell nearby. */
const SIDESTEP_AFTER_FAILURES = 3;
/** A robot without a plan retries after 1, 2, 4, 8, then every 16 ticks (2^exponent, capped here). */
const MAX_BACKOFF_EXPONENT = 4;

/** Sets robot r's goal cell (-1: none), claiming it in goalOf when no other robot is heading there. */
export function setGoal(w: World, r: number, cell: number): void {
  const R = w.robots;
  const old = R.goal[r]!;
  if (old >= 0 && w.goalOf[old] === r) w.goalOf[old] = -1;
  R.goal[r] = cell;
  if (cell >= 0 && w.goalOf[cell] === -1) w.goalOf[cell] = r;
}

/** Try to plan and start the robot's next leg. */
export function tryLeg(w: World, r: number): void {
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
  if (R.backoff[r]! >= SIDESTEP_AFTER_FAILURES && sidestep(w, r)) return;
  const b = Math.min(R.backoff[r]!, MAX_BACKOFF_EXPONENT);
  R.retryAt[r] = w.tick + (1 << b);
  R.backoff[r] = b + 1;
}

/**
 * Send robot r, idle or only parked, out of another robot's way to a parking cell of the world's own
 * choosing (way-clearing), planning at once.
 */
export function parkAside(w: World, r: number): void {
  const R = w.robots;
  R.job[r] = Job.Park; R.step[r] = Step.Park; R.jobTask[r] = -1; R.jobBin[r] = -1; R.parkCell[r] = -1;
  setGoal(w, r, -1);
  R.phase[r] = Phase.Plan; R.retryAt[r] = w.tick; R.progressAt[r] = w.tick;
  tryLeg(w, r);
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
