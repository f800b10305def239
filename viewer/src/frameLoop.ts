/**
 * The animation frame loop: one requestAnimationFrame callback that updates every layer and renders the
 * Pixi stage only when something visible changed (a paused, still grid costs no GPU work). Measures the
 * frame rate over the last second of callbacks without allocating.
 */

export class FrameLoop {
  /** requestAnimationFrame callbacks during the last second. */
  fps = 0;
  /** Frames actually rendered. */
  renderedFrames = 0;
  /** Callbacks (rendered or not). */
  frames = 0;
  // Ring buffer of callback timestamps within the last second (enough for a 1000 Hz display).
  private readonly stamps = new Float64Array(1024);
  private head = 0;
  private tail = 0;
  private last = -1;
  private running = false;

  constructor(
    /** Update the scene for time `now` (ms) after `dt` ms; return true when it must be rendered. */
    private readonly update: (now: number, dt: number) => boolean,
    private readonly render: () => void,
    /** Called after a render. */
    private readonly afterRender: () => void = () => {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    requestAnimationFrame(this.frame);
  }

  /** Render on the next frame even if nothing reports a change (resize, first draw). */
  force = true;

  private readonly frame = (now: number): void => {
    if (!this.running) return;
    requestAnimationFrame(this.frame);
    this.frames++;
    const st = this.stamps, cap = st.length;
    st[this.head] = now;
    this.head = (this.head + 1) % cap;
    if (this.head === this.tail) this.tail = (this.tail + 1) % cap;
    while (this.tail !== this.head && st[this.tail]! <= now - 1000) this.tail = (this.tail + 1) % cap;
    this.fps = (this.head - this.tail + cap) % cap;
    const dt = this.last < 0 ? 0 : Math.min(250, now - this.last);
    this.last = now;
    const dirty = this.update(now, dt);
    if (dirty || this.force) {
      this.force = false;
      this.render();
      this.renderedFrames++;
      this.afterRender();
    }
  };
}
