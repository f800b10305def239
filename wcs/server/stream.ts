/**
 * The live stream: fans the simulation's frames out to every WebSocket client. The frames come from the
 * simulation host (./sim-host.ts, in its worker thread) as the JSON text to send, one shared diff per
 * frame, through the SimClient (./sim-client.ts). A client whose socket buffer is above `highWater`
 * misses frames (nothing is queued for it) and gets a fresh snapshot once it has drained below
 * `lowWater`: the hub asks the host for one, which comes with the next frame. So a slow client never
 * makes the server buffer without bound, and the simulation never waits for anyone.
 */
import type { WebSocket } from 'ws';
import type { OrderEvent } from '../orders/records.ts';
import { PROTOCOL_VERSION, type OrdersMessage } from '../protocol.ts';
import type { SimClient } from './sim-client.ts';
import type { FrameEvent, HostOptions } from './sim-protocol.ts';

interface Client {
  ws: WebSocket;
  /** Needs a snapshot before frames make sense again (new, or missed a frame). */
  resync: boolean;
  bytes: number;
  framesSent: number;
  framesDropped: number;
  since: number;
  /** Subscribed to order events (it sent {"subscribe":"orders"}). */
  orders: boolean;
  /** Order events not sent to it for back-pressure since its last batch. */
  ordersMissed: number;
}

/** The stream's options: the host's pacing (passed on to it) and the hub's back-pressure. */
export interface StreamOptions extends HostOptions {
  highWater: number;
  lowWater: number;
  /** The clock: client statistics; also the host's when it runs in-process (a worker keeps its own). */
  now: () => number;
}

export const DEFAULT_STREAM: Omit<StreamOptions, keyof HostOptions> = {
  highWater: 1 << 20, lowWater: 1 << 16, now: () => performance.now(),
};

/** Client statistics for the health endpoint and tests. */
export interface ClientStats { bytes: number; framesSent: number; framesDropped: number; bufferedAmount: number; seconds: number }

export class StreamHub {
  readonly sim: SimClient;
  readonly opts: Omit<StreamOptions, keyof HostOptions>;
  private readonly clients = new Set<Client>();
  /** Bytes of the last snapshot sent. */
  lastSnapshotBytes = 0;
  /** The simulation run the clients are following (SimState.run). */
  private run: string;

  constructor(sim: SimClient, opts: Partial<StreamOptions> = {}) {
    this.sim = sim;
    this.opts = { ...DEFAULT_STREAM, ...opts };
    this.run = sim.state.run;
    sim.onFrame = (e) => this.fanOut(e);
  }

  /** Start the simulation's pacing loop (call after listening; tests drive frames with `tick`). */
  start(): Promise<void> {
    return this.sim.start();
  }

  /** Close every client (the server is stopping). */
  stop(): void {
    for (const c of this.clients) c.ws.close(1001, 'server stopping');
    this.clients.clear();
  }

  add(ws: WebSocket): void {
    const c: Client = { ws, resync: true, bytes: 0, framesSent: 0, framesDropped: 0, since: this.opts.now(), orders: false, ordersMissed: 0 };
    this.clients.add(c);
    // The stream takes one kind of message: a subscription to order events. Anything else is ignored.
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || data.length > 64) return;
      const text = data.toString('utf8');
      if (text === '{"subscribe":"orders"}') c.orders = true;
      else if (text === '{"unsubscribe":"orders"}') c.orders = false;
    });
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => this.clients.delete(c));
    // The first snapshot comes with the next frame, when the shared diff state is current.
    this.sim.wantSnapshot();
  }

  get clientCount(): number { return this.clients.size; }

  /** Wall milliseconds the simulation's last frame took (ticks, diff, encoding). */
  get lastFrameMs(): number { return this.sim.state.frameMs; }

  stats(): ClientStats[] {
    const now = this.opts.now();
    return [...this.clients].map((c) => ({ bytes: c.bytes, framesSent: c.framesSent, framesDropped: c.framesDropped,
      bufferedAmount: c.ws.bufferedAmount, seconds: (now - c.since) / 1000 }));
  }

  /**
   * One frame by hand: the host advances (by the wall time since its last frame), diffs and posts it;
   * resolves once it has been sent to the clients. For tests and tools (the host's loop is not started).
   */
  async tick(): Promise<void> {
    await this.sim.frame();
  }

  /** Send a frame (or, to clients that need one, its snapshot). */
  private fanOut(e: FrameEvent): void {
    if (e.state.run !== this.run) {
      // A scenario was loaded: every client starts over from a snapshot of the new one (the first frame
      // after a load carries one).
      this.run = e.state.run;
      for (const c of this.clients) c.resync = true;
    }
    if (e.snapshot !== undefined) this.lastSnapshotBytes = Buffer.byteLength(e.snapshot);
    let waiting = false;
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
        if (e.snapshot === undefined) { waiting = true; continue; }
        this.send(c, e.snapshot);
        c.resync = false;
        continue;
      }
      this.send(c, e.frame);
    }
    if (waiting) this.sim.wantSnapshot();
  }

  /** Does any client want order events? (Until one does, they are not gathered.) */
  get ordersWanted(): boolean {
    for (const c of this.clients) if (c.orders) return true;
    return false;
  }

  /**
   * Order events to the clients that subscribed, as one `orders` message per batch. A client over the
   * high-water mark misses the batch; its next batch says how many events it missed.
   */
  publishOrders(events: readonly OrderEvent[]): void {
    if (events.length === 0) return;
    let text: string | undefined;
    for (const c of this.clients) {
      if (!c.orders || c.ws.readyState !== 1) continue;
      if (c.ws.bufferedAmount > this.opts.highWater) { c.ordersMissed += events.length; continue; }
      if (c.ordersMissed > 0) {
        this.send(c, JSON.stringify({ type: 'orders', v: PROTOCOL_VERSION, missed: c.ordersMissed, events } satisfies OrdersMessage));
        c.ordersMissed = 0;
        continue;
      }
      text ??= JSON.stringify({ type: 'orders', v: PROTOCOL_VERSION, events } satisfies OrdersMessage);
      this.send(c, text);
    }
  }

  private send(c: Client, text: string): void {
    c.ws.send(text);
    c.bytes += Buffer.byteLength(text);
    c.framesSent++;
  }
}
