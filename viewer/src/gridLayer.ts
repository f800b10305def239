/**
 * The grid layer: every cell's colour (stack height shading, or the kind colour of ports, buffers,
 * chargers, blocked cells and streets) painted into an offscreen 2D canvas at one pixel per cell, used as
 * ONE sprite texture stretched over the grid with nearest-neighbour sampling. Only changed cells are
 * repainted, and only the rectangle around them is copied and uploaded. Thin cell borders (a static
 * Graphics of pixel lines) fade in when zoomed in far enough to see single cells.
 */
import { CanvasSource, Container, Graphics, Sprite, Texture } from 'pixi.js';
import { heightColor, KIND_COLORS, KIND_STORAGE, pixel } from './colors.ts';
import type { ViewStore } from './store.ts';

/** Below this zoom (px per cell) the cell borders would be a grey haze: hide them. */
const LINES_MIN_SCALE = 9;

export class GridLayer {
  readonly view = new Container();
  private readonly canvas = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  private image: ImageData | null = null;
  private pixels = new Uint32Array(0);
  private source: CanvasSource | null = null;
  private readonly sprite = new Sprite();
  private readonly lines = new Graphics();
  private generation = -1;
  /** Pixel colour per stack height (storage cells), and per kind (other cells; -1 = shade by height). */
  private heightPixels = new Uint32Array(1);
  private kindPixels = new Int32Array(8);

  constructor(private readonly store: ViewStore) {
    const ctx = this.canvas.getContext('2d', { willReadFrequently: false });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
    this.lines.visible = false;
    this.view.addChild(this.sprite, this.lines);
  }

  /** Bring the texture up to date with the store. Returns true when something visible changed. */
  update(cameraScale: number): boolean {
    let changed = false;
    const showLines = cameraScale >= LINES_MIN_SCALE && this.store.width > 0;
    if (showLines !== this.lines.visible) {
      this.lines.visible = showLines;
      changed = true;
    }
    if (this.lines.visible) {
      const a = Math.min(0.35, (cameraScale - LINES_MIN_SCALE) / 30 + 0.12);
      if (Math.abs(this.lines.alpha - a) > 0.01) { this.lines.alpha = a; changed = true; }
    }
    const s = this.store;
    if (s.generation !== this.generation) {
      this.rebuild();
      return true;
    }
    if (s.dirtyCount === 0 || !this.image) return changed;
    const w = s.width;
    let x0 = w, y0 = s.depth, x1 = -1, y1 = -1;
    for (let i = 0; i < s.dirtyCount; i++) {
      const c = s.dirtyCells[i]!;
      this.pixels[c] = this.color(c);
      const x = c % w, y = (c - x) / w;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    s.clearDirty();
    if (x1 < 0) return changed;
    this.ctx.putImageData(this.image, 0, 0, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    this.source!.update();
    return true;
  }

  private color(c: number): number {
    const k = this.kindPixels[this.store.kinds[c]!] ?? -1;
    if (k !== -1) return k;
    const h = this.store.heights[c]!;
    return this.heightPixels[h < this.heightPixels.length ? h : this.heightPixels.length - 1]!;
  }

  private rebuild(): void {
    const s = this.store;
    this.generation = s.generation;
    s.clearDirty();
    const w = Math.max(1, s.width), d = Math.max(1, s.depth);
    this.heightPixels = new Uint32Array(s.maxHeight + 1);
    for (let h = 0; h <= s.maxHeight; h++) this.heightPixels[h] = pixel(heightColor(h, s.maxHeight));
    // Kind pixels are signed (-1 means "shade by height"); a Uint32Array write wraps them back.
    this.kindPixels.fill(-1);
    for (const [k, c] of Object.entries(KIND_COLORS)) {
      if (Number(k) !== KIND_STORAGE) this.kindPixels[Number(k)] = pixel(c) | 0;
    }
    const sizeChanged = this.canvas.width !== w || this.canvas.height !== d || !this.source;
    if (sizeChanged) {
      this.canvas.width = w;
      this.canvas.height = d;
      this.image = this.ctx.createImageData(w, d);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const n = s.width * s.depth;
    for (let c = 0; c < n; c++) this.pixels[c] = this.color(c) >>> 0;
    this.ctx.putImageData(this.image!, 0, 0);
    if (sizeChanged) {
      const old = this.sprite.texture;
      this.source = new CanvasSource({ resource: this.canvas, scaleMode: 'nearest', autoGenerateMipmaps: false });
      this.sprite.texture = new Texture({ source: this.source });
      if (old && old !== Texture.EMPTY) old.destroy(true);
    } else {
      this.source!.update();
    }
    this.sprite.position.set(-0.5, -0.5);
    this.sprite.setSize(s.width, s.depth);
    this.drawLines(s.width, s.depth);
  }

  private drawLines(w: number, d: number): void {
    const g = this.lines;
    g.clear();
    for (let x = 0; x <= w; x++) g.moveTo(x - 0.5, -0.5).lineTo(x - 0.5, d - 0.5);
    for (let y = 0; y <= d; y++) g.moveTo(-0.5, y - 0.5).lineTo(w - 0.5, y - 0.5);
    g.stroke({ color: 0x000000, width: 1, pixelLine: true });
  }
}
