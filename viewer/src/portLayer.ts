/**
 * The port layer: each port's cell outlined, a light when a bin is being presented, its queue as a bar
 * of squares pointing out of the grid (filled: robots in the queue, hollow: robots waiting to be
 * admitted), and, when zoomed in, a label "id queue(+waiting)". The bars are one Graphics redrawn only
 * when a port record changed; labels are cached Text objects whose text is only set when it differs, kept
 * at a constant screen size by counter-scaling them against the camera.
 */
import { Container, Graphics, Text, TextStyle } from 'pixi.js';
import type { PortView, ViewStore } from './store.ts';

/** Labels show from this zoom (px per cell); below it they would overlap. */
const LABEL_MIN_SCALE = 14;
const SLOT = 0.38;
const BAR_START = 0.75;
const MAX_SLOTS = 10;

/** Unit vector pointing out of the grid from a port (ports sit on an edge; buffers run inwards). Pure. */
export function outward(p: Pick<PortView, 'x' | 'y' | 'buffer'>, width: number, depth: number): [number, number] {
  if (p.y === 0) return [0, -1];
  if (p.y === depth - 1) return [0, 1];
  if (p.x === 0) return [-1, 0];
  if (p.x === width - 1) return [1, 0];
  const b = p.buffer[0];
  if (b) {
    const dx = Math.sign(p.x - b[0]), dy = Math.sign(p.y - b[1]);
    if (dx !== 0 || dy !== 0) return [dx, dy];
  }
  return [0, -1];
}

const LABEL_STYLE = new TextStyle({
  fontFamily: 'system-ui, sans-serif', fontSize: 11, fill: 0xffe3c8,
  stroke: { color: 0x0d1117, width: 3 },
});

export class PortLayer {
  readonly view = new Container();
  private readonly bars = new Graphics();
  private readonly labels = new Container();
  private texts: Text[] = [];
  private portsVersion = -1;
  private generation = -1;
  private labelScale = -1;
  /** Port id to highlight (inspected), or null. */
  selected: string | null = null;
  private drawnSelected: string | null = null;

  constructor(private readonly store: ViewStore) {
    this.view.addChild(this.bars, this.labels);
  }

  /** Redraw what changed. Returns true when anything visible changed. */
  update(cameraScale: number): boolean {
    const s = this.store;
    let changed = false;
    if (s.generation !== this.generation) {
      this.generation = s.generation;
      for (const t of this.texts) t.destroy();
      this.texts = s.ports.map(() => {
        const t = new Text({ text: '', style: LABEL_STYLE });
        this.labels.addChild(t);
        return t;
      });
      this.portsVersion = -1;
      this.labelScale = -1;
    }
    if (s.portsVersion !== this.portsVersion || this.selected !== this.drawnSelected) {
      this.portsVersion = s.portsVersion;
      this.drawnSelected = this.selected;
      this.redraw();
      changed = true;
    }
    const showLabels = cameraScale >= LABEL_MIN_SCALE;
    if (showLabels !== this.labels.visible) { this.labels.visible = showLabels; changed = true; }
    if (showLabels && cameraScale !== this.labelScale) {
      this.labelScale = cameraScale;
      const k = 1 / cameraScale;
      for (const t of this.texts) t.scale.set(k);
      changed = true;
    }
    return changed;
  }

  /** The port at grid point (gx, gy): on its cell or its queue bar. */
  hit(gx: number, gy: number): PortView | null {
    const s = this.store;
    for (const p of s.ports) {
      const dx = gx - p.x, dy = gy - p.y;
      if (Math.abs(dx) <= 0.6 && Math.abs(dy) <= 0.6) return p;
      const [ox, oy] = outward(p, s.width, s.depth);
      const along = dx * ox + dy * oy, across = Math.abs(dx * oy - dy * ox);
      if (along > 0.5 && along < BAR_START + 4 * SLOT && across < 0.45) return p;
    }
    return null;
  }

  private redraw(): void {
    const s = this.store;
    const g = this.bars;
    g.clear();
    // Pixi's fill()/stroke() right after another stroke()/fill() with no new shape re-uses the previous
    // path, so every group below is only committed when it has shapes.
    if (s.ports.length > 0) {
      for (const p of s.ports) g.rect(p.x - 0.5, p.y - 0.5, 1, 1);
      g.stroke({ color: 0xffb070, width: 1, pixelLine: true });
    }
    const sel = this.selected ? s.port(this.selected) : undefined;
    if (sel) g.rect(sel.x - 0.6, sel.y - 0.6, 1.2, 1.2).stroke({ color: 0xffffff, width: 0.1 });
    // Presenting: a bright dot in the port cell.
    let n = 0;
    for (const p of s.ports) if (p.presenting) { g.circle(p.x, p.y, 0.18); n++; }
    if (n > 0) g.fill({ color: 0xfff3b0 });
    // Queue bars: filled squares for queued robots, then hollow ones for robots waiting to be admitted.
    n = 0;
    for (const p of s.ports) {
      const [ox, oy] = outward(p, s.width, s.depth);
      const q = Math.min(p.queue, MAX_SLOTS);
      for (let k = 0; k < q; k++, n++) this.slot(g, p, ox, oy, k);
    }
    if (n > 0) g.fill({ color: 0xf2a33a });
    n = 0;
    for (const p of s.ports) {
      const [ox, oy] = outward(p, s.width, s.depth);
      const q = Math.min(p.queue, MAX_SLOTS), w = Math.min(p.waiting, MAX_SLOTS - q);
      for (let k = q; k < q + w; k++, n++) this.slot(g, p, ox, oy, k);
    }
    if (n > 0) g.stroke({ color: 0xf2a33a, width: 0.06 });
    // Labels: text only set when it changed (re-rasterising text is the costly part).
    s.ports.forEach((p, i) => {
      const t = this.texts[i];
      if (!t) return;
      const text = p.waiting > 0 ? `${p.id} ${p.queue}+${p.waiting}` : `${p.id} ${p.queue}`;
      if (t.text !== text) t.text = text;
      const [ox, oy] = outward(p, s.width, s.depth);
      const n = Math.min(p.queue + p.waiting, MAX_SLOTS);
      const d = BAR_START + n * SLOT + 0.15;
      t.position.set(p.x + ox * d, p.y + oy * d);
      // Anchor the side of the text that faces the port.
      t.anchor.set(ox > 0 ? 0 : ox < 0 ? 1 : 0.5, oy > 0 ? 0 : oy < 0 ? 1 : 0.5);
    });
  }

  private slot(g: Graphics, p: PortView, ox: number, oy: number, k: number): void {
    const d = BAR_START + k * SLOT + SLOT / 2;
    const half = 0.14;
    g.rect(p.x + ox * d - half, p.y + oy * d - half, half * 2, half * 2);
  }
}
