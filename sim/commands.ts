/**
 * Commands from the warehouse control, applied at the start of a tick (see step()): fetch a bin to a
 * port, collect a bin from a port, park, and the operator's work for a bin. A command the world cannot
 * carry out is refused with a CommandError and changes nothing. Part of step(): the only writer of World state.
 */
import type { Command } from './events.ts';
import { setGoal } from './legs.ts';
import { admit } from './port-queue.ts';
import { Job, Phase, Step } from './robots.ts';
import type { World } from './world.ts';

/** Thrown when a command cannot be carried out (the warehouse control asked for something impossible). */
export class CommandError extends Error {}

/** Most order lines or units one presentation can carry (the per-bin work counters are 16-bit). */
export const MAX_WORK = 0xffff;

/** Applies one command (a robot's job, or a bin's work); throws CommandError, changing nothing, when it cannot. */
export function apply(w: World, c: Command): void {
  if (c.type === 'work') { setWork(w, c.bin, c.lines, c.units); return; }
  const R = w.robots;
  const r = c.robot;
  if (r < 0 || r >= R.count) throw new CommandError(`robot ${r} does not exist`);
  if (c.type === 'fetch') {
    const b = c.bin;
    if (b < 0 || b >= w.binCell.length) throw new CommandError(`bin ${b} does not exist`);
    if (w.binCell[b]! < 0 && w.binRobot[b]! < 0) throw new CommandError(`bin ${b} is not in the grid`);
    if (w.binTargeted[b]) throw new CommandError(`bin ${b} is already being fetched`);
    checkWork(c.lines ?? 0, c.units ?? 0);
  }
  if (c.type !== 'park' && (c.port < 0 || c.port >= w.ports.length)) throw new CommandError(`port ${c.port} does not exist`);
  if (c.type === 'park' && !w.grid.isParking(c.cell)) throw new CommandError(`cell ${c.cell} is not a parking cell`);
  // A robot only parking (not yet driving) may be given real work instead; one driving out of someone's
  // way on its own account takes the command when it gets there.
  if (R.job[r] === Job.Park && R.phase[r] === Phase.Moving && R.parkCell[r]! < 0) { w.deferred[r] = c; return; }
  if (R.job[r] !== Job.None && R.job[r] !== Job.Park) throw new CommandError(`robot ${r} is busy`);
  // Checked: from here on nothing fails.
  if (R.job[r] === Job.Park) setGoal(w, r, -1);
  R.progressAt[r] = w.tick;
  R.backoff[r] = 0;
  R.retryAt[r] = w.tick;
  R.parkCell[r] = -1;
  if (c.type === 'fetch') {
    const b = c.bin;
    setWork(w, b, c.lines ?? 0, c.units ?? 0);
    R.job[r] = Job.Fetch; R.jobBin[r] = b; R.jobPort[r] = c.port; R.jobTask[r] = c.task;
    R.step[r] = Step.ToBin; R.digDepth[r] = -1;
    w.binTargeted[b] = 1;
    if (w.binCell[b]! >= 0) w.grid.protectedCount[w.binCell[b]!]!++;
  } else if (c.type === 'collect') {
    R.job[r] = Job.Collect; R.jobBin[r] = -1; R.jobPort[r] = c.port; R.jobTask[r] = c.task;
    R.step[r] = Step.ToPort;
    admit(w, r, c.port);
  } else {
    R.job[r] = Job.Park; R.step[r] = Step.Park; R.jobTask[r] = -1; R.jobBin[r] = -1;
    R.parkCell[r] = c.cell; // a commanded park keeps its cell (automatic parks choose their own)
    setGoal(w, r, c.cell);
  }
  R.phase[r] = Phase.Plan;
}

function checkWork(lines: number, units: number): void {
  if (!Number.isInteger(lines) || lines < 0 || lines > MAX_WORK) throw new CommandError(`lines ${lines}: expected an integer from 0 to ${MAX_WORK}`);
  if (!Number.isInteger(units) || units < 0 || units > MAX_WORK) throw new CommandError(`units ${units}: expected an integer from 0 to ${MAX_WORK}`);
}

/** The operator's work for `bin` at its next presentation. */
function setWork(w: World, b: number, lines: number, units: number): void {
  if (b < 0 || b >= w.binCell.length) throw new CommandError(`bin ${b} does not exist`);
  checkWork(lines, units);
  w.binLines[b] = lines;
  w.binUnits[b] = units;
}
