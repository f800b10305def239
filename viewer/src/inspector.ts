/**
 * The inspector panel: details of one clicked robot (state, job, task, bin, port, and its planned path
 * drawn on the grid) or port (queue, throughput). Details come from a DetailSource — the REST API when
 * live, the trace when replaying — and are refreshed about once a second while the panel is open.
 */
import type { PortDetail, RobotDetail } from '../../wcs/protocol.ts';
import { css, STATE_COLORS } from './colors.ts';
import type { PathLayer } from './pathLayer.ts';

/** Where the inspector gets details from. */
export interface DetailSource {
  robot(id: number, signal: AbortSignal): Promise<RobotDetail>;
  port(id: string, signal: AbortSignal): Promise<PortDetail>;
}

const REFRESH_MS = 1000;

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function rows(r: [string, string][]): string {
  return r.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('');
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '—');

export class Inspector {
  /** The inspected robot id / port id (the __omnicube hooks). */
  robotId: number | null = null;
  portId: string | null = null;
  private readonly panel = document.getElementById('inspector')!;
  private readonly title = document.getElementById('inspector-title')!;
  private readonly body = document.getElementById('inspector-body')!;
  private timer: ReturnType<typeof setInterval> | null = null;
  private inflight: AbortController | null = null;
  /** Bumped on every selection change so a late answer for an old selection is dropped. */
  private seq = 0;

  constructor(
    private source: DetailSource,
    private readonly path: PathLayer,
    /** Told when the selection changes (to highlight the robot or port on the grid). */
    private readonly onSelect: (robot: number | null, port: string | null) => void,
  ) {
    document.getElementById('inspector-close')!.addEventListener('click', () => this.close());
    window.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(); });
    // Robot ids listed in a port's queue are links to that robot.
    this.body.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLElement>('[data-robot]');
      if (b) this.inspectRobot(Number(b.dataset.robot));
    });
  }

  /** Switch where details come from (live API or replay) and close the panel. */
  setSource(source: DetailSource): void {
    this.source = source;
    this.close();
  }

  inspectRobot(id: number): void {
    this.open(id, null);
    this.title.textContent = `Robot ${id}`;
    this.panel.dataset.robotId = String(id);
    this.refresh();
  }

  inspectPort(id: string): void {
    this.open(null, id);
    this.title.textContent = `Port ${id}`;
    this.panel.dataset.portId = id;
    this.refresh();
  }

  close(): void {
    if (this.robotId === null && this.portId === null) return;
    this.open(null, null);
    this.panel.hidden = true;
  }

  private open(robot: number | null, port: string | null): void {
    this.seq++;
    this.inflight?.abort();
    this.inflight = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.robotId = robot;
    this.portId = port;
    delete this.panel.dataset.robotId;
    delete this.panel.dataset.portId;
    this.path.set(null);
    this.onSelect(robot, port);
    if (robot === null && port === null) return;
    this.panel.hidden = false;
    this.body.innerHTML = '<dt>loading…</dt><dd></dd>';
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  private refresh(): void {
    if (this.inflight) return;
    const seq = this.seq;
    const ctl = new AbortController();
    this.inflight = ctl;
    const done = () => { if (this.inflight === ctl) this.inflight = null; };
    if (this.robotId !== null) {
      this.source.robot(this.robotId, ctl.signal).then(
        (d) => { done(); if (seq === this.seq) this.showRobot(d); },
        (e: unknown) => { done(); if (seq === this.seq && !ctl.signal.aborted) this.showError(e); },
      );
    } else if (this.portId !== null) {
      this.source.port(this.portId, ctl.signal).then(
        (d) => { done(); if (seq === this.seq) this.showPort(d); },
        (e: unknown) => { done(); if (seq === this.seq && !ctl.signal.aborted) this.showError(e); },
      );
    } else done();
  }

  private showRobot(d: RobotDetail): void {
    const chip = `<span class="chip" style="background:${css(STATE_COLORS[d.state] ?? 0x888888)}"></span> ${esc(d.state)}`;
    const goal = d.path.length > 0 ? d.path[d.path.length - 1]! : null;
    this.body.innerHTML = rows([
      ['State', chip],
      ['Job', esc(d.job)],
      ['Task', d.task >= 0 ? String(d.task) : '—'],
      ['Bin', d.bin >= 0 ? String(d.bin) : '—'],
      ['Target bin', d.targetBin >= 0 ? String(d.targetBin) : '—'],
      ['Port', d.port ? esc(d.port) : '—'],
      ['Position', `${d.x.toFixed(2)}, ${d.y.toFixed(2)}`],
      ['Path', d.path.length > 1 && goal ? `${d.path.length - 1} cells → (${goal[0]}, ${goal[1]})` : 'none'],
    ]);
    this.path.set(d.path.length > 0 ? d.path : null);
  }

  private showPort(d: PortDetail): void {
    const ids = (a: number[]) => a.length === 0 ? '—'
      : a.map((r) => `<button class="robot-link" data-robot="${r}">${r}</button>`).join(' ');
    this.body.innerHTML = rows([
      ['Type', esc(d.type)],
      ['Cell', `${d.x}, ${d.y}`],
      ['Queue', `${d.queue.length}: ${ids(d.queue)}`],
      ['Waiting', `${d.waiting.length}: ${ids(d.waiting)}`],
      ['Bins inside', String(d.binsInside)],
      ['Presenting', d.presenting ? 'yes' : 'no'],
      ['Presentations', String(d.presentations)],
      ['Per hour (10 min)', d.perHour.toFixed(0)],
      ['Utilization', pct(d.utilization)],
    ]);
  }

  private showError(e: unknown): void {
    this.body.innerHTML = rows([['Error', esc(e instanceof Error ? e.message : String(e))]]);
    this.path.set(null);
  }
}
