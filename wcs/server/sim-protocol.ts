/**
 * The messages between the live server's main thread and the simulation host (./sim-host.ts), which
 * runs in a worker thread (./sim-worker.ts) or, for tests, in-process on the same protocol. Carried by
 * the typed channel of ./sim-channel.ts (requests with ids and timeouts, answered exactly once; one-way
 * events; all in order).
 *
 * The host owns the World, the Dispatcher and the pacing loop. About 20 times a second it runs the
 * ticks the requested speed asks for (within a wall-time budget) and posts a `frame` event: the stream's
 * frame as the JSON text the WebSocket sends, a snapshot too when one was asked for (`wantSnapshot`) or a
 * scenario was loaded, and a compact SimState (tick, control, KPIs) from which the main thread answers
 * health, KPIs and the like without asking. Everything else is a request: loading a scenario, control
 * (pause, resume, speed, step), inspecting a robot or a port, a snapshot, one frame by hand.
 *
 * Adding messages (the order layer, later): a request the host answers goes into HostSide.requests
 * (e.g. `submitOrders(p: { orders: OrderInput[] }): { accepted: number }`) with `channel.handle(...)` in
 * SimHost.serve and a method on SimClient that calls `channel.request(...)`; an event the host sends
 * (e.g. `picks: PickConfirmation[]`) goes into HostSide.events, emitted by the host and listened to with
 * `channel.on(...)` in SimClient; a message from the main thread, into MainSide. Payloads must survive
 * structured cloning (plain data: no functions, no class instances beyond Error, typed arrays are fine).
 */
import type { PickListIn, PickNote } from './live.ts';
import type {
  ApiErrorCode, ControlRequest, ControlState, LiveKpis, PickListWhere, PortDetail, RobotDetail, ScenarioInfo, SkuBin,
} from '../protocol.ts';

/** The state the host posts with every frame (and with every answer that changes it). */
export interface SimState {
  /** Name of the running scenario (the file's `name`). */
  scenario: string;
  /** Id of the running simulation, new at every load: frames of another run are not diffs of this one. */
  run: string;
  tick: number;
  simSeconds: number;
  control: ControlState;
  /** Is a step (control action `step`) running? */
  stepping: boolean;
  kpis: LiveKpis;
  /** Wall milliseconds the host's last frame took (ticks, diff, encoding). */
  frameMs: number;
  /** Why the simulation stopped, when an error in a tick stopped it (cleared by loading a scenario). */
  fault?: string;
}

/** Event `frame`: one frame of the stream. */
export interface FrameEvent {
  /** The FrameMessage as JSON text, ready to send: what changed since the previous frame. */
  frame: string;
  /**
   * A SnapshotMessage as JSON text, taken right after this frame (so the next frames are diffs against
   * it): present when the main thread asked for one (`wantSnapshot`) and on the first frame after a load.
   */
  snapshot?: string;
  state: SimState;
  /** Order mode: pick lists the WCS started or finished since the previous frame, in order. */
  picks?: PickNote[];
}

/** Event `fault`: an error in a tick stopped the simulation (it stays stopped until a scenario is loaded). */
export interface FaultEvent {
  scenario: string; tick: number; message: string; stack?: string;
  /** The state as the error left it (absent if even that could not be read). */
  state?: SimState;
}

/** Answer of `load`: the new scenario's description and state. */
export interface LoadAnswer { info: ScenarioInfo; state: SimState }

/** Answer of `control`: the control state; after a step the tick reached and the ticks run. */
export interface ControlAnswer { control: ControlState; tick?: number; ticks?: number; state: SimState }

/** How the host paces the simulation (structured-cloned into the worker). */
export interface HostOptions {
  /** Frames per wall second. */
  fps: number;
  /** Wall milliseconds per frame the simulation may spend on ticks. */
  budgetMs: number;
  /** Wall milliseconds per slice of ticks (of a frame's budget, or of a long step); messages are handled between slices. */
  sliceMs: number;
  /** Send KPIs in the stream every this many frames. */
  kpiEvery: number;
}

/** What the host answers and announces. */
export interface HostSide {
  requests: {
    /**
     * Load (validate and build) the scenario file at `path` and run it with `control` (default: the
     * control of the running one). Fails with the ScenarioError (its data: field, expected, actual,
     * source) and leaves the running simulation untouched; else ends a running step (its request answers
     * with the ticks run), clears a fault, and the next frame carries a snapshot.
     */
    load(p: { path: string; control?: ControlState; orders?: boolean }): LoadAnswer;
    /** Order mode: units on hand per SKU id in the WCS's bins now (the order layer's opening stock). */
    stock(p: Record<string, never>): number[];
    /** Order mode: the bins holding SKU id `sku`, with units and where each bin is. */
    skuBins(p: { sku: number }): SkuBin[];
    /** Order mode: pick lists as the WCS holds them (lines, states, bins and where they are). */
    pickLists(p: { lists: number[] }): PickListWhere[];
    /**
     * Pause, resume (ends a running step), speed, or step (while paused; answered when done, after the
     * step's slices). Refused with a SimRefusal: NOT_PAUSED, STEP_RUNNING, SIM_FAULT.
     */
    control(p: ControlRequest): ControlAnswer;
    /** Robot `id`'s detail, or null when there is no such robot. */
    robot(p: { id: number }): RobotDetail | null;
    /** Port `index`'s detail (index in ScenarioInfo.ports), or null when there is no such port. */
    port(p: { index: number }): PortDetail | null;
    /** A fresh snapshot as JSON text (not part of the stream: frames stay diffs of the shared stream). */
    snapshot(p: Record<string, never>): string;
    /** Run one frame now (advance by the wall time since the last, diff, post it); for tests and tools. */
    frame(p: Record<string, never>): SimState;
    /** Start the pacing loop (fps frames a second). */
    start(p: Record<string, never>): SimState;
    /** Stop the pacing loop and end a running step. */
    stop(p: Record<string, never>): SimState;
  };
  events: { frame: FrameEvent; fault: FaultEvent };
}

/** What the main thread announces (it answers no requests yet). */
export interface MainSide {
  requests: Record<never, never>;
  events: {
    /** A client needs a snapshot: put one in the next frame. */
    wantSnapshot: Record<string, never>;
    /** Order mode: pick lists for the WCS (customer lines the order layer released). */
    pickLists: { lists: PickListIn[] };
    /** Order mode: a customer line was cancelled: withdraw its pick list. */
    withdraw: { list: number };
    /** Order mode: stock arrived (delta > 0) or was corrected (delta < 0) at SKU level. */
    stock: { sku: number; delta: number };
  };
}

/**
 * A request the host refuses as the API would (thrown by a handler; its data crosses the channel, and
 * the main thread answers it as an ApiFault with the same status, code and field).
 */
export class SimRefusal extends Error {
  constructor(readonly statusCode: number, readonly code: ApiErrorCode, message: string, readonly field?: string) {
    super(message);
    this.name = 'SimRefusal';
  }
}
