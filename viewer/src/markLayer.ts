/**
 * Where the lines of the selected order are: a ring on each bin's stack (or on the robot carrying it, or
 * the port holding it, as the server last said) and a square on each port the lines are bound for.
 * Redrawn only when the orders panel reports new places (about once a second while an order is open).
 */
import { Container, Graphics } from 'pixi.js';

export interface Mark { x: number; y: number; kind: 'bin' | 'robot' | 'port' | 'target' }

const COLOR: Record<Mark['kind'], number> = { bin: 0xf5a623, robot: 0xf5a623, port: 0x3fb950, target: 0x3fb950 };

export class MarkLayer {
  readonly view = new Container();
  private readonly g = new Graphics();
  private dirty = false;
  /** The marks drawn now (for the browser test). */
  marks: readonly Mark[] = [];

  constructor() {
    this.view.addChild(this.g);
  }

  set(marks: readonly Mark[]): void {
    this.marks = marks;
    const g = this.g;
    g.clear();
    this.dirty = true;
    for (const m of marks) {
      if (m.kind === 'bin' || m.kind === 'robot') g.circle(m.x, m.y, 0.62).stroke({ color: COLOR[m.kind], width: 0.16, alpha: 0.95 });
      else g.rect(m.x - 0.55, m.y - 0.55, 1.1, 1.1).stroke({ color: COLOR[m.kind], width: 0.14, alpha: m.kind === 'port' ? 0.95 : 0.6 });
    }
  }

  /** True once after each change (so the frame loop knows to render). */
  takeDirty(): boolean {
    const d = this.dirty;
    this.dirty = false;
    return d;
  }
}
