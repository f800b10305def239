/**
 * Commands from the warehouse control, applied at the start of a tick (see step()): fetch a bin to a
 * port, collect a bin from a port, park, the operator's work for a bin, where bins go back to (home
 * areas) and where robots wait for a port (staging). A command the world cannot carry out is refused
 * with a CommandError and changes nothing. Part of step(): the only writer of World state.
 */
import type { Area, Command } from './events.ts';
import { setGoal } from './legs.ts';
import { admit } from './port-queue.ts';
import { Job, Phase, Step } from './robots.ts';
import type { World } from './world.ts';

/** Thrown when a command cannot be carried out (the warehouse control asked for something impossible). */
export class CommandError extends Error {}

/** Most order lines or units one presentation can carry (the per-bin work counters are 16-bit). */
export const MAX_WORK = 0xffff;

/** Applies one command (a robot's job, a bin's work or home, a port's staging cells); throws CommandError, changing nothing, when it cannot. */
export function apply(w: World, c: Command): void {
  if (c.type === 'work') { setWork(w, c.bin, c.lines, c.units); return; }
  if (c.type === 'home') { setHome(w, c.bins, c.area); return; }
  if (c.type === 'staging') { setStaging(w, c.port, c.cells); return; }
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

/** Most home areas a world keeps (binHome is 16-bit, 0 meaning none). */
export const MAX_HOME_AREAS = 0xfffe;

/** Bins `bins` go back into `area` (null: anywhere). */
function setHome(w: World, bins: readonly number[], area: Area | null): void {
  const g = w.grid;
  for (const b of bins) if (!Number.isInteger(b) || b < 0 || b >= w.binCell.length) throw new CommandError(`bin ${b} does not exist`);
  let home = 0;
  if (area) {
    const { x0, y0, x1, y1 } = area;
    const ok = [x0, y0, x1, y1].every(Number.isInteger) && x0 >= 0 && x0 <= x1 && x1 < g.width && y0 >= 0 && y0 <= y1 && y1 < g.depth;
    if (!ok) throw new CommandError(`area ${JSON.stringify(area)}: expected integer bounds with 0 <= x0 <= x1 < ${g.width} and 0 <= y0 <= y1 < ${g.depth}`);
    const i = w.homeAreas.findIndex((a) => a.x0 === x0 && a.y0 === y0 && a.x1 === x1 && a.y1 === y1);
    if (i < 0 && w.homeAreas.length >= MAX_HOME_AREAS) throw new CommandError(`more than ${MAX_HOME_AREAS} home areas`);
    home = (i < 0 ? w.homeAreas.push({ x0, y0, x1, y1 }) : i + 1);
  }
  for (const b of bins) w.binHome[b] = home;
}

/** Robots waiting for `port` use `cells`, the most preferred first. */
function setStaging(w: World, port: number, cells: readonly number[]): void {
  if (!Number.isInteger(port) || port < 0 || port >= w.ports.length) throw new CommandError(`port ${port} does not exist`);
  for (const c of cells) {
    if (!Number.isInteger(c) || c < 0 || c >= w.grid.cells || !w.grid.isParking(c)) throw new CommandError(`staging cell ${c} is not a parking cell`);
  }
  w.staging[port] = Int32Array.from(cells);
}
