/**
 * The replay panel: open a trace from a file input or a URL (`?replay=URL`), then a time slider and
 * play/pause to scrub through it. Owns the ReplayPlayer once a trace is loaded and drives it from the
 * animation frame loop.
 */
import { clock } from './format.ts';
import { ReplayPlayer } from './replayPlayer.ts';
import { readTrace } from './replayTrace.ts';
import type { ViewStore } from './store.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export class ReplayPanel {
  player: ReplayPlayer | null = null;
  private readonly file = $<HTMLInputElement>('replay-file');
  private readonly slider = $<HTMLInputElement>('replay-slider');
  private readonly play = $<HTMLButtonElement>('replay-play');
  private readonly speed = $<HTMLSelectElement>('replay-speed');
  private readonly time = $('replay-time');
  private readonly status = $('replay-status');
  private shownT = -1;
  private shownPlaying: boolean | null = null;
  private loading = false;
  /** While the user holds the slider, playback does not move its thumb under the pointer. */
  private held = false;

  constructor(
    private readonly store: ViewStore,
    /** Called once a trace is installed in the store (switch the page to replay mode). */
    private readonly onLoaded: (player: ReplayPlayer) => void,
  ) {
    this.file.addEventListener('change', () => {
      const f = this.file.files?.[0];
      if (f) void this.load(f.stream(), f.size, f.name);
    });
    this.slider.addEventListener('pointerdown', () => { this.held = true; });
    window.addEventListener('pointerup', () => { this.held = false; });
    this.slider.addEventListener('input', () => {
      this.player?.seek(Number(this.slider.value));
    });
    this.play.addEventListener('click', () => {
      const p = this.player;
      if (!p) return;
      if (!p.playing && p.t >= p.trace.duration) p.seek(0);
      p.playing = !p.playing;
    });
    this.speed.addEventListener('change', () => {
      if (this.player) this.player.speed = Number(this.speed.value);
    });
  }

  /** Load a trace from a URL (the `?replay=` parameter). */
  async loadUrl(url: string): Promise<void> {
    this.status.textContent = `fetching ${url}…`;
    try {
      const res = await fetch(url);
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      await this.load(res.body, Number(res.headers.get('content-length') ?? 0), url);
    } catch (e) {
      this.status.textContent = `could not load ${url}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private async load(stream: ReadableStream<Uint8Array>, size: number, name: string): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    const t0 = performance.now();
    try {
      const trace = await readTrace(stream, (bytes) => {
        this.status.textContent = size > 0
          ? `reading ${name}: ${Math.round((bytes / size) * 100)} %`
          : `reading ${name}: ${(bytes / 1e6).toFixed(1)} MB`;
      });
      if (this.player) this.player.playing = false;
      const p = new ReplayPlayer(this.store, trace);
      p.speed = Number(this.speed.value);
      p.install();
      this.player = p;
      this.slider.min = '0';
      this.slider.max = String(trace.duration);
      this.slider.step = String(trace.tickSeconds || 0.1);
      this.slider.value = '0';
      this.slider.disabled = false;
      this.play.disabled = false;
      this.shownT = -1;
      this.status.textContent = `${name}: ${trace.robots} robots, ${trace.width}×${trace.depth} cells, ` +
        `${trace.lines.toLocaleString('en-US')} lines, ${clock(trace.duration)} (read in ${((performance.now() - t0) / 1000).toFixed(1)} s)`;
      $('replay-exit').hidden = false;
      this.onLoaded(p);
    } catch (e) {
      this.status.textContent = `could not read ${name}: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.loading = false;
    }
  }

  /** Advance playback by a wall-clock step and keep the controls in sync. Returns true if the view changed. */
  update(dtMs: number): boolean {
    const p = this.player;
    if (!p) return false;
    const moved = p.advance(dtMs);
    if (p.t !== this.shownT) {
      this.shownT = p.t;
      if (!this.held) this.slider.value = String(p.t);
      this.time.textContent = `${clock(p.t)} / ${clock(p.trace.duration)}`;
    }
    if (p.playing !== this.shownPlaying) {
      this.shownPlaying = p.playing;
      this.play.textContent = p.playing ? 'Pause' : 'Play';
      this.play.classList.toggle('active', p.playing);
    }
    return moved;
  }
}
