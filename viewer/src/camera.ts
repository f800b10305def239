/**
 * Camera: zoom (wheel, around the pointer) and pan (drag) of the world container, fit-to-grid, and the
 * screen ↔ grid transforms. World units are cells: cell (x, y) has its centre at (x, y), as in
 * RobotRecord. Listens to DOM pointer events on the grid element (cheaper than Pixi's event system for
 * one big surface) and reports clicks (a press that did not drag) and hovers in grid coordinates.
 */
import type { Container } from 'pixi.js';

export class Camera {
  /** Pixels per cell. */
  scale = 10;
  /** Screen position (CSS px) of world origin. */
  x = 0;
  y = 0;
  /** Bumped on every change; layers compare it to know when to redraw. */
  version = 0;
  viewW = 1;
  viewH = 1;
  private gridW = 1;
  private gridD = 1;
  private fitScale = 10;
  private drag: { id: number; sx: number; sy: number; cx: number; cy: number; moved: boolean } | null = null;

  constructor(
    private readonly world: Container,
    private readonly el: HTMLElement,
    private readonly onClick: (gx: number, gy: number) => void,
    private readonly onHover: (gx: number, gy: number) => void,
  ) {
    el.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    el.addEventListener('pointerdown', (e) => this.down(e));
    el.addEventListener('pointermove', (e) => this.move(e));
    el.addEventListener('pointerup', (e) => this.up(e));
    el.addEventListener('pointercancel', () => { this.drag = null; el.classList.remove('dragging'); });
  }

  /** The view's size changed (CSS px). */
  resize(w: number, h: number): void {
    this.viewW = Math.max(1, w);
    this.viewH = Math.max(1, h);
    this.version++;
  }

  /** Show the whole grid of w × d cells, centred. */
  fit(w = this.gridW, d = this.gridD): void {
    this.gridW = Math.max(1, w);
    this.gridD = Math.max(1, d);
    // Keep a margin of about one cell plus room for the port queue bars outside the edges.
    this.fitScale = Math.min(this.viewW / (this.gridW + 3), this.viewH / (this.gridD + 3));
    this.scale = this.fitScale;
    this.x = this.viewW / 2 - (this.gridW / 2 - 0.5) * this.scale;
    this.y = this.viewH / 2 - (this.gridD / 2 - 0.5) * this.scale;
    this.apply();
  }

  /** Grid x of a screen x (CSS px relative to the canvas). */
  gridX(sx: number): number { return (sx - this.x) / this.scale; }
  gridY(sy: number): number { return (sy - this.y) / this.scale; }
  /** Screen position (CSS px relative to the canvas) of grid coordinates. */
  screenX(gx: number): number { return this.x + gx * this.scale; }
  screenY(gy: number): number { return this.y + gy * this.scale; }

  /** Zoom by `factor` keeping screen point (sx, sy) fixed. */
  zoomAt(sx: number, sy: number, factor: number): void {
    const min = this.fitScale / 4, max = 200;
    const next = Math.min(max, Math.max(min, this.scale * factor));
    const gx = this.gridX(sx), gy = this.gridY(sy);
    this.scale = next;
    this.x = sx - gx * next;
    this.y = sy - gy * next;
    this.apply();
  }

  private apply(): void {
    this.world.position.set(this.x, this.y);
    this.world.scale.set(this.scale);
    this.version++;
  }

  private local(e: MouseEvent): [number, number] {
    const r = this.el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private wheel(e: WheelEvent): void {
    if ((e.target as HTMLElement).closest('#grid-hud')) return;
    e.preventDefault();
    const [sx, sy] = this.local(e);
    // deltaMode 1 = lines; normalise to pixels so trackpads and wheels feel alike.
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    this.zoomAt(sx, sy, Math.exp(-dy * 0.0015));
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0 || (e.target as HTMLElement).closest('#grid-hud')) return;
    const [sx, sy] = this.local(e);
    this.drag = { id: e.pointerId, sx, sy, cx: this.x, cy: this.y, moved: false };
    this.el.setPointerCapture(e.pointerId);
  }

  private move(e: PointerEvent): void {
    const [sx, sy] = this.local(e);
    const d = this.drag;
    if (d && d.id === e.pointerId) {
      if (!d.moved && Math.abs(sx - d.sx) + Math.abs(sy - d.sy) > 4) {
        d.moved = true;
        this.el.classList.add('dragging');
      }
      if (d.moved) {
        this.x = d.cx + sx - d.sx;
        this.y = d.cy + sy - d.sy;
        this.apply();
      }
      return;
    }
    this.onHover(this.gridX(sx), this.gridY(sy));
  }

  private up(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    this.drag = null;
    this.el.classList.remove('dragging');
    if (this.el.hasPointerCapture(e.pointerId)) this.el.releasePointerCapture(e.pointerId);
    if (!d.moved) {
      const [sx, sy] = this.local(e);
      this.onClick(this.gridX(sx), this.gridY(sy));
    }
  }
}
