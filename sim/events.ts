/**
 * What the world tells the outside after each step. The warehouse control reacts to job events; the
 * runner turns occupancy and bin events into the trace. Plain objects: they are made only when something
 * happens, never per robot per tick.
 */
export type WorldEvent =
  /** A robot finished its job and is free. */
  | { type: 'jobDone'; robot: number; task: number; tick: number }
  /** A fetch lifted its bin out of the grid. */
  | { type: 'fetched'; robot: number; task: number; bin: number; depth: number; tick: number }
  /** A bin reached the operator position of a port. */
  | { type: 'presented'; port: number; bin: number; tick: number }
  /** The operator finished with a bin; it moves to the port's output. */
  | { type: 'presentDone'; port: number; bin: number; tick: number }
  /** A robot took a finished bin out of a port. */
  | { type: 'collected'; robot: number; port: number; bin: number; tick: number }
  /** A bin from a port is back on a stack. */
  | { type: 'returned'; robot: number; bin: number; cell: number; tick: number }
  /** Trace: robot held `cell` over [from, to) ticks. */
  | { type: 'occupy'; robot: number; cell: number; from: number; to: number }
  /** Trace: a bin lifted or dropped by a robot (level -1 at a port). */
  | { type: 'bin'; bin: number; op: 'lift' | 'drop'; robot: number; cell: number; level: number; tick: number }
  /** Two robots in one cell (must never happen). */
  | { type: 'collision'; tick: number; cell: number; robots: [number, number] }
  /** The watchdog saw a robot with a goal and no progress for over 60 simulated seconds. */
  | { type: 'stuck'; robot: number; tick: number; cell: number };

/** A rectangle of grid cells, bounds included. */
export interface Area { x0: number; y0: number; x1: number; y1: number }

/** What the warehouse control asks of the world. */
export type Command =
  /**
   * Fetch `bin` (digging as needed) and bring it to `port`; `task` is echoed in events. `lines` and
   * `units`: the order lines and units to pick from it there (the operator's work; 0 when absent).
   */
  | { type: 'fetch'; robot: number; bin: number; port: number; task: number; lines?: number; units?: number }
  /** The work waiting for `bin` at its port changed (lines joined or left its task after the fetch). */
  | { type: 'work'; bin: number; lines: number; units: number }
  /** Go to `port` and take a finished bin back into the grid. */
  | { type: 'collect'; robot: number; port: number; task: number }
  /** Drive to `cell` and park. */
  | { type: 'park'; robot: number; cell: number }
  /**
   * Where `bins` go back to from a port: the cheapest stack with room inside `area`, or, when it has none,
   * anywhere (null: anywhere, the default).
   */
  | { type: 'home'; bins: readonly number[]; area: Area | null }
  /**
   * Where robots not yet admitted to `port`'s queue wait: the first of `cells` (parking cells, the most
   * preferred first) that is free when one is needed; none free, or no cells (the default): where they stand.
   */
  | { type: 'staging'; port: number; cells: readonly number[] };
