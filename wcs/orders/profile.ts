/**
 * The seeded order source: what customers order (lines, SKUs, quantities, channel) and when (Poisson
 * arrivals shaped by an hourly profile). Everything is drawn from RngStates forked off the one passed in,
 * so the same scenario and seed give the same orders at the same ticks.
 */
import { forkRng, nextExponential, nextFloat, nextInt, type RngState } from '../../sim/rng.ts';
import type { WcsConfig } from '../scenario/types.ts';

/**
 * One order: lines with quantities >= 1 (distinct SKUs as generated here; a line split over several bins
 * repeats its SKU). Plain data, JSON-safe.
 */
export interface OrderSpec {
  id: number;
  channel: string;
  createdTick: number;
  lines: { sku: number; qty: number }[];
}

export type OrdersProfile = WcsConfig['orders'];

/**
 * The popularity model shared by demand (this file) and stock layout (wcs/inventory): SKU ids are sorted by
 * popularity, SKU 0 most popular; the top `max(1, round(of * skus))` SKUs share `share` of demand
 * uniformly and the rest share `1 - share` uniformly. Pure.
 */
export function skewSplit(skus: number, skew: { share: number; of: number }): { top: number; topShare: number } {
  if (!(skus >= 1)) throw new RangeError(`ORDERS_BAD_SKUS: ${skus}`);
  const top = Math.min(skus, Math.max(1, Math.round(skew.of * skus)));
  // With every SKU in the top class the split is meaningless: demand is uniform.
  const topShare = top === skus ? 1 : Math.min(1, Math.max(0, skew.share));
  return { top, topShare };
}

/** Demand weight of each SKU under the skew (sums to 1), indexed by SKU id. Pure. */
export function skuDemandWeights(skus: number, skew: { share: number; of: number }): Float64Array {
  const { top, topShare } = skewSplit(skus, skew);
  const w = new Float64Array(skus);
  for (let s = 0; s < skus; s++) w[s] = s < top ? topShare / top : (1 - topShare) / (skus - top);
  return w;
}

/**
 * CDF of a geometric distribution on 1..max truncated at max, P(k) ∝ q^(k-1), with the ratio q solved
 * (bisection on ln q) so the mean is exactly `mean`. q < 1 gives the usual many-small-few-large shape;
 * a mean above (max+1)/2 needs q > 1, which is still a valid truncated law. Pure.
 */
export function truncatedGeometricCdf(mean: number, max: number): Float64Array {
  const n = Math.max(1, Math.floor(max));
  const m = Math.min(n, Math.max(1, mean));
  const cdf = new Float64Array(n);
  const meanOf = (x: number): number => {
    // Scale by the largest exponent so large |ln q| cannot overflow.
    const peak = x > 0 ? x * (n - 1) : 0;
    let z = 0, s = 0;
    for (let k = 1; k <= n; k++) { const w = Math.exp(x * (k - 1) - peak); z += w; s += k * w; }
    return s / z;
  };
  let lo = -60, hi = 60;
  for (let i = 0; i < 200; i++) { const mid = (lo + hi) / 2; if (meanOf(mid) < m) lo = mid; else hi = mid; }
  const x = (lo + hi) / 2, peak = x > 0 ? x * (n - 1) : 0;
  let z = 0;
  for (let k = 1; k <= n; k++) { z += Math.exp(x * (k - 1) - peak); cdf[k - 1] = z; }
  for (let k = 0; k < n; k++) cdf[k] = cdf[k]! / z;
  cdf[n - 1] = 1;
  return cdf;
}

function drawFromCdf(rng: RngState, cdf: Float64Array): number {
  const u = nextFloat(rng);
  for (let k = 0; k < cdf.length; k++) if (u < cdf[k]!) return k + 1;
  return cdf.length;
}

/**
 * Generates orders and their arrival ticks. Stateful (owns its rng streams and the arrival clock); not pure.
 *
 * - Lines per order and units per line: truncated geometric on 1..max with the configured mean
 *   (see truncatedGeometricCdf). Lines are capped at the SKU count (SKUs within an order are distinct).
 * - SKU: the skew (skewSplit); duplicates within an order are redrawn.
 * - Channel: weights over the channel names sorted by code unit; no channels or all-zero -> 'default'.
 * - Arrivals: non-homogeneous Poisson by thinning, rate ordersPerHour × profile[hour] / mean(profile),
 *   hour of day = floor((startSecondOfDay + seconds since tick 0) / 3600) mod 24.
 * Content draws and arrival draws use separate forked streams, so one never shifts the other.
 */
export class OrderSource {
  /** Channel names in the order used for drawing (sorted). */
  readonly channels: readonly string[];
  private readonly channelCdf: Float64Array;
  private readonly linesCdf: Float64Array;
  private readonly unitsCdf: Float64Array;
  private readonly top: number;
  private readonly topShare: number;
  private readonly contentRng: RngState;
  private readonly arrivalRng: RngState;
  /** Arrival rate weights per hour relative to their max; lambdaMax is orders per second at the peak. */
  private readonly hourAccept: Float64Array;
  private readonly lambdaMax: number;
  private readonly startSecondOfDay: number;
  /** Continuous arrival clock (seconds since tick 0) and the drawn-but-not-consumed next arrival. */
  private clock = 0;
  private pending = Number.NaN;
  private readonly used: Uint8Array;

  constructor(profile: OrdersProfile, readonly skus: number, rng: RngState, opts: { startSecondOfDay?: number } = {}) {
    const { top, topShare } = skewSplit(skus, profile.skew);
    this.top = top;
    this.topShare = topShare;
    this.linesCdf = truncatedGeometricCdf(profile.linesPerOrder.mean, Math.min(profile.linesPerOrder.max, skus));
    this.unitsCdf = truncatedGeometricCdf(profile.unitsPerLine.mean, profile.unitsPerLine.max);
    const names = Object.keys(profile.channels ?? {}).filter((k) => profile.channels[k]! > 0).sort();
    for (const k of Object.keys(profile.channels ?? {})) {
      if (!(profile.channels[k]! >= 0)) throw new RangeError(`ORDERS_BAD_CHANNEL_WEIGHT: ${k}`);
    }
    this.channels = names.length > 0 ? names : ['default'];
    this.channelCdf = new Float64Array(this.channels.length);
    let acc = 0;
    for (let i = 0; i < names.length; i++) { acc += profile.channels[names[i]!]!; this.channelCdf[i] = acc; }
    for (let i = 0; i < names.length; i++) this.channelCdf[i] = this.channelCdf[i]! / acc;
    this.channelCdf[this.channels.length - 1] = 1;

    const hourly = profile.hourlyProfile?.length === 24 ? profile.hourlyProfile : new Array<number>(24).fill(1);
    let sum = 0, max = 0;
    for (const w of hourly) {
      if (!(w >= 0)) throw new RangeError(`ORDERS_BAD_HOURLY_PROFILE: ${w}`);
      sum += w;
      max = Math.max(max, w);
    }
    this.hourAccept = new Float64Array(24);
    for (let h = 0; h < 24; h++) this.hourAccept[h] = max > 0 ? hourly[h]! / max : 0;
    this.lambdaMax = max > 0 && profile.ordersPerHour > 0 ? (profile.ordersPerHour * max) / (sum / 24) / 3600 : 0;
    this.startSecondOfDay = opts.startSecondOfDay ?? 0;
    this.used = new Uint8Array(skus);
    this.contentRng = forkRng(rng, 1);
    this.arrivalRng = forkRng(rng, 2);
  }

  /** One SKU drawn by the skew. */
  private drawSku(): number {
    const r = this.contentRng;
    if (this.top === this.skus || nextFloat(r) < this.topShare) return nextInt(r, this.top);
    return this.top + nextInt(r, this.skus - this.top);
  }

  /** The next order's content. Advances the content stream only. */
  nextOrder(id: number, createdTick: number): OrderSpec {
    const r = this.contentRng;
    const u = nextFloat(r);
    let c = 0;
    while (c < this.channelCdf.length - 1 && u >= this.channelCdf[c]!) c++;
    const count = drawFromCdf(r, this.linesCdf);
    const lines: { sku: number; qty: number }[] = [];
    for (let i = 0; i < count; i++) {
      let sku = this.drawSku();
      // Redraw duplicates; after 64 misses take the lowest unused id so a tiny catalogue cannot loop.
      for (let tries = 0; this.used[sku] === 1; tries++) {
        if (tries < 64) { sku = this.drawSku(); continue; }
        sku = 0;
        while (this.used[sku] === 1) sku++;
      }
      this.used[sku] = 1;
      lines.push({ sku, qty: drawFromCdf(r, this.unitsCdf) });
    }
    for (const l of lines) this.used[l.sku] = 0;
    return { id, channel: this.channels[c]!, createdTick, lines };
  }

  /** Peek the next arrival (seconds) at or after fromSeconds, drawing it by thinning if needed. */
  private peek(fromSeconds: number): number {
    if (!Number.isNaN(this.pending) && this.pending >= fromSeconds) return this.pending;
    // Memoryless: restarting the process at fromSeconds is exact, so a skipped window costs nothing.
    let t = Math.max(this.clock, fromSeconds);
    if (this.lambdaMax <= 0) return (this.pending = Number.POSITIVE_INFINITY);
    const meanGap = 1 / this.lambdaMax;
    for (;;) {
      t += nextExponential(this.arrivalRng, meanGap);
      const hour = Math.floor((this.startSecondOfDay + t) / 3600) % 24;
      if (nextFloat(this.arrivalRng) < this.hourAccept[hour]!) break;
    }
    return (this.pending = t);
  }

  private consume(): void {
    this.clock = this.pending;
    this.pending = Number.NaN;
  }

  /**
   * Ticks of the arrivals in [fromTick, toTick), ascending (several may share a tick). Call with
   * contiguous windows; a window that starts later than the previous one ended restarts the process there.
   */
  arrivalsBetween(fromTick: number, toTick: number, tickSeconds: number): number[] {
    const out: number[] = [];
    const end = toTick * tickSeconds;
    for (;;) {
      const t = this.peek(fromTick * tickSeconds);
      if (t >= end) return out;
      this.consume();
      out.push(Math.min(toTick - 1, Math.max(fromTick, Math.floor(t / tickSeconds))));
    }
  }

  /** Tick (>= afterTick) of the next arrival, consuming it; Infinity if the rate is zero everywhere. */
  nextArrivalTick(afterTick: number, tickSeconds: number): number {
    const t = this.peek(afterTick * tickSeconds);
    if (t === Number.POSITIVE_INFINITY) return t;
    this.consume();
    return Math.max(afterTick, Math.floor(t / tickSeconds));
  }
}
