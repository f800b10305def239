/**
 * The main thread's side of the simulation: starts the simulation host (./sim-host.ts) in a worker
 * thread (or, for tests, in-process on the same protocol), keeps the latest state it posted, so health,
 * KPIs and the scenario are answered at once, and asks it for everything else (./sim-protocol.ts).
 *
 * The worker's failures do not take the server down: an error in a tick stops the simulation (the host
 * posts a `fault`); a worker that dies (an uncaught error, out of memory) ends its pending requests
 * with ChannelClosed. Both are logged through the server's logger and shown by `status`/`error` (health
 * says `error`) while reads go on answering from the last state; loading a scenario starts over, in a
 * new worker when the old one died.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { ControlRequest, ControlState, PickListWhere, PortDetail, RobotDetail, ScenarioInfo, SkuBin } from '../protocol.ts';
import { ScenarioError } from '../scenario/load.ts';
import { Channel, RemoteError } from './sim-channel.ts';
import { SimHost } from './sim-host.ts';
import type { PickListIn } from './live.ts';
import type { ControlAnswer, FaultEvent, FrameEvent, HostOptions, HostSide, LoadAnswer, MainSide, SimState } from './sim-protocol.ts';

/** The logger calls made (fastify's pino logger fits). */
export interface SimLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface SimClientOptions {
  /** Run the host in this thread (over a MessageChannel) instead of a worker: for tests. */
  inline?: boolean;
  host?: Partial<HostOptions>;
  /** The host's clock, in-process only (a worker always uses its own performance.now). */
  now?: () => number;
  /** How much the worker lowers its scheduling priority (Linux; 0: not at all). Default WORKER_NICE. */
  nice?: number;
  log?: SimLog;
  /** Order mode: the WCS takes its work from an order layer in this thread (./site-orders.ts). */
  orders?: boolean;
}

/** Wall milliseconds a request may wait for the host (it answers between slices of about 10 ms, or after a load or a long first tick). */
export const TIMEOUTS = { load: 120_000, control: 15_000, read: 15_000, frame: 120_000 } as const;

/**
 * Wall milliseconds per frame an in-process host spends on ticks by default: it shares the event loop
 * with the server, which keeps the rest of each 50 ms frame (a worker may use up to DEFAULT_HOST's 45).
 */
export const INLINE_BUDGET_MS = 35;

/**
 * The worker thread's niceness (Linux, per thread): the simulation yields the CPU to the server's thread
 * (requests, the stream) whenever both want it.
 */
export const WORKER_NICE = 10;

const silent: SimLog = { error: () => {}, info: () => {} };

export class SimClient {
  /** The latest state the host posted. */
  state!: SimState;
  /** The running scenario's description (posted when it was loaded). */
  info!: ScenarioInfo;
  /** Why the simulation is not running, if it is not: an error in a tick, or the worker died. */
  error: string | undefined;
  /** The host, when it runs in this thread (inline): tests may reach into it. */
  readonly inlineHost: SimHost | undefined;
  /** Called with every frame (the stream hub fans it out). */
  onFrame: (e: FrameEvent) => void = () => {};
  private channel!: Channel<MainSide, HostSide>;
  private worker: Worker | undefined;
  private closeTransport: () => void = () => {};
  /** Has the pacing loop been started (so a restarted worker starts it too)? */
  private running = false;
  private closing = false;
  private readonly log: SimLog;

  private constructor(private readonly opts: SimClientOptions) {
    this.log = opts.log ?? silent;
    if (opts.inline) {
      const { port1, port2 } = new MessageChannel();
      this.inlineHost = new SimHost({ budgetMs: INLINE_BUDGET_MS, ...opts.host }, opts.now).serve(new Channel<HostSide, MainSide>(port2));
      this.connect(new Channel<MainSide, HostSide>(port1));
      this.closeTransport = () => { this.inlineHost!.stop(); port1.close(); port2.close(); };
    } else {
      this.inlineHost = undefined;
      this.spawn();
    }
  }

  /**
   * Start the host and load the scenario file at `path` with `control`. Rejects with the scenario's
   * ScenarioError (rebuilt in this thread) when it does not validate, leaving nothing running.
   */
  static async create(path: string, control: ControlState, opts: SimClientOptions = {}): Promise<SimClient> {
    const client = new SimClient(opts);
    try {
      await client.load(path, control);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  get status(): 'ok' | 'error' { return this.error === undefined ? 'ok' : 'error'; }
  get control(): ControlState { return this.state.control; }
  get tick(): number { return this.state.tick; }
  get scenario(): string { return this.state.scenario; }
  get stepping(): boolean { return this.state.stepping; }

  /**
   * Load a scenario file (see HostSide.requests.load); in a new worker when the old one died. `control`
   * defaults to the running simulation's (as last answered).
   */
  async load(path: string, control?: ControlState): Promise<LoadAnswer> {
    let restarted = false;
    if (!this.opts.inline && !this.worker) {
      this.spawn();
      restarted = true;
    }
    let answer: LoadAnswer;
    try {
      // The control goes along: a new worker (or one whose first load failed) has none of its own.
      answer = await this.channel.request('load', { path, control: control ?? this.state?.control, orders: this.opts.orders === true }, TIMEOUTS.load);
    } catch (e) {
      if (e instanceof RemoteError && e.remoteName === 'ScenarioError') {
        const d = e.data as { field: string; expected: string; actual?: unknown; source?: string };
        throw new ScenarioError(d.field, d.expected, d.actual, d.source);
      }
      throw e;
    }
    this.info = answer.info;
    this.state = answer.state;
    this.error = undefined;
    if (restarted && this.running) this.setState(await this.channel.request('start', {}, TIMEOUTS.control));
    return answer;
  }

  /** Apply a control action (see HostSide.requests.control); a step answers when done. */
  async controlAction(req: ControlRequest): Promise<ControlAnswer> {
    const answer = await this.channel.request('control', req, req.action === 'step' ? Infinity : TIMEOUTS.control);
    this.setState(answer.state);
    return answer;
  }

  robot(id: number): Promise<RobotDetail | null> { return this.channel.request('robot', { id }, TIMEOUTS.read); }
  port(index: number): Promise<PortDetail | null> { return this.channel.request('port', { index }, TIMEOUTS.read); }
  /** A fresh snapshot, as the JSON text the stream would send. */
  snapshot(): Promise<string> { return this.channel.request('snapshot', {}, TIMEOUTS.read); }

  /** Run one frame now; resolves after its frame event was handled (onFrame). */
  async frame(): Promise<SimState> {
    const s = await this.channel.request('frame', {}, TIMEOUTS.frame);
    this.setState(s);
    return s;
  }

  /** Start the pacing loop (frames about `fps` times a second). */
  async start(): Promise<void> {
    this.running = true;
    this.setState(await this.channel.request('start', {}, TIMEOUTS.control));
  }

  /** Order mode: units on hand per SKU id in the WCS's bins now. */
  stock(): Promise<number[]> { return this.channel.request('stock', {}, TIMEOUTS.read); }
  /** Order mode: the bins holding SKU id `sku`, and where each is. */
  skuBins(sku: number): Promise<SkuBin[]> { return this.channel.request('skuBins', { sku }, TIMEOUTS.read); }
  /** Order mode: pick lists as the WCS holds them. */
  pickLists(lists: number[]): Promise<PickListWhere[]> { return this.channel.request('pickLists', { lists }, TIMEOUTS.read); }

  /** Order mode: hand pick lists to the WCS. */
  sendPickLists(lists: PickListIn[]): void { if (lists.length > 0) this.channel.emit('pickLists', { lists }); }

  /** Order mode: withdraw a pick list whose line was cancelled. */
  withdraw(list: number): void { this.channel.emit('withdraw', { list }); }

  /** Order mode: stock arrived or was corrected at SKU level. */
  adjustStock(sku: number, delta: number): void { this.channel.emit('stock', { sku, delta }); }

  /** Ask for a snapshot in the next frame (a stream client needs one). */
  wantSnapshot(): void { this.channel.emit('wantSnapshot', {}); }

  /** Stop the loop and the host (its worker ends; a running step answers with the ticks run first). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.running = false;
    try {
      if (this.inlineHost || this.worker) await this.channel.request('stop', {}, 2000);
    } catch { /* it is going anyway */ }
    // Let the answers of what the stop ended (a step's request) arrive before the channel closes.
    for (let waited = 0; this.channel.pendingCount > 0 && waited < 1000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    this.channel.close('the server is stopping');
    this.closeTransport();
  }

  /** The worker, when there is one (tests). */
  get workerThread(): Worker | undefined { return this.worker; }

  private spawn(): void {
    const worker = new Worker(new URL('../worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./sim-worker.ts', import.meta.url).href, host: this.opts.host ?? {}, nice: this.opts.nice ?? WORKER_NICE },
    });
    this.worker = worker;
    this.connect(new Channel<MainSide, HostSide>(worker));
    this.closeTransport = () => { void worker.terminate(); };
    worker.on('error', (e) => this.died(worker, `${e.name}: ${e.message}`, e.stack));
    worker.on('exit', (code) => this.died(worker, `exited with code ${code}`));
  }

  private connect(channel: Channel<MainSide, HostSide>): void {
    this.channel = channel;
    channel.on('frame', (e) => {
      this.setState(e.state);
      this.onFrame(e);
    });
    channel.on('fault', (e: FaultEvent) => {
      if (e.state) this.setState(e.state);
      this.error = e.message;
      this.log.error({ scenario: e.scenario, tick: e.tick, stack: e.stack }, `simulation stopped on an error: ${e.message} (load a scenario to start over)`);
    });
  }

  private setState(s: SimState): void {
    this.state = s;
    if (s.fault !== undefined) this.error = s.fault;
  }

  /** The worker ended (an error it did not catch, or it exited): say so; loading a scenario starts a new one. */
  private died(worker: Worker, why: string, stack?: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.channel.close(`the simulation worker stopped (${why})`);
    if (this.closing) return;
    this.error = `the simulation worker stopped: ${why}`;
    this.log.error({ stack }, `${this.error} (load a scenario to start a new one)`);
    void worker.terminate();
  }
}
