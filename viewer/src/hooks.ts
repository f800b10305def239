/**
 * The test hooks: `window.__omnicube`, read by the end-to-end tests. Every field is a live getter over
 * the viewer's own state, so nothing has to remember to copy values into it.
 */
import type { ViewMode } from './store.ts';

export interface OmnicubeHooks {
  readonly mode: ViewMode;
  /** Last sim tick received (live) or shown (replay). */
  readonly tick: number;
  /** Robot sprites visible. */
  readonly robotsDrawn: number;
  /** Stream messages received (snapshots and frames). */
  readonly framesReceived: number;
  /** requestAnimationFrame callbacks over the last second. */
  readonly fps: number;
  /** Frames actually rendered by Pixi (the loop skips rendering when nothing changed). */
  readonly renderedFrames: number;
  /** Points in the presentations-per-hour chart. */
  readonly kpiPoints: number;
  readonly inspectedRobot: number | null;
  readonly inspectedPort: string | null;
  /** Replay time and length, seconds (0 in live mode). */
  readonly replayTime: number;
  readonly replayDuration: number;
  /** True once the first snapshot or replay file has been drawn. */
  readonly ready: boolean;
  /** A robot's drawn centre in CSS pixels relative to the canvas's top-left, or null if unknown. */
  robotScreen(id: number): { x: number; y: number } | null;
}

declare global {
  interface Window { __omnicube: OmnicubeHooks }
}

/** Install the hooks object on window. */
export function installHooks(h: OmnicubeHooks): void {
  Object.defineProperty(window, '__omnicube', { value: h, configurable: true, enumerable: true });
}
