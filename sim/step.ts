/**
 * step(world, commands): advance the world by one tick. Commands from the warehouse control are applied
 * first (./commands.ts), then every robot in id order (gripper actions and arrivals by the job lifecycle
 * table, ./lifecycle.ts; motion along committed plans, ./motion.ts; planning of next legs, ./legs.ts and
 * ./way.ts), then the ports' operators, then the watchdog and the occupancy check; every robot-tick is
 * booked to one time category. Deterministic: same world and commands, same result. step and the
 * modules named here are the only writers of World state.
 */
import { apply } from './commands.ts';
import type { Command, WorldEvent } from './events.ts';
import { checkWorld, InvariantError } from './invariants.ts';
import { arrive, gripDone, hold } from './lifecycle.ts';
import { tryLeg } from './legs.ts';
import { move } from './motion.ts';
import { Job, MAX_PLAN_RUNS, Phase, Step, TimeCat } from './robots.ts';
import type { World } from './world.ts';

export { CommandError, MAX_WORK } from './commands.ts';

/** Simulated ticks without progress after which a robot with a goal counts as stuck. */
export const STUCK_SECONDS = 60;
/** The watchdog looks every this many ticks (a second at the usual 0.1 s tick). */
const WATCHDOG_EVERY_TICKS = 10;

/** Advance one tick; returns the events of this tick (valid until the next call). */
export function step(w: World, commands: readonly Command[] = []): WorldEvent[] {
  w.events = [];
  for (const c of commands) apply(w, c);
  const R = w.robots;
  for (let r = 0; r < R.count; r++) advanceRobot(w, r);
  for (const p of w.ports) {
    const e = p.advance(w.tick, w.portRng, w.tickSeconds, w.binLines, w.binUnits);
    if (e === 1) { w.counters.presentations++; w.events.push({ type: 'presented', port: p.index, bin: p.opBin, tick: w.tick }); }
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

function advanceRobot(w: World, r: number): void {
  const R = w.robots;
  const t = w.tick;
  // Body cells for the occupancy check: move() sets them for a robot under way; anyone else (including
  // a robot whose plan was committed this tick, which departs at the earliest now) covers its own cell.
  w.scratch.occA[r] = -2;
  // What happens at this tick happens first (an arrival, a gripper done, a leg planned); the tick is then
  // booked as what the robot does from it on: a robot that arrives and starts lowering spends the tick
  // lowering, not waiting.
  switch (R.phase[r]) {
    case Phase.Idle:
      // Where an idle robot waits is the warehouse control's decision (a park command); it yields only
      // when another robot needs its cell (./way.ts).
      w.counters.timeTicks[TimeCat.Idle]!++;
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
  if (w.scratch.occA[r] === -2) { w.scratch.occA[r] = R.cell[r]!; w.scratch.occB[r] = -1; }
}

/** Books this tick of robot r by what it does from now on (its phase after this tick's transitions). */
function book(w: World, r: number): void {
  const R = w.robots;
  switch (R.phase[r]) {
    case Phase.Idle:
      w.counters.timeTicks[TimeCat.Idle]!++;
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
  w.counters.timeTicks[cat]!++;
  if (w.robots.job[r] !== Job.None) w.counters.busyTicks++;
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
  if (t % WATCHDOG_EVERY_TICKS !== 0) return;
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
      const c = q === 0 ? w.scratch.occA[r]! : w.scratch.occB[r]!;
      if (c < 0) continue;
      if (w.scratch.occStamp[c] === t) {
        w.counters.collisions++;
        w.events.push({ type: 'collision', tick: t, cell: c, robots: [w.scratch.occRobot[c]!, r] });
        if (w.opts.check) throw new InvariantError(t, `collision: robots ${w.scratch.occRobot[c]} and ${r} in cell ${c} (${c % w.grid.width},${(c / w.grid.width) | 0})`);
      }
      w.scratch.occStamp[c] = t;
      w.scratch.occRobot[c] = r;
    }
  }
}
