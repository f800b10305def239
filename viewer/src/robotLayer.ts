/**
 * The robot layer: one pooled Sprite per robot, all sharing two textures (empty, carrying a bin) drawn
 * once into small canvases, tinted by state and rotated by heading (the notch points the way it drives).
 * Each animation frame moves sprites to their interpolated positions; tint, texture and rotation are only
 * touched when the robot's style changed. No allocation per frame.
 */
import { CanvasSource, Container, Graphics, Sprite, Texture } from 'pixi.js';
import { STATE_TINTS } from './colors.ts';
import type { RobotTable } from './robotTable.ts';

const TEX = 64;
/** Sprite size in cells: a robot nearly fills its cell, leaving a gap to tell neighbours apart. */
const SIZE = 0.84;
/** Rotation by heading code: 0 east, 1 west, 2 south (+y, down the screen), 3 north. */
const ROTATION = [0, Math.PI, Math.PI / 2, -Math.PI / 2];

/** Draw the robot body (white, so tinting gives the state colour) with a heading notch. */
function robotTexture(loaded: boolean): Texture {
  const c = document.createElement('canvas');
  c.width = c.height = TEX;
  const g = c.getContext('2d')!;
  const r = 10, m = 3;
  g.fillStyle = '#0b0e13';
  g.beginPath();
  g.roundRect(m - 2, m - 2, TEX - 2 * m + 4, TEX - 2 * m + 4, r + 2);
  g.fill();
  g.fillStyle = '#ffffff';
  g.beginPath();
  g.roundRect(m + 2, m + 2, TEX - 2 * m - 4, TEX - 2 * m - 4, r);
  g.fill();
  // Heading notch: a dark wedge at the front (+x); rotation turns it.
  g.fillStyle = '#0b0e13';
  g.beginPath();
  g.moveTo(TEX - m - 2, TEX / 2);
  g.lineTo(TEX - m - 18, TEX / 2 - 12);
  g.lineTo(TEX - m - 18, TEX / 2 + 12);
  g.closePath();
  g.fill();
  if (loaded) {
    // The carried bin: a dark square frame in the middle.
    g.strokeStyle = '#0b0e13';
    g.lineWidth = 6;
    g.strokeRect(TEX / 2 - 17, TEX / 2 - 13, 22, 26);
  }
  return new Texture({ source: new CanvasSource({ resource: c, autoGenerateMipmaps: true }) });
}

export class RobotLayer {
  readonly view = new Container();
  private readonly pool: Sprite[] = [];
  private readonly empty = robotTexture(false);
  private readonly loaded = robotTexture(true);
  private readonly ring = new Graphics();
  /** Robot sprites visible (the __omnicube.robotsDrawn hook). */
  drawn = 0;
  /** Id of the robot to highlight (inspected), or null. */
  selectedId: number | null = null;

  constructor(private readonly robots: RobotTable) {
    // A ring that stays visible when zoomed out (pixel line) and reads as a ring when zoomed in.
    this.ring.circle(0, 0, 0.72).stroke({ color: 0xffffff, width: 1, pixelLine: true });
    this.ring.circle(0, 0, 0.66).stroke({ color: 0xffffff, width: 0.1 });
    this.ring.visible = false;
    this.view.addChild(this.ring);
  }

  /** Throw away per-robot looks (a rebuild): every sprite gets its style set again. */
  reset(): void {
    for (const s of this.pool) s.visible = false;
  }

  /** Move and restyle sprites for time `now`. Returns true when anything visible changed. */
  update(now: number): boolean {
    const R = this.robots;
    let changed = false;
    while (this.pool.length < R.count) this.pool.push(this.newSprite());
    for (let s = 0; s < R.count; s++) {
      const sp = this.pool[s]!;
      if (!sp.visible) { sp.visible = true; R.styleDirty[s] = 1; changed = true; }
      const a = R.alpha(s, now);
      const x = R.fromX[s]! + (R.toX[s]! - R.fromX[s]!) * a;
      const y = R.fromY[s]! + (R.toY[s]! - R.fromY[s]!) * a;
      if (sp.x !== x || sp.y !== y) { sp.position.set(x, y); changed = true; }
      if (R.styleDirty[s] === 1) {
        R.styleDirty[s] = 0;
        sp.tint = STATE_TINTS[R.state[s]!] ?? STATE_TINTS[0]!;
        sp.texture = R.bin[s]! >= 0 ? this.loaded : this.empty;
        sp.rotation = ROTATION[R.heading[s]!] ?? 0;
        changed = true;
      }
    }
    for (let s = R.count; s < this.pool.length; s++) {
      const sp = this.pool[s]!;
      if (sp.visible) { sp.visible = false; changed = true; }
    }
    this.drawn = R.count;
    const sel = this.selectedId === null ? -1 : R.slot(this.selectedId);
    if (sel >= 0 && sel < R.count) {
      const sp = this.pool[sel]!;
      if (!this.ring.visible || this.ring.x !== sp.x || this.ring.y !== sp.y) {
        this.ring.visible = true;
        this.ring.position.set(sp.x, sp.y);
        changed = true;
      }
    } else if (this.ring.visible) {
      this.ring.visible = false;
      changed = true;
    }
    return changed;
  }

  private newSprite(): Sprite {
    const sp = new Sprite(this.empty);
    sp.anchor.set(0.5);
    sp.scale.set(SIZE / TEX);
    sp.visible = false;
    // Sprites go below the selection ring (the ring is the last child).
    this.view.addChildAt(sp, this.view.children.length - 1);
    return sp;
  }
}
