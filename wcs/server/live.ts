/**
 * The live simulation behind the server: a world and its warehouse control, paced against the wall clock
 * (the real-time adapter around the pure simulator), with the change tracking the stream needs. The
 * simulation never waits for anybody: `advance` runs as many ticks as the requested speed asks for,
 * within a wall-time budget per frame, and reports the speed it achieved; a long step runs in slices
 * that yield to the event loop, so requests are handled and frames posted meanwhile. It lives in the
 * simulation host (./sim-host.ts), in the worker thread.
 */
import { CellKind } from '../../sim/config.ts';
import { Job, Phase, Step, TIME_CATEGORIES } from '../../sim/robots.ts';
import { robotPath, robotPose } from '../../sim/view.ts';
import { World } from '../../sim/world.ts';
import { Dispatcher } from '../dispatch/dispatcher.ts';
import { PresentationMinutes, Run } from '../run/run.ts';
import { QueueFeed } from '../orders/feed.ts';
import { CHANNELS } from '../orders/records.ts';
import {
  PROTOCOL_VERSION, ROBOT_STATES, type ControlState, type FrameMessage, type LiveKpis, type PortDetail, type PortRecord,
  type RobotDetail, type RobotRecord, type RobotState, type ScenarioInfo, type SnapshotMessage, type StackRecord,
  type BinWhere, type PickListWhere, type SkuBin,
} from '../protocol.ts';
import type { LoadedScenario } from '../scenario/types.ts';

/**
 * The most tick debt carried, as wall time at the requested speed. Less than this is made up in the
 * next frames (a few slow ticks, a late timer); more is dropped: a simulation slower than requested
 * then runs as fast as its budget allows instead of piling up a debt it never pays, and a long gap (a
 * GC pause, a stalled event loop, a suspended laptop) is not followed by a burst nobody could watch.
 */
const MAX_DEBT_MS = 250;
/** Frames the achieved speed is averaged over (2 s at 20 frames a second). */
const SPEED_WINDOW = 40;

const STATE = Object.fromEntries(ROBOT_STATES.map((s, i) => [s, i])) as Record<RobotState, number>;

/** The viewer's name for what robot r is doing. */
export function robotState(w: World, r: number): RobotState {
  const R = w.robots;
  switch (R.job[r]) {
    case Job.None: return 'idle';
    case Job.Park: return 'parking';
    default: break;
  }
  switch (R.step[r]) {
    case Step.ToBin: return 'toBin';
    case Step.DigLift: case Step.DigOut: case Step.DigDrop: case Step.Lift: return 'digging';
    case Step.ToPort: return R.phase[r] === Phase.Hold ? 'queueing' : R.bin[r]! >= 0 ? 'carrying' : 'toBin';
    case Step.PortDrop: case Step.PortPick: return 'queueing';
    case Step.Return: case Step.ReturnDrop: return 'returning';
    default: return 'idle';
  }
}

/** A pick list from the order layer: one customer line (`list` is the order layer's number for it). */
export interface PickListIn { list: number; sku: number; qty: number; channel: string }

/** What the WCS did with a pick list: started (its bin is on the way), or done with the units picked per bin. */
export interface PickNote { list: number; started?: true; picked?: number; bins?: { bin: number; qty: number }[] }

export class LiveSim {
  readonly scenario: LoadedScenario;
  readonly world: World;
  readonly dispatcher: Dispatcher;
  readonly control: ControlState;
  /** The world under its dispatcher (wcs/run/run.ts). */
  readonly ticks: Run;
  private tickDebt = 0;
  /** Presentations per simulated minute, for the rolling rates. */
  private readonly minutes: PresentationMinutes;
  /** Per frame: [wall milliseconds, simulated seconds], the last SPEED_WINDOW frames at `sampledSpeed`. */
  private speedSamples: [number, number][] = [];
  private sampledSpeed = NaN;
  /** The step in progress, if any (see stepTicks). */
  private stepJob: { cancelled: boolean } | undefined;
  /** What was last sent in the shared stream (frames are diffs against it). */
  private readonly sentX: Float32Array;
  private readonly sentY: Float32Array;
  private readonly sentState: Int8Array;
  private readonly sentBin: Int32Array;
  private readonly heading: Int8Array;
  private readonly sentStacks: Uint8Array;
  private sentPorts: string[];
  private readonly pose = new Float64Array(3);

  /**
   * With an order layer (`orders`), the WCS takes its work from the order layer's pick lists (a
   * QueueFeed) and notes every pick list started and done for it; without, from the scenario's profile.
   */
  readonly feed: QueueFeed | undefined;
  /** Pick lists started or done since the last frame (order mode): the frame carries them. */
  picks: PickNote[] = [];

  constructor(scenario: LoadedScenario, control: ControlState, opts: { orders?: boolean } = {}) {
    this.scenario = scenario;
    this.world = new World(scenario.world);
    this.feed = opts.orders ? new QueueFeed(CHANNELS) : undefined;
    this.dispatcher = new Dispatcher(this.world, scenario.wcs, undefined, this.feed);
    if (this.feed) {
      this.dispatcher.reporter = {
        started: (list) => { this.picks.push({ list, started: true }); },
        done: (list, picked, bins) => { this.picks.push({ list, picked, bins: bins.map((b) => ({ ...b })) }); },
      };
    }
    this.control = { ...control };
    const n = this.world.robots.count;
    this.sentX = new Float32Array(n).fill(NaN);
    this.sentY = new Float32Array(n).fill(NaN);
    this.sentState = new Int8Array(n).fill(-1);
    this.sentBin = new Int32Array(n).fill(-2);
    this.heading = new Int8Array(n);
    this.sentStacks = Uint8Array.from(this.world.grid.stackHeight);
    this.sentPorts = this.world.ports.map(() => '');
    this.ticks = new Run(this.world, this.dispatcher);
    this.minutes = new PresentationMinutes(this.world);
    this.ticks.observe(this.minutes.observer);
  }

  /** Pick lists from the order layer: each arrives at the WCS at the next tick. */
  addPickLists(lists: readonly PickListIn[]): void {
    for (const l of lists) this.feed?.push({ id: l.list, channel: l.channel, createdTick: this.world.tick, lines: [{ sku: l.sku, qty: l.qty }] });
  }

  /** The order layer cancelled a pick list's line. */
  withdraw(list: number): void { this.dispatcher.withdraw(list, this.world.tick); }

  /**
   * Stock that arrived (positive) or was found missing (negative) at SKU level: into the bin of the SKU
   * with the least on hand, or out of the bins with the most free units.
   */
  adjustStock(sku: number, delta: number): void {
    const inv = this.dispatcher.inventory;
    if (delta > 0) { inv.replenish(inv.emptiestBin(sku), sku, delta); return; }
    let left = -delta;
    for (const bin of inv.binsWithSku(sku)) {
      const take = Math.min(left, inv.availableInBin(bin, sku));
      if (take <= 0) continue;
      inv.reserve(bin, sku, take);
      inv.pick(bin, sku, take);
      left -= take;
      if (left === 0) break;
    }
  }

  /** Units on hand per SKU over all bins (the WCS's stock), for the order layer's opening stock. */
  stockBySku(): number[] {
    const inv = this.dispatcher.inventory;
    const out = new Array<number>(inv.skus).fill(0);
    for (let slot = 0; slot < inv.slotSku.length; slot++) {
      const sku = inv.slotSku[slot]!;
      if (sku >= 0) out[sku]! += inv.onHand[slot]!;
    }
    return out;
  }

  /** Run one tick of the simulation and its control. */
  stepOnce(): void {
    this.ticks.tick();
  }

  /**
   * Advance by `wallMs` of wall time (the real time since the last call) at the requested speed,
   * spending at most `budgetMs` of wall time (measured with `now`) on ticks. Ticks the budget leaves
   * undone carry over, up to MAX_DEBT_MS worth. The achieved speed (kpis().actualSpeed) is what
   * happened: simulated seconds run over the wall time that passed, gaps included. The same as
   * `owe(wallMs)`, `run(budgetMs, now)` and `record(wallMs, ran)`, which a caller running a frame's
   * ticks in slices (yielding in between) calls itself.
   */
  advance(wallMs: number, budgetMs: number, now: () => number): number {
    if (!this.owe(wallMs)) return 0;
    const ran = this.run(budgetMs, now);
    this.record(wallMs, ran);
    return ran;
  }

  /**
   * Start a frame: owe the ticks `wallMs` of wall time asks for at the requested speed (with what is
   * carried, capped at MAX_DEBT_MS worth). False while paused (nothing owed, nothing to record).
   */
  owe(wallMs: number): boolean {
    if (this.control.paused) {
      // Time spent paused is neither owed nor part of the achieved speed.
      this.tickDebt = 0;
      this.speedSamples = [];
      return false;
    }
    if (this.control.speed !== this.sampledSpeed) {
      // A new speed was asked for: report what it achieves, not an average with the old one.
      this.speedSamples = [];
      this.sampledSpeed = this.control.speed;
    }
    const ticksPerMs = this.control.speed / 1000 / this.world.tickSeconds;
    this.tickDebt = Math.min(this.tickDebt + ticksPerMs * Math.max(0, wallMs), ticksPerMs * MAX_DEBT_MS);
    return true;
  }

  /** Run owed ticks for at most `budgetMs` of wall time (measured with `now`), not while paused; the ticks run. */
  run(budgetMs: number, now: () => number): number {
    const t0 = now();
    let ran = 0;
    while (this.tickDebt >= 1 && !this.control.paused && now() - t0 < budgetMs) {
      this.stepOnce();
      this.tickDebt--;
      ran++;
    }
    return ran;
  }

  /** Are whole ticks owed? */
  get owing(): boolean { return this.tickDebt >= 1 && !this.control.paused; }

  /** End a frame of `wallMs` in which `ran` ticks ran: a sample of the achieved speed. */
  record(wallMs: number, ran: number): void {
    this.speedSamples.push([Math.max(0, wallMs), ran * this.world.tickSeconds]);
    if (this.speedSamples.length > SPEED_WINDOW) this.speedSamples.shift();
  }

  /** Is a step (stepTicks) in progress? */
  get stepping(): boolean { return this.stepJob !== undefined; }

  /**
   * Run n ticks now (the step control, while paused) in slices of about `sliceMs` of wall time (measured
   * with `now`), yielding to the event loop between slices (setImmediate) so requests are answered and
   * frames streamed while a long step runs. Resolves with the ticks run: n, or fewer when cancelStep()
   * ended it early. One step at a time: throws while another runs.
   */
  async stepTicks(n: number, sliceMs: number, now: () => number): Promise<number> {
    if (this.stepJob) throw new Error('a step is already running');
    const job = { cancelled: false };
    this.stepJob = job;
    let ran = 0;
    try {
      for (;;) {
        const t0 = now();
        while (ran < n && !job.cancelled) {
          this.stepOnce();
          ran++;
          if (now() - t0 >= sliceMs) break;
        }
        if (ran >= n || job.cancelled) return ran;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.stepJob = undefined;
    }
  }

  /** End the running step (if any) after its current slice. */
  cancelStep(): void {
    if (this.stepJob) this.stepJob.cancelled = true;
  }

  scenarioInfo(): ScenarioInfo {
    const w = this.world;
    const f = this.scenario.file;
    return {
      name: f.name, description: f.description ?? '', width: w.grid.width, depth: w.grid.depth, height: w.grid.height,
      pitchX: w.grid.pitchX, pitchY: w.grid.pitchY, tickSeconds: w.tickSeconds, kinds: Array.from(w.grid.kind),
      ports: w.cfg.ports.map((p) => ({ id: p.id, type: p.type, x: p.x, y: p.y, buffer: p.buffer.map((b) => [b.x, b.y] as [number, number]) })),
      robots: w.robots.count, bins: w.binCell.length,
    };
  }

  kpis(): LiveKpis {
    const w = this.world;
    const minutes = this.minutes.total.length;
    const recent = this.minutes.total.reduce((a, b) => a + b, 0) + this.minutes.currentTotal(w);
    const window = minutes * 60 + (w.tick % Math.round(60 / w.tickSeconds)) * w.tickSeconds;
    const fleet = w.robots.count * Math.max(1, w.tick);
    const robotTime: Record<string, number> = {};
    TIME_CATEGORIES.forEach((c, i) => { robotTime[c] = round(w.counters.timeTicks[i]! / fleet, 4); });
    const wall = this.speedSamples.reduce((a, s) => a + s[0], 0);
    const sim = this.speedSamples.reduce((a, s) => a + s[1], 0);
    return {
      tick: w.tick, simSeconds: round(w.seconds, 1), binPresentations: w.counters.presentations,
      binPresentationsPerHour: window > 0 ? Math.round((recent * 3600) / window) : 0,
      portUtilization: w.ports.map((p) => round(p.busyTicks / Math.max(1, w.tick), 4)),
      robotTime, robotUtilization: round(w.counters.busyTicks / fleet, 4), collisions: w.counters.collisions,
      stuckRobots: w.robots.stuck.reduce((a, b) => a + b, 0),
      actualSpeed: wall > 0 && !this.control.paused ? round((sim * 1000) / wall, 1) : 0,
    };
  }

  /** Presentations per hour of port i over the last 10 simulated minutes. */
  portRate(i: number): number {
    const a = this.minutes.perPort[i]!;
    const w = this.world;
    const window = a.length * 60 + (w.tick % Math.round(60 / w.tickSeconds)) * w.tickSeconds;
    return window > 0 ? Math.round(((a.reduce((x, y) => x + y, 0) + this.minutes.current(w, i)) * 3600) / window) : 0;
  }

  private robotRecord(r: number): RobotRecord {
    const w = this.world;
    robotPose(w, r, this.pose);
    if (this.pose[2]! >= 0) this.heading[r] = this.pose[2]!;
    return [r, round(this.pose[0]!, 2), round(this.pose[1]!, 2), STATE[robotState(w, r)], w.robots.bin[r]!, this.heading[r]!];
  }

  private portRecord(i: number): PortRecord {
    const p = this.world.ports[i]!;
    return [i, p.queue.length, p.waiting.length, p.binsInside(), p.opBin >= 0 ? 1 : 0, p.presentations];
  }

  /** Everything a new client needs; also resets nothing (frames stay diffs of the shared stream). */
  snapshot(): SnapshotMessage {
    const w = this.world;
    const robots: RobotRecord[] = [];
    for (let r = 0; r < w.robots.count; r++) robots.push(this.robotRecord(r));
    return {
      v: PROTOCOL_VERSION, type: 'snapshot', scenario: this.scenarioInfo(), control: { ...this.control },
      tick: w.tick, simSeconds: round(w.seconds, 1), robots, stacks: Array.from(w.grid.stackHeight),
      ports: w.ports.map((_, i) => this.portRecord(i)), kpis: this.kpis(),
    };
  }

  /**
   * The changes since the last frame of the shared stream, and mark them sent. Robots count as moved
   * when their centre moved by 0.01 cell or more, or their state or bin changed.
   */
  frame(withKpis: boolean, control?: ControlState): FrameMessage {
    const w = this.world;
    const robots: RobotRecord[] = [];
    for (let r = 0; r < w.robots.count; r++) {
      const rec = this.robotRecord(r);
      if (Math.abs(rec[1] - this.sentX[r]!) < 0.01 && Math.abs(rec[2] - this.sentY[r]!) < 0.01
        && rec[3] === this.sentState[r] && rec[4] === this.sentBin[r]) continue;
      this.sentX[r] = rec[1]; this.sentY[r] = rec[2]; this.sentState[r] = rec[3]; this.sentBin[r] = rec[4];
      robots.push(rec);
    }
    const stacks: StackRecord[] = [];
    const h = w.grid.stackHeight;
    for (let c = 0; c < h.length; c++) {
      if (h[c] !== this.sentStacks[c]) { stacks.push([c, h[c]!]); this.sentStacks[c] = h[c]!; }
    }
    const ports: PortRecord[] = [];
    for (let i = 0; i < w.ports.length; i++) {
      const rec = this.portRecord(i);
      const key = rec.join(',');
      if (key !== this.sentPorts[i]) { this.sentPorts[i] = key; ports.push(rec); }
    }
    const msg: FrameMessage = { v: PROTOCOL_VERSION, type: 'frame', tick: w.tick, simSeconds: round(w.seconds, 1), robots, stacks, ports };
    if (withKpis) msg.kpis = this.kpis();
    if (control) msg.control = { ...control };
    return msg;
  }

  /** Is the cell a port cell (for REST lookups)? */
  isPortCell(cell: number): boolean { return this.world.grid.kind[cell] === CellKind.Port; }

  /** Robot r for the inspector (GET /api/robots/:id), or null when there is no such robot. */
  robotDetail(r: number): RobotDetail | null {
    const w = this.world;
    if (!Number.isInteger(r) || r < 0 || r >= w.robots.count) return null;
    const pose = new Float64Array(3);
    robotPose(w, r, pose);
    const R = w.robots;
    const job = (['none', 'fetch', 'collect', 'park'] as const)[R.job[r]!] ?? 'none';
    const port = R.jobPort[r]!;
    return {
      id: r, x: round(pose[0]!, 2), y: round(pose[1]!, 2), state: robotState(w, r), job,
      task: R.job[r] === Job.Fetch ? R.jobTask[r]! : -1, bin: R.bin[r]!, targetBin: R.jobBin[r]! >= 0 && R.job[r] === Job.Fetch ? R.jobBin[r]! : -1,
      port: port >= 0 ? w.cfg.ports[port]!.id : null, path: robotPath(w, r),
    };
  }

  /** Where bin b is now, and the task that will bring it to a port (see BinWhere). */
  binWhere(b: number): BinWhere {
    const w = this.world;
    const width = w.grid.width;
    const ports = w.cfg.ports;
    const out: BinWhere = { bin: b, at: 'unknown', x: null, y: null };
    const cell = w.binCell[b]!, robot = w.binRobot[b]!, port = w.binPort[b]!;
    if (cell >= 0) {
      Object.assign(out, { at: 'stack', x: cell % width, y: (cell / width) | 0, depth: w.grid.stackHeight[cell]! - 1 - w.binLevel[b]! });
    } else if (robot >= 0) {
      robotPose(w, robot, this.pose);
      Object.assign(out, { at: 'robot', x: round(this.pose[0]!, 2), y: round(this.pose[1]!, 2), robot });
    } else if (port >= 0) {
      Object.assign(out, { at: 'port', x: ports[port]!.x, y: ports[port]!.y, port: ports[port]!.id });
    }
    const task = this.dispatcher.tasks.forBin(b);
    if (task) out.task = { robot: task.robot >= 0 ? task.robot : null, port: task.port >= 0 ? ports[task.port]!.id : null };
    return out;
  }

  /** The bins holding `sku` (an unknown SKU has none), with units and where each bin is. */
  skuBins(sku: number): SkuBin[] {
    const inv = this.dispatcher.inventory;
    if (!Number.isInteger(sku) || sku < 0 || sku >= inv.skus) return [];
    return inv.binsWithSku(sku).map((bin) => ({ ...this.binWhere(bin), onHand: inv.onHandInBin(bin, sku), reserved: inv.reservedInBin(bin, sku) }));
  }

  /** Order mode: pick lists as the WCS holds them (their lines, states and bins). */
  pickListsWhere(lists: readonly number[]): PickListWhere[] {
    const book = this.dispatcher.book;
    return lists.map((list) => {
      const order = book.order(list);
      if (!order) return { list, inWcs: false, lines: [] };
      return {
        list, inWcs: true,
        lines: order.lineIds.map((id) => {
          const l = book.line(id)!;
          return { sku: l.sku, qty: l.qty, state: String(l.state), bin: l.bin >= 0 ? this.binWhere(l.bin) : null };
        }),
      };
    });
  }

  /** Port i (index in the scenario's ports) for the inspector (GET /api/ports/:id), or null when there is none. */
  portDetail(i: number): PortDetail | null {
    const w = this.world;
    const p = w.ports[i];
    if (!p) return null;
    return {
      id: p.cfg.id, type: p.cfg.type, x: p.cfg.x, y: p.cfg.y, queue: [...p.queue], waiting: [...p.waiting],
      binsInside: p.binsInside(), presenting: p.opBin, presentations: p.presentations,
      utilization: round(p.busyTicks / Math.max(1, w.tick), 4), perHour: this.portRate(i),
    };
  }
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
