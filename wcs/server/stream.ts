/**
 * The live stream: drives the LiveSim on a wall-clock timer and fans its frames out to every WebSocket
 * client. One shared diff per frame; a client whose socket buffer is above `highWater` misses frames
 * (nothing is queued for it) and gets a fresh snapshot once it has drained below `lowWater`. So a slow
 * client never makes the server buffer without bound, and the simulation never waits for anyone.
 */
import type { WebSocket } from 'ws';
import type { ControlState, ServerMessage } from '../protocol.ts';
import type { LiveSim } from './live.ts';

interface Client {
  ws: WebSocket;
  /** Needs a snapshot before frames make sense again (new, or missed a frame). */
  resync: boolean;
  bytes: number;
  framesSent: number;
  framesDropped: number;
  since: number;
}

export interface StreamOptions {
  /** Frames per wall second. */
  fps: number;
  /** Wall milliseconds per frame the simulation may use (at 20 fps, 35 of every 50). */
  budgetMs: number;
  /** Wall milliseconds per slice of a long step (the event loop runs between slices). */
  stepSliceMs: number;
  highWater: number;
  lowWater: number;
  /** Send KPIs every this many frames. */
  kpiEvery: number;
  now: () => number;
}

export const DEFAULT_STREAM: StreamOptions = {
  fps: 20, budgetMs: 35, stepSliceMs: 10, highWater: 1 << 20, lowWater: 1 << 16, kpiEvery: 10, now: () => performance.now(),
};

/** Client statistics for the health endpoint and tests. */
export interface ClientStats { bytes: number; framesSent: number; framesDropped: number; bufferedAmount: number; seconds: number }

export class StreamHub {
  sim: LiveSim;
  readonly opts: StreamOptions;
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;
  /** When the last frame started (NaN before the first: a first frame driven by hand owes nothing). */
  private last = NaN;
  private frameNo = 0;
  private pendingControl: ControlState | undefined;
  /** Wall milliseconds the last frames took (simulation + encoding), for the health endpoint. */
  lastFrameMs = 0;

  constructor(sim: LiveSim, opts: Partial<StreamOptions> = {}) {
    this.sim = sim;
    this.opts = { ...DEFAULT_STREAM, ...opts };
  }

  start(): void {
    if (this.timer) return;
    this.last = this.opts.now();
    this.timer = setInterval(() => this.tick(), 1000 / this.opts.fps);
  }

  stop(): void {
    this.sim.cancelStep();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const c of this.clients) c.ws.close(1001, 'server stopping');
    this.clients.clear();
  }

  /** Replace the simulation (a scenario was loaded): every client gets a snapshot of the new one. */
  replace(sim: LiveSim): void {
    // A step still running belongs to the old simulation: end it (its request answers with what ran).
    this.sim.cancelStep();
    this.sim = sim;
    for (const c of this.clients) c.resync = true;
  }

  /** Announce a control change (pause, speed) in the next frame. */
  controlChanged(): void {
    this.pendingControl = { ...this.sim.control };
  }

  add(ws: WebSocket): void {
    const c: Client = { ws, resync: true, bytes: 0, framesSent: 0, framesDropped: 0, since: this.opts.now() };
    this.clients.add(c);
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => this.clients.delete(c));
    // The first snapshot goes out with the next frame, when the shared diff state is current.
  }

  get clientCount(): number { return this.clients.size; }

  stats(): ClientStats[] {
    const now = this.opts.now();
    return [...this.clients].map((c) => ({ bytes: c.bytes, framesSent: c.framesSent, framesDropped: c.framesDropped,
      bufferedAmount: c.ws.bufferedAmount, seconds: (now - c.since) / 1000 }));
  }

  /** One frame: advance the simulation, diff, send. Public so tests can drive it without a timer. */
  tick(): void {
    const t0 = this.opts.now();
    // The real time since the last frame, late timers included: the simulation bounds what it owes for
    // a long gap itself, and counts the whole gap in the speed it reports.
    const dt = Number.isNaN(this.last) ? 0 : t0 - this.last;
    this.last = t0;
    this.sim.advance(dt, this.opts.budgetMs, this.opts.now);
    this.frameNo++;
    const frame = this.sim.frame(this.frameNo % this.opts.kpiEvery === 0, this.pendingControl);
    this.pendingControl = undefined;
    let frameText: string | undefined;
    let snapText: string | undefined;
    for (const c of this.clients) {
      if (c.ws.readyState !== 1) continue;
      if (c.ws.bufferedAmount > this.opts.highWater) {
        // Falling behind: send nothing more until it drains, then start over from a snapshot.
        c.framesDropped++;
        c.resync = true;
        continue;
      }
      if (c.resync) {
        if (c.ws.bufferedAmount > this.opts.lowWater) { c.framesDropped++; continue; }
        snapText ??= JSON.stringify(this.sim.snapshot() satisfies ServerMessage);
        this.send(c, snapText);
        c.resync = false;
        continue;
      }
      frameText ??= JSON.stringify(frame satisfies ServerMessage);
      this.send(c, frameText);
    }
    this.lastFrameMs = this.opts.now() - t0;
  }

  private send(c: Client, text: string): void {
    c.ws.send(text);
    c.bytes += Buffer.byteLength(text);
    c.framesSent++;
  }
}
