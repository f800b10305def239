/**
 * The simulation host: owns the live simulation (./live.ts: World, Dispatcher, change tracking) and its
 * pacing loop, and serves the protocol of ./sim-protocol.ts over a channel (./sim-channel.ts). It runs
 * in the simulation's worker thread (./sim-worker.ts), so ticks, scenario loads and Thalia's first
 * dispatch never hold up the server's event loop; tests can run it in-process (SimClient.inline) or
 * drive it directly (`frame()`), on a fake clock.
 *
 * The loop: `fps` times a second a frame owes the ticks of the wall time since the last one (at the
 * requested speed) and runs them, within `budgetMs`, in slices of `sliceMs` with the event loop free in
 * between (requests are answered within about a slice); then it diffs, encodes and posts the frame with
 * the state. In a worker the budget may be most of the frame period (DEFAULT_HOST: 45 of 50 ms): the
 * thread has nothing else to do, and the server's thread answers requests meanwhile. An error in a tick stops the simulation (a fault): it is posted (`fault` event) and shown
 * in the state until a scenario is loaded, which starts over.
 */
import { randomUUID } from 'node:crypto';
import { loadScenarioFile } from '../scenario/load.ts';
import type { ControlRequest, ControlState, ServerMessage } from '../protocol.ts';
import type { Channel } from './sim-channel.ts';
import { LiveSim } from './live.ts';
import {
  SimRefusal, type ControlAnswer, type FaultEvent, type FrameEvent, type HostOptions, type HostSide,
  type LoadAnswer, type MainSide, type SimState,
} from './sim-protocol.ts';

/** Pacing defaults for a host in its own thread: it may use most of its core. */
export const DEFAULT_HOST: HostOptions = { fps: 20, budgetMs: 45, sliceMs: 10, kpiEvery: 10 };

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SimHost {
  /** The running simulation (undefined until the first load). */
  sim: LiveSim | undefined;
  readonly opts: HostOptions;
  /** Why the simulation stopped (an error in a tick), until the next load. */
  fault: string | undefined;
  /** Called with every frame and every fault (SimHost.serve posts them on the channel). */
  onFrame: (e: FrameEvent) => void = () => {};
  onFault: (e: FaultEvent) => void = () => {};
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private looping = false;
  /** When the last frame started (NaN before the first: a first frame owes nothing). */
  private last = NaN;
  private frameNo = 0;
  private framing = false;
  private pendingControl: ControlState | undefined;
  private wantSnapshot = false;
  private frameMs = 0;
  private runId = '';

  constructor(opts: Partial<HostOptions> = {}, now: () => number = () => performance.now()) {
    this.opts = { ...DEFAULT_HOST, ...opts };
    this.now = now;
  }

  /** Serve the protocol on `channel` (the host's end). */
  serve(channel: Channel<HostSide, MainSide>): this {
    this.onFrame = (e) => channel.emit('frame', e);
    this.onFault = (e) => channel.emit('fault', e);
    channel
      .handle('load', (p) => this.load(p.path, p.control, p.orders))
      .handle('stock', () => this.live().stockBySku())
      .handle('skuBins', (p) => this.live().skuBins(p.sku))
      .handle('pickLists', (p) => this.live().pickListsWhere(p.lists))
      .handle('control', (p) => this.control(p))
      .handle('robot', (p) => this.live().robotDetail(p.id))
      .handle('port', (p) => this.live().portDetail(p.index))
      .handle('snapshot', () => JSON.stringify(this.live().snapshot() satisfies ServerMessage))
      .handle('frame', async () => { await this.frame(); return this.state(); })
      .handle('start', () => { this.start(); return this.state(); })
      .handle('stop', () => { this.stop(); return this.state(); })
      .on('wantSnapshot', () => { this.wantSnapshot = true; })
      .on('pickLists', (p) => { this.sim?.addPickLists(p.lists); })
      .on('withdraw', (p) => { this.sim?.withdraw(p.list); })
      .on('stock', (p) => { this.sim?.adjustStock(p.sku, p.delta); });
    return this;
  }

  /** Load a scenario file; see HostSide.requests.load. */
  load(path: string, control?: ControlState, orders?: boolean): LoadAnswer {
    const scenario = loadScenarioFile(path);
    const next = new LiveSim(scenario, control ?? this.sim?.control ?? { paused: false, speed: 1 }, { orders });
    this.adopt(next);
    return { info: next.scenarioInfo(), state: this.state() };
  }

  /** Run `sim` from now on (the old one's step ends; the next frame carries a snapshot). */
  adopt(sim: LiveSim): void {
    this.sim?.cancelStep();
    this.sim = sim;
    this.runId = randomUUID();
    this.fault = undefined;
    this.wantSnapshot = true;
    this.pendingControl = undefined;
  }

  /** Apply a control request; see HostSide.requests.control. */
  async control(b: ControlRequest): Promise<ControlAnswer> {
    const sim = this.live();
    if (this.fault !== undefined) {
      throw new SimRefusal(409, 'SIM_FAULT', `action: the simulation stopped on an error (${this.fault}); load a scenario to start over`, 'action');
    }
    if (b.action === 'pause') sim.control.paused = true;
    else if (b.action === 'resume') {
      // Resuming ends a running step: the simulation runs in real time from where the step got to.
      sim.cancelStep();
      sim.control.paused = false;
    } else if (b.action === 'speed') sim.control.speed = b.speed;
    else {
      if (!sim.control.paused) throw new SimRefusal(409, 'NOT_PAUSED', 'action: step only while paused', 'action');
      if (sim.stepping) throw new SimRefusal(409, 'STEP_RUNNING', 'action: a step is running; wait for its answer, or resume to end it', 'action');
      // Answered when the step is done; it runs in slices, so other requests and the frames carry on.
      let ticks: number;
      try {
        ticks = await sim.stepTicks(b.ticks ?? 1, this.opts.sliceMs, this.now);
      } catch (e) {
        this.setFault(sim, e);
        throw new SimRefusal(409, 'SIM_FAULT', `action: the simulation stopped on an error during the step (${describe(e)}); load a scenario to start over`, 'action');
      }
      return { control: { ...sim.control }, tick: sim.world.tick, ticks, state: this.state() };
    }
    // Announced in the next frame.
    this.pendingControl = { ...sim.control };
    return { control: { ...sim.control }, state: this.state() };
  }

  /**
   * Start the pacing loop: a frame every 1/fps s. Each is timed from the start of the one before, so a
   * frame that runs over (a slow tick) delays the next a little instead of skipping a period.
   */
  start(): void {
    if (this.looping) return;
    this.looping = true;
    this.last = this.now();
    const period = 1000 / this.opts.fps;
    const next = (delay: number) => {
      this.timer = setTimeout(() => {
        const t0 = this.now();
        void this.frame().then(() => { if (this.looping) next(Math.max(0, period - (this.now() - t0))); });
      }, delay);
    };
    next(period);
  }

  /** Stop the pacing loop; a running step ends. */
  stop(): void {
    this.sim?.cancelStep();
    this.looping = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * One frame: run the ticks owed (in slices, within the budget), then diff, encode and post it. Does
   * nothing while another frame is still running (a slow tick), or when stopped by a fault.
   */
  async frame(): Promise<void> {
    const sim = this.sim;
    if (!sim || this.framing || this.fault !== undefined) return;
    this.framing = true;
    try {
      const t0 = this.now();
      // The real time since the last frame, late timers included: the simulation bounds what it owes
      // for a long gap itself, and counts the whole gap in the speed it reports.
      const dt = Number.isNaN(this.last) ? 0 : t0 - this.last;
      this.last = t0;
      if (sim.owe(dt)) {
        let ran = 0;
        for (;;) {
          const left = this.opts.budgetMs - (this.now() - t0);
          if (left <= 0) break;
          ran += sim.run(Math.min(this.opts.sliceMs, left), this.now);
          if (!sim.owing) break;
          await yieldToLoop();
          if (this.sim !== sim || this.fault !== undefined) return; // a load replaced it meanwhile
        }
        sim.record(dt, ran);
      }
      this.frameNo++;
      const frame = JSON.stringify(sim.frame(this.frameNo % this.opts.kpiEvery === 0, this.pendingControl) satisfies ServerMessage);
      this.pendingControl = undefined;
      let snapshot: string | undefined;
      if (this.wantSnapshot) {
        snapshot = JSON.stringify(sim.snapshot() satisfies ServerMessage);
        this.wantSnapshot = false;
      }
      this.frameMs = this.now() - t0;
      const picks = sim.picks.length > 0 ? sim.picks : undefined;
      if (picks) sim.picks = [];
      this.onFrame({ frame, snapshot, state: this.state(), ...(picks ? { picks } : {}) });
    } catch (e) {
      this.setFault(sim, e);
    } finally {
      this.framing = false;
    }
  }

  /** The state posted with frames and answers. */
  state(): SimState {
    const sim = this.live();
    const w = sim.world;
    return {
      scenario: sim.scenario.file.name, run: this.runId, tick: w.tick, simSeconds: Math.round(w.seconds * 10) / 10, control: { ...sim.control },
      stepping: sim.stepping, kpis: sim.kpis(), frameMs: this.frameMs, ...(this.fault !== undefined ? { fault: this.fault } : {}),
    };
  }

  private live(): LiveSim {
    if (!this.sim) throw new SimRefusal(503, 'SIM_UNAVAILABLE', 'no scenario is loaded: load one');
    return this.sim;
  }

  /** An error in a tick of `sim`: stop it and say so. */
  private setFault(sim: LiveSim, e: unknown): void {
    if (this.sim !== sim) return;
    const err = e instanceof Error ? e : new Error(String(e));
    this.fault = describe(err);
    sim.cancelStep();
    let state: SimState | undefined;
    try { state = this.state(); } catch { /* the world is beyond reading */ }
    this.onFault({ scenario: sim.scenario.file.name, tick: sim.world.tick, message: this.fault, stack: err.stack, state });
  }
}

/** An error as one line: its name and message. */
function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
