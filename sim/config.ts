/**
 * The physical configuration of a world: everything sim/ needs to build a grid, its robots, ports and
 * bins. Produced from a scenario file by wcs/scenario (which applies defaults and validates); sim/ never
 * reads files. All lengths in metres, all durations in seconds (converted to integer ticks by the world).
 */

/** Cell kinds. Stored per cell in a Uint8Array. */
export const enum CellKind {
  Storage = 0,
  Port = 1,
  Buffer = 2,
  Charger = 3,
  Blocked = 4,
  /** A cell beside a port or buffer cell: kept free for driving (no stack, no parking). */
  Street = 5,
}

/** Robot kinematics. Loaded values apply while the robot carries a bin. */
export interface RobotModel {
  name: string;
  topSpeed: number;          // m/s, empty
  topSpeedLoaded: number;    // m/s
  accel: number;             // m/s², empty
  decel: number;             // m/s², empty
  accelLoaded: number;       // m/s²
  decelLoaded: number;       // m/s²
  wheelSwitchSeconds: number;// stop-and-change between x and y travel
  liftSpeed: number;         // gripper m/s
  gripSeconds: number;       // fixed grip/release + settle time per lift or lower
}

/** One stage of the operator's work: a seeded lognormal with this mean and coefficient of variation. */
export interface StageTime {
  meanSeconds: number;
  cv: number;
}

/**
 * The operator at a port: a presentation takes the bin exchange (the next bin into the pick position and
 * identified) plus, for each order line picked from the bin, a line time, plus a unit time per unit;
 * each stage drawn on its own, and the whole at least `minSeconds`. An unstaffed station presents nothing
 * (the warehouse control sends it no work).
 */
export interface StationModel {
  exchange: StageTime;
  line: StageTime;
  unit: StageTime;
  minSeconds: number;
  staffed: boolean;
}

export type PortType = 'conveyor' | 'carousel';

export interface PortConfig {
  id: string;
  type: PortType;
  /** The cell a robot stands on to lower a bin into the port or lift one out. */
  x: number;
  y: number;
  /** Buffer cells, ordered from the port outwards: where queued robots wait. */
  buffer: { x: number; y: number }[];
  /** Robots allowed in the port's queue (over the port cell and its buffer cells). */
  queueLimit: number;
  /** Bins the port holds at once (input, operator, output positions). */
  binPositions: number;
  /** Minimum time between two presentations at the operator position. */
  minCycleSeconds: number;
  /** Time for a bin to move between the robot position and the operator position. */
  transferSeconds: number;
  /** Depth in metres from the grid top to the port's bin hand-over level (gripper travel). */
  handoverDepth: number;
  station: StationModel;
}

export interface WorldConfig {
  name: string;
  seed: number;
  tickSeconds: number;
  width: number;
  depth: number;
  /** Maximum bins per stack. */
  height: number;
  pitchX: number;
  pitchY: number;
  binHeight: number;
  /** Cells that are not storage: blocked, chargers. Ports and buffers come from `ports`. */
  blocked: { x: number; y: number }[];
  chargers: { x: number; y: number }[];
  robotCount: number;
  robotModel: RobotModel;
  ports: PortConfig[];
  binCount: number;
  /** How bins dug out of the way are placed: 'nearest' stack top with room. */
  digPolicy: 'nearest';
}

/** R5 (Red Line) defaults, see ../shared reference autostore.md. */
export const R5: RobotModel = {
  name: 'R5',
  topSpeed: 3.1,
  topSpeedLoaded: 3.1,
  accel: 0.8,
  decel: 0.8,
  accelLoaded: 0.8,
  decelLoaded: 0.8,
  wheelSwitchSeconds: 1.5,
  liftSpeed: 1.6,
  gripSeconds: 1.2,
};
