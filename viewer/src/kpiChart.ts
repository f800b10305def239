/**
 * The presentations-per-hour line chart: a plain 2D canvas redrawn when a point is added (a few times a
 * simulated minute at most), sized for the device pixel ratio. Reads the store's kpiT / kpiV series.
 */
import { clock, int, niceCeil } from './format.ts';

export class KpiChart {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly w: number;
  private readonly h: number;

  constructor(canvas: HTMLCanvasElement) {
    const dpr = window.devicePixelRatio || 1;
    this.w = canvas.width;
    this.h = canvas.height;
    canvas.style.width = `${this.w}px`;
    canvas.style.height = `${this.h}px`;
    canvas.width = Math.round(this.w * dpr);
    canvas.height = Math.round(this.h * dpr);
    this.ctx = canvas.getContext('2d')!;
    this.ctx.scale(dpr, dpr);
  }

  /** Draw the series (t in sim seconds, v per hour); `upTo` limits it to points with t <= upTo. */
  draw(t: readonly number[], v: readonly number[], upTo = Infinity): number {
    const g = this.ctx, W = this.w, H = this.h;
    let n = t.length;
    while (n > 0 && t[n - 1]! > upTo) n--;
    g.clearRect(0, 0, W, H);
    const left = 38, right = 6, top = 8, bottom = 16;
    const pw = W - left - right, ph = H - top - bottom;
    let vmax = 0;
    for (let i = 0; i < n; i++) if (v[i]! > vmax) vmax = v[i]!;
    const ymax = niceCeil(Math.max(vmax * 1.1, 4));
    const t0 = n > 0 ? t[0]! : 0, t1 = n > 1 ? t[n - 1]! : t0 + 60;
    const sx = (x: number) => left + ((x - t0) / (t1 - t0 || 1)) * pw;
    const sy = (y: number) => top + ph - (y / ymax) * ph;
    // Axes and grid.
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#8b949e';
    g.strokeStyle = '#30363d';
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let k = 0; k <= 4; k++) {
      const y = Math.round(sy((ymax * k) / 4)) + 0.5;
      g.beginPath(); g.moveTo(left, y); g.lineTo(W - right, y); g.stroke();
      g.fillText(int((ymax * k) / 4), left - 4, y);
    }
    g.textBaseline = 'alphabetic';
    g.textAlign = 'left';
    g.fillText(clock(t0), left, H - 3);
    g.textAlign = 'right';
    g.fillText(clock(t1), W - right, H - 3);
    if (n === 0) {
      g.textAlign = 'center';
      g.fillText('waiting for KPIs…', left + pw / 2, top + ph / 2);
      return 0;
    }
    // The series.
    g.strokeStyle = '#58a6ff';
    g.lineWidth = 1.5;
    g.beginPath();
    for (let i = 0; i < n; i++) {
      const x = sx(t[i]!), y = sy(v[i]!);
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    }
    g.stroke();
    const lx = sx(t[n - 1]!), ly = sy(v[n - 1]!);
    g.fillStyle = '#58a6ff';
    g.beginPath(); g.arc(lx, ly, 2.5, 0, Math.PI * 2); g.fill();
    return n;
  }
}
