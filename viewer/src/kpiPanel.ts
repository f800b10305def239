/**
 * The KPI panel: headline numbers, the presentations-per-hour chart, per-port utilization bars (a small
 * canvas) and the fleet's time breakdown (a stacked bar). Redrawn only when the store's KPIs change.
 */
import { css, ROBOT_TIME_COLORS } from './colors.ts';
import { int, pct } from './format.ts';
import { KpiChart } from './kpiChart.ts';
import type { ViewStore } from './store.ts';

const dash = '—';
const num = (x: number, f: (x: number) => string) => (Number.isFinite(x) ? f(x) : dash);

export class KpiPanel {
  /** Points drawn in the chart (the __omnicube.kpiPoints hook). */
  points = 0;
  private version = -1;
  private upTo = Infinity;
  private readonly chart = new KpiChart(document.getElementById('kpi-chart') as HTMLCanvasElement);
  private readonly ports = document.getElementById('kpi-ports') as HTMLCanvasElement;
  private readonly portsCtx: CanvasRenderingContext2D;
  private readonly el = (id: string) => document.getElementById(id)!;
  private readonly timeBar = this.el('kpi-robot-time');
  private readonly timeLegend = this.el('kpi-robot-time-legend');
  private timeKeys = '';
  private drawnAt = -Infinity;

  constructor(private readonly store: ViewStore) {
    const dpr = window.devicePixelRatio || 1;
    const c = this.ports;
    c.style.width = `${c.width}px`;
    c.style.height = `${c.height}px`;
    c.dataset.w = String(c.width);
    c.dataset.h = String(c.height);
    c.width = Math.round(c.width * dpr);
    c.height = Math.round(c.height * dpr);
    this.portsCtx = c.getContext('2d')!;
    this.portsCtx.scale(dpr, dpr);
    this.points = this.chart.draw([], []);
  }

  /**
   * Redraw if the KPIs changed, or if the chart's time limit moved (replay), at most five times a second:
   * a replay playing changes them every frame and nobody reads numbers that fast.
   */
  update(now: number, upTo = Infinity): void {
    const s = this.store;
    if (s.kpiVersion === this.version && upTo === this.upTo) return;
    if (now - this.drawnAt < 200) return;
    this.drawnAt = now;
    this.version = s.kpiVersion;
    this.upTo = upTo;
    this.points = this.chart.draw(s.kpiT, s.kpiV, upTo);
    const k = s.kpis;
    if (!k) return;
    this.el('kpi-pph').textContent = num(k.binPresentationsPerHour, int);
    this.el('kpi-presentations').textContent = num(k.binPresentations, int);
    this.el('kpi-robot-util').textContent = num(k.robotUtilization, pct);
    this.el('kpi-collisions').textContent = num(k.collisions, int);
    this.el('kpi-collisions').style.color = k.collisions > 0 ? '#f85149' : '';
    this.el('kpi-stuck').textContent = num(k.stuckRobots, int);
    this.el('kpi-stuck').style.color = k.stuckRobots > 0 ? '#f85149' : '';
    this.el('kpi-speed').textContent = num(k.actualSpeed, (x) => `${x.toFixed(1)}×`);
    this.drawPorts(k.portUtilization);
    this.drawRobotTime(k.robotTime);
  }

  private drawPorts(u: readonly number[]): void {
    const g = this.portsCtx;
    const W = Number(this.ports.dataset.w), H = Number(this.ports.dataset.h);
    g.clearRect(0, 0, W, H);
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#8b949e';
    if (u.length === 0) {
      g.textAlign = 'center';
      g.fillText('no port data', W / 2, H / 2);
      return;
    }
    const top = 4, bottom = 14, ph = H - top - bottom;
    const bw = W / u.length;
    let sum = 0, min = Infinity, max = -Infinity;
    for (let i = 0; i < u.length; i++) {
      const x = u[i]!;
      sum += x; if (x < min) min = x; if (x > max) max = x;
      const h = Math.max(1, x * ph);
      // Colour from amber (low) to green (high) so idle ports stand out.
      g.fillStyle = x < 0.4 ? '#d29922' : x < 0.7 ? '#8fb34a' : '#3fb950';
      g.fillRect(i * bw + (bw > 3 ? 0.5 : 0), top + ph - h, Math.max(1, bw - (bw > 3 ? 1 : 0)), h);
    }
    g.fillStyle = '#8b949e';
    g.textAlign = 'left';
    g.fillText(`${u.length} ports · mean ${pct(sum / u.length)} · min ${pct(min)} · max ${pct(max)}`, 0, H - 2);
  }

  private drawRobotTime(t: Record<string, number>): void {
    const keys = Object.keys(t);
    const sig = keys.join(',');
    if (sig !== this.timeKeys) {
      // Categories changed (first KPIs): build the bar segments and legend rows once.
      this.timeKeys = sig;
      this.timeBar.replaceChildren(...keys.map((k) => {
        const d = document.createElement('div');
        d.style.background = css(ROBOT_TIME_COLORS[k] ?? 0x8b949e);
        d.title = k;
        return d;
      }));
      this.timeLegend.replaceChildren(...keys.map((k) => {
        const li = document.createElement('li');
        li.innerHTML = `<span class="chip" style="background:${css(ROBOT_TIME_COLORS[k] ?? 0x8b949e)}"></span>${k}<span class="v"></span>`;
        return li;
      }));
    }
    keys.forEach((k, i) => {
      const share = t[k] ?? 0;
      (this.timeBar.children[i] as HTMLElement).style.width = `${(share * 100).toFixed(2)}%`;
      (this.timeLegend.children[i]!.querySelector('.v') as HTMLElement).textContent = pct(share);
    });
  }
}
