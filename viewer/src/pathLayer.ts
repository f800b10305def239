/**
 * The planned path of the inspected robot: a polyline through its remaining cells with a marker on the
 * goal. Redrawn only when a new path arrives (the inspector refreshes it about once a second).
 */
import { Container, Graphics } from 'pixi.js';

export class PathLayer {
  readonly view = new Container();
  private readonly g = new Graphics();
  private dirty = false;

  constructor() {
    this.view.addChild(this.g);
  }

  /** Show this path (cells [x, y], from where the robot is), or nothing. */
  set(path: readonly (readonly [number, number])[] | null): void {
    const g = this.g;
    g.clear();
    this.dirty = true;
    if (!path || path.length === 0) return;
    const [x0, y0] = path[0]!;
    g.moveTo(x0, y0);
    for (let i = 1; i < path.length; i++) g.lineTo(path[i]![0], path[i]![1]);
    if (path.length > 1) {
      g.stroke({ color: 0xffffff, width: 0.14, alpha: 0.85, cap: 'round', join: 'round' });
      for (let i = 1; i < path.length - 1; i++) g.circle(path[i]![0], path[i]![1], 0.07);
      if (path.length > 2) g.fill({ color: 0xffffff, alpha: 0.8 });
    }
    const [gx, gy] = path[path.length - 1]!;
    g.rect(gx - 0.42, gy - 0.42, 0.84, 0.84).stroke({ color: 0xffffff, width: 0.1 });
  }

  /** True once after each change (so the frame loop knows to render). */
  takeDirty(): boolean {
    const d = this.dirty;
    this.dirty = false;
    return d;
  }
}
