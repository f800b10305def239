/**
 * The wire protocol between the live server (wcs/server) and the viewer (viewer/): message types for the
 * WebSocket stream `/ws` and the REST API. Shared as types only; both sides import this file. Versioned:
 * every stream message carries `v: PROTOCOL_VERSION`; a viewer that sees another version reloads.
 *
 * Stream: on connect the server sends a `snapshot` (everything needed to draw), then `frame`s holding
 * only what changed since the last message that client received. A client that falls behind (its socket
 * buffer above a limit) misses frames and gets a fresh snapshot when it has drained.
 */

export const PROTOCOL_VERSION = 1;

/** What a robot is doing, as the viewer colours it. */
export const ROBOT_STATES = ['idle', 'toBin', 'digging', 'carrying', 'queueing', 'returning', 'charging', 'parking'] as const;
export type RobotState = (typeof ROBOT_STATES)[number];

/** Cell kinds by code (as in sim/config.ts CellKind): storage, port, buffer, charger, blocked, street. */
export const CELL_KINDS = ['storage', 'port', 'buffer', 'charger', 'blocked', 'street'] as const;

/**
 * One robot in a message: [id, x, y, state, bin, heading]. x and y are the robot's centre in cell units
 * (cell (3,4) has its centre at 3,4), to 2 decimals; state indexes ROBOT_STATES; bin is -1 when empty;
 * heading is the direction of travel: 0 east (+x), 1 west, 2 south (+y), 3 north.
 */
export type RobotRecord = [id: number, x: number, y: number, state: number, bin: number, heading: number];

/** One stack in a message: [cell index (y * width + x), height]. */
export type StackRecord = [cell: number, height: number];

/** One port in a message: [index, robots in queue, robots waiting to be admitted, bins inside, presenting (1/0), presentations]. */
export type PortRecord = [index: number, queue: number, waiting: number, binsInside: number, presenting: number, presentations: number];

/** Live KPIs, sent in the snapshot and about once per simulated minute of stream (and on request). */
export interface LiveKpis {
  tick: number;
  simSeconds: number;
  binPresentations: number;
  /** Over the last simulated 10 minutes (or since start, if shorter). */
  binPresentationsPerHour: number;
  /** Per port, utilization since start (0..1), index order. */
  portUtilization: number[];
  /** Fleet time shares since start, by category name (movingEmpty, movingLoaded, digging, ...). */
  robotTime: Record<string, number>;
  robotUtilization: number;
  collisions: number;
  stuckRobots: number;
  /**
   * Achieved simulated seconds per wall second over the last 2 wall seconds at the current speed (below
   * the requested speed when the machine cannot keep up); 0 while paused.
   */
  actualSpeed: number;
}

export interface ScenarioInfo {
  name: string;
  description: string;
  width: number;
  depth: number;
  /** Max bins per stack. */
  height: number;
  pitchX: number;
  pitchY: number;
  tickSeconds: number;
  /** Cell kind codes, row-major (index y * width + x), see CELL_KINDS. */
  kinds: number[];
  ports: { id: string; type: string; x: number; y: number; buffer: [number, number][] }[];
  robots: number;
  bins: number;
}

export interface ControlState {
  paused: boolean;
  /** Requested simulated seconds per wall second (1-1000). */
  speed: number;
}

export interface SnapshotMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'snapshot';
  scenario: ScenarioInfo;
  control: ControlState;
  tick: number;
  simSeconds: number;
  robots: RobotRecord[];
  /** Height of every stack, row-major. */
  stacks: number[];
  ports: PortRecord[];
  kpis: LiveKpis;
}

export interface FrameMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'frame';
  tick: number;
  simSeconds: number;
  /** Robots that moved or changed state or bin since this client's last message. */
  robots: RobotRecord[];
  stacks: StackRecord[];
  ports: PortRecord[];
  /** Present when KPIs were recomputed. */
  kpis?: LiveKpis;
  /** Present when pause or speed changed. */
  control?: ControlState;
}

export type ServerMessage = SnapshotMessage | FrameMessage;

// ---- REST --------------------------------------------------------------------------------------------

/**
 * GET /api/health: answered by the server's thread at once, from the latest state the simulation (in
 * its own thread) posted. `status` is `error` when the simulation has stopped: an error in a tick, or its
 * thread died; `error` says which. Loading a scenario starts it again.
 */
export interface HealthResponse {
  status: 'ok' | 'error'; version: string; protocol: number; scenario: string; tick: number; clients: number; error?: string;
}

/**
 * POST /api/control body: one action, with only its own fields. `step` (1-36,000 ticks, default 1) only
 * while paused; it runs in slices and is answered when done (see ControlResponse).
 */
export type ControlRequest =
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'step'; ticks?: number }
  | { action: 'speed'; speed: number };

/**
 * POST /api/control answer: the control state; after a step also the tick reached and the ticks run
 * (fewer than asked when a resume or a scenario load ended the step early).
 */
export interface ControlResponse extends ControlState { tick?: number; ticks?: number }

/** POST /api/scenario body: load a scenario of the library by name (file name without .json). */
export interface LoadScenarioRequest { name: string }

/** GET /api/robots/:id */
export interface RobotDetail {
  id: number;
  x: number;
  y: number;
  state: RobotState;
  job: 'none' | 'fetch' | 'collect' | 'park';
  /** Bin task id (WCS), or -1. */
  task: number;
  bin: number;
  /** Target bin of the job, or -1. */
  targetBin: number;
  port: string | null;
  /** Remaining planned path as cells [x, y], starting where the robot is. */
  path: [number, number][];
}

/**
 * Where a bin is now (order mode, GET /api/inventory/:sku and GET /api/orders/:id/where): in a stack at
 * cell (x, y), `depth` bins below the top (0: on top); on a robot (x, y: the robot's position); or at a
 * port (x, y: the port's cell). `task`: the bin task that will bring it to a port, with the robot sent to
 * fetch it (null: none yet) and that port's id.
 */
export interface BinWhere {
  bin: number;
  at: 'stack' | 'robot' | 'port' | 'unknown';
  x: number | null;
  y: number | null;
  depth?: number;
  robot?: number;
  port?: string;
  task?: { robot: number | null; port: string | null };
}

/** A SKU's units in one bin, with where that bin is. */
export interface SkuBin extends BinWhere { onHand: number; reserved: number }

/**
 * A customer line in the WCS (GET /api/orders/:id/where): its pick list's lines as the WCS holds them
 * (a line split over bins is several), each with its state in the WCS and its bin, or `inWcs: false`
 * when the WCS does not hold it (not released yet, done, or withdrawn).
 */
export interface PickListWhere {
  list: number;
  inWcs: boolean;
  lines: { sku: number; qty: number; state: string; bin: BinWhere | null }[];
}

/** GET /api/ports/:id */
export interface PortDetail {
  id: string;
  type: string;
  x: number;
  y: number;
  queue: number[];
  waiting: number[];
  binsInside: number;
  presenting: number;
  presentations: number;
  utilization: number;
  /** Presentations per hour over the last 10 simulated minutes. */
  perHour: number;
}

/**
 * The named error codes: BAD_REQUEST is a schema violation; SCENARIO_INVALID a library file that does not
 * validate; UNAUTHORIZED a write without the server's token; FORBIDDEN_HOST a write without a token
 * through a Host name that is not loopback; NOT_FOUND a route that does not exist; SIM_FAULT (409) a
 * control action on a simulation an error stopped (load a scenario); SIM_UNAVAILABLE (503) the
 * simulation's thread did not answer in time, or is not running.
 */
export type ApiErrorCode = 'BAD_REQUEST' | 'INVALID_JSON' | 'EMPTY_BODY' | 'UNSUPPORTED_MEDIA_TYPE' | 'BAD_CONTENT_LENGTH'
  | 'BODY_TOO_LARGE' | 'NOT_FOUND' | 'NO_SUCH_ROBOT' | 'NO_SUCH_PORT' | 'UNKNOWN_SCENARIO' | 'SCENARIO_INVALID' | 'NOT_PAUSED'
  | 'STEP_RUNNING' | 'SIM_FAULT' | 'SIM_UNAVAILABLE' | 'UNAUTHORIZED' | 'FORBIDDEN_HOST' | 'UPGRADE_REQUIRED' | 'INTERNAL'
  | 'NO_SUCH_ORDER' | 'UNKNOWN_SKU' | 'INSUFFICIENT_STOCK' | 'ID_CONFLICT' | 'LINE_NOT_CANCELLABLE' | 'ORDER_FINISHED'
  | 'ORDER_NOT_COMPLETE' | 'WRONG_HANDOVER' | 'NO_SUCH_HOLD' | 'ADJUST_BELOW_RESERVED';

/**
 * Body of every error answer (4xx and 5xx, the same shape for all): a named code, the field at fault if
 * any (a dotted path in the body, a route parameter, a header, or for SCENARIO_INVALID the field of the
 * scenario file) and a message saying what is wrong, led by that field when there is one.
 */
export interface ApiError { statusCode: number; code: ApiErrorCode; field?: string; message: string }

/**
 * Order events, to clients that sent `{"subscribe":"orders"}` on the stream (`{"unsubscribe":"orders"}`
 * stops them): every state change of orders and their lines, batched per frame. `missed` counts events a
 * slow client did not get.
 */
export interface OrdersMessage {
  type: 'orders';
  v: number;
  missed?: number;
  events: readonly { seq: number; at: number; orderId: string; line?: number; type: string; from?: string; to: string }[];
}
