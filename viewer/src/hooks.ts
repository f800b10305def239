/**
 * The test hooks: `window.__omnicube`, read by the end-to-end tests. Every field is a live getter over
 * the viewer's own state, so nothing has to remember to copy values into it.
 */
import type { OrderRow } from './ordersPanel.ts';
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
  /** Whether the server has an order layer (null until asked once the stream opened). */
  readonly ordersEnabled: boolean | null;
  /** The orders panel's rows, newest first, with the status last received. */
  readonly orders: OrderRow[];
  /** Orders shown per channel. */
  readonly orderCounts: Record<string, number>;
  /** Order events received from the stream. */
  readonly orderEventsReceived: number;
  /** The last SKU lookup's figures, or its error message; null before any. */
  readonly skuLookup: { sku: string; onHand: number; reserved: number; available: number } | { error: string } | null;
  /** The order whose lines are shown, and its lines once loaded. */
  readonly selectedOrder: string | null;
  readonly selectedOrderLines: { sku: string; qty: number; state: string; picked: number }[];
  /** Where each line of the selected order is, in words (one per line). */
  readonly selectedOrderWhere: string[];
  /** Marks on the grid for the selected order's bins and their ports. */
  readonly orderMarks: readonly { x: number; y: number; kind: string }[];
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
