/**
 * The world as the warehouse control sees it: read-only. The WCS (wcs/dispatch) is given a WorldView, not
 * the World, so the compiler refuses any write from it to the simulation's state, and it reads the
 * simulator's internals (reservations, goal claims) only through questions the view answers. The World
 * is a WorldView; step() stays the only writer.
 */
import type { WorldConfig } from './config.ts';
import type { Grid } from './grid.ts';
import type { PortState } from './ports.ts';

/** Numbers to read and not write: a typed array seen read-only. */
export interface ReadonlyNumbers {
  readonly length: number;
  readonly [index: number]: number;
}

/** The grid's layout and stacks, read-only (no push or pop). */
export interface GridView extends Pick<Grid, 'width' | 'depth' | 'cells' | 'height' | 'pitchX' | 'pitchY' | 'cell' | 'x' | 'y' | 'step' | 'isStorage' | 'isParking' | 'top' | 'depthToLevel'> {
  readonly kind: ReadonlyNumbers;
  readonly portOf: ReadonlyNumbers;
  readonly stackHeight: ReadonlyNumbers;
  readonly stackBins: ReadonlyNumbers;
  readonly protectedCount: ReadonlyNumbers;
}

/** What each robot is doing, read-only. */
export interface RobotsView {
  readonly count: number;
  readonly cell: ReadonlyNumbers;
  readonly bin: ReadonlyNumbers;
  readonly phase: ReadonlyNumbers;
  readonly job: ReadonlyNumbers;
  readonly jobBin: ReadonlyNumbers;
  readonly jobTask: ReadonlyNumbers;
}

/** A port's configuration, queue and bins, read-only. */
export interface PortView extends Pick<PortState, 'index' | 'cfg' | 'cell' | 'queueLimit' | 'approach' | 'minCycleTicks' | 'opBin' | 'presentations'> {
  readonly queue: readonly number[];
  readonly waiting: readonly number[];
  readonly inBins: readonly number[];
  readonly outBins: readonly number[];
}

export interface WorldView {
  readonly cfg: Readonly<WorldConfig>;
  readonly tick: number;
  readonly tickSeconds: number;
  readonly grid: GridView;
  readonly robots: RobotsView;
  readonly ports: readonly PortView[];
  /** Bin locations: stack cell and level, or the robot carrying it, or the port holding it (-1: not there). */
  readonly binCell: ReadonlyNumbers;
  readonly binLevel: ReadonlyNumbers;
  readonly binRobot: ReadonlyNumbers;
  readonly binPort: ReadonlyNumbers;
  /** 1 while a fetch is heading for the bin. */
  readonly binTargeted: ReadonlyNumbers;
  /** Does a robot stand or park on `cell`, or is one heading for it? */
  cellClaimed(cell: number): boolean;
}
