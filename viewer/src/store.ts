/**
 * The view store: everything the viewer draws, mirrored by id from the live stream (snapshot + frames) or
 * written by the replay player. It never computes simulation state; it records what it is told and
 * remembers what changed (dirty cells, dirty ports, versions) so each layer redraws only that.
 */
import type { ControlState, FrameMessage, LiveKpis, PortRecord, ScenarioInfo, SnapshotMessage } from '../../wcs/protocol.ts';
import { RobotTable } from './robotTable.ts';

/** A port as drawn: static layout plus the latest record. */
export interface PortView {
  id: string;
  type: string;
  x: number;
  y: number;
  buffer: [number, number][];
  queue: number;
  waiting: number;
  binsInside: number;
  presenting: number;
  presentations: number;
}

export type ViewMode = 'live' | 'replay';

export class ViewStore {
  mode: ViewMode = 'live';
  /** Bumped whenever the grid is rebuilt from scratch (snapshot, replay load): layers rebuild too. */
  generation = 0;
  scenarioName = '';
  width = 0;
  depth = 0;
  /** Bins per stack at most. */
  maxHeight = 1;
  /** Cell kind codes (CELL_KINDS), row-major. */
  kinds = new Uint8Array(0);
  /** Stack heights, row-major. */
  heights = new Uint16Array(0);
  /** Cells whose height changed since the grid layer last drained them (no duplicates: see cellFlag). */
  dirtyCells = new Int32Array(0);
  dirtyCount = 0;
  private cellFlag = new Uint8Array(0);

  readonly robots = new RobotTable();
  ports: PortView[] = [];
  private portIndex = new Map<string, number>();
  /** Bumped when any port's record changed. */
  portsVersion = 0;

  tick = 0;
  simSeconds = 0;
  control: ControlState | null = null;
  controlVersion = 0;
  kpis: LiveKpis | null = null;
  kpiVersion = 0;
  /** The presentations-per-hour chart: sim seconds and values, oldest first. */
  kpiT: number[] = [];
  kpiV: number[] = [];
  /** Stream messages received (snapshots and frames). */
  framesReceived = 0;
  private lastFrameAt = 0;

  /** Set up an empty grid of the given size (all cells storage, height 0) and bump the generation. */
  resetGrid(width: number, depth: number, maxHeight: number, kinds?: ArrayLike<number>): void {
    const n = width * depth;
    this.width = width;
    this.depth = depth;
    this.maxHeight = Math.max(1, maxHeight);
    this.kinds = kinds ? Uint8Array.from(kinds) : new Uint8Array(n);
    if (this.kinds.length !== n) this.kinds = new Uint8Array(n);
    this.heights = new Uint16Array(n);
    this.dirtyCells = new Int32Array(n);
    this.cellFlag = new Uint8Array(n);
    this.dirtyCount = 0;
    this.generation++;
  }

  /** Set one stack height; records the cell as dirty when it changed. */
  setHeight(cell: number, h: number): void {
    if (this.heights[cell] === h || cell < 0 || cell >= this.heights.length) return;
    this.heights[cell] = h;
    if (this.cellFlag[cell] === 0) {
      this.cellFlag[cell] = 1;
      this.dirtyCells[this.dirtyCount++] = cell;
    }
  }

  /** Forget the dirty cells (after reading dirtyCells[0..dirtyCount)). */
  clearDirty(): void {
    for (let i = 0; i < this.dirtyCount; i++) this.cellFlag[this.dirtyCells[i]!] = 0;
    this.dirtyCount = 0;
  }

  /** Replace the ports' layout. */
  setPorts(ports: PortView[]): void {
    this.ports = ports;
    this.portIndex = new Map(ports.map((p, i) => [p.id, i]));
    this.portsVersion++;
  }

  port(id: string): PortView | undefined {
    const i = this.portIndex.get(id);
    return i === undefined ? undefined : this.ports[i];
  }

  /** A snapshot: rebuild everything. `now` is performance.now(). */
  applySnapshot(m: SnapshotMessage, now: number): void {
    const s: ScenarioInfo = m.scenario;
    const sameRun = s.name === this.scenarioName && m.tick >= this.tick && this.mode === 'live';
    this.mode = 'live';
    this.scenarioName = s.name;
    this.resetGrid(s.width, s.depth, s.height, s.kinds);
    const n = Math.min(m.stacks.length, this.heights.length);
    for (let c = 0; c < n; c++) this.heights[c] = m.stacks[c]!;
    this.robots.reset(m.robots);
    this.setPorts(s.ports.map((p) => ({
      id: p.id, type: p.type, x: p.x, y: p.y, buffer: p.buffer,
      queue: 0, waiting: 0, binsInside: 0, presenting: 0, presentations: 0,
    })));
    this.applyPorts(m.ports);
    this.tick = m.tick;
    this.simSeconds = m.simSeconds;
    this.setControl(m.control);
    // A snapshot after falling behind continues the same run: keep the chart. A new run starts it over.
    if (!sameRun) { this.kpiT = []; this.kpiV = []; }
    this.setKpis(m.kpis);
    this.framesReceived++;
    this.lastFrameAt = now;
  }

  /** A frame: apply diffs by id. */
  applyFrame(m: FrameMessage, now: number): void {
    const dt = now - this.lastFrameAt;
    this.lastFrameAt = now;
    // Spread moves over the measured frame interval (smoothed; bounded so a stall does not slow motion).
    if (dt > 0 && dt < 2000) this.robots.interval = Math.min(1000, Math.max(16, this.robots.interval * 0.8 + dt * 0.2));
    this.robots.apply(m.robots, now);
    for (const [cell, h] of m.stacks) this.setHeight(cell, h);
    this.applyPorts(m.ports);
    this.tick = m.tick;
    this.simSeconds = m.simSeconds;
    if (m.control) this.setControl(m.control);
    if (m.kpis) this.setKpis(m.kpis);
    this.framesReceived++;
  }

  setControl(c: ControlState): void {
    this.control = c;
    this.controlVersion++;
  }

  /** Record new KPIs and add a chart point (one per distinct sim time). */
  setKpis(k: LiveKpis): void {
    this.kpis = k;
    this.kpiVersion++;
    this.addKpiPoint(k.simSeconds, k.binPresentationsPerHour);
  }

  addKpiPoint(t: number, v: number): void {
    const last = this.kpiT.length - 1;
    if (last >= 0 && t <= this.kpiT[last]!) {
      if (t === this.kpiT[last]) this.kpiV[last] = v;
      return;
    }
    this.kpiT.push(t);
    this.kpiV.push(v);
    // A very long run: halve the resolution of the older half rather than grow without bound.
    if (this.kpiT.length > 4000) {
      const keepT: number[] = [], keepV: number[] = [];
      for (let i = 0; i < 2000; i += 2) { keepT.push(this.kpiT[i]!); keepV.push(this.kpiV[i]!); }
      this.kpiT = keepT.concat(this.kpiT.slice(2000));
      this.kpiV = keepV.concat(this.kpiV.slice(2000));
    }
    this.kpiVersion++;
  }

  private applyPorts(records: readonly PortRecord[]): void {
    let changed = false;
    for (const r of records) {
      const p = this.ports[r[0]];
      if (!p) continue;
      if (p.queue !== r[1] || p.waiting !== r[2] || p.binsInside !== r[3] || p.presenting !== r[4] || p.presentations !== r[5]) {
        p.queue = r[1]; p.waiting = r[2]; p.binsInside = r[3]; p.presenting = r[4]; p.presentations = r[5];
        changed = true;
      }
    }
    if (changed) this.portsVersion++;
  }
}
