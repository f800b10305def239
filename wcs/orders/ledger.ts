/**
 * The site's stock ledger at SKU level: units on hand, units promised to customers (reserved), safety
 * stock and per-channel buffers, and the journal of every movement. The one source of truth for what can
 * be sold: `available(sku, channel) = onHand − reserved − safetyStock − buffer(channel)`.
 *
 * Invariants (checked by `audit` against the journal):
 * - on hand and reserved of every SKU equal the sums of the journal's deltas for it;
 * - 0 <= reserved <= on hand: a reservation is only made against units on hand, a pick removes units and
 *   their reservation together, and a count may not take on hand below what is promised.
 *
 * The ledger hands every movement to `onMovement` (the store keeps the journal) and keeps only the
 * totals, so its memory does not grow with the history.
 *
 * The ledger knows SKUs, not bins: which bin holds the units is the WCS's business (wcs/inventory). Every
 * mutation is all-or-nothing: it checks first, then writes, and throws a LedgerError naming the rule
 * broken without changing anything. Pure apart from mutating itself; no I/O, no clock (callers pass
 * the simulated time).
 */

/** What moved: stock arrives, is promised, is freed, leaves in a pick, or is corrected by a count. */
export type MovementKind = 'receipt' | 'reserve' | 'release' | 'pick' | 'adjust';

/** One journal entry. `onHand` and `reserved` are deltas; `ref` ties it to an order line, hold or receipt. */
export interface Movement {
  seq: number;
  /** Simulated seconds since the site's clock started. */
  at: number;
  kind: MovementKind;
  sku: number;
  onHand: number;
  reserved: number;
  ref: string;
  /** The bin the units went into or came out of, where the WCS knows it (receipts, picks, counts). */
  bin?: number;
}

/** A rule a ledger mutation would break. Nothing was changed. */
export class LedgerError extends Error {
  constructor(readonly code: 'LEDGER_BAD_QTY' | 'LEDGER_UNKNOWN_SKU' | 'LEDGER_INSUFFICIENT' | 'LEDGER_OVER_RELEASE' | 'LEDGER_NEGATIVE', message: string) {
    super(`${code}: ${message}`);
    this.name = 'LedgerError';
  }
}

/** A quantity wanted per SKU (a SKU appears at most once). */
export interface SkuQty { sku: number; qty: number }

/** What could not be covered: per SKU, wanted and available. */
export interface Shortfall { sku: number; requested: number; available: number }

export class Ledger {
  readonly onHand: Int32Array;
  readonly reserved: Int32Array;
  readonly safety: Int32Array;
  /** Channel names with a buffer, and per channel the units per SKU held back from it. */
  private readonly buffers = new Map<string, Int32Array>();
  private seq = 0;
  /** Called with every movement as it is made (a store appends it to its journal). */
  onMovement?: (m: Movement) => void;

  constructor(readonly skus: number) {
    this.onHand = new Int32Array(skus);
    this.reserved = new Int32Array(skus);
    this.safety = new Int32Array(skus);
  }

  private checkSku(sku: number): void {
    if (!(Number.isInteger(sku) && sku >= 0 && sku < this.skus)) throw new LedgerError('LEDGER_UNKNOWN_SKU', `${sku}`);
  }

  private static checkQty(qty: number): void {
    if (!(Number.isInteger(qty) && qty > 0 && qty <= 0x3fffffff)) throw new LedgerError('LEDGER_BAD_QTY', `${qty}`);
  }

  /** Units of `sku` that can be promised to an order from `channel` now. O(1), pure. */
  available(sku: number, channel?: string): number {
    const buffer = channel !== undefined ? this.buffers.get(channel)?.[sku] ?? 0 : 0;
    return Math.max(0, this.onHand[sku]! - this.reserved[sku]! - this.safety[sku]! - buffer);
  }

  /** Per channel: units of `sku` that channel can be promised. Pure. */
  availableByChannel(sku: number, channels: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of channels) out[c] = this.available(sku, c);
    return out;
  }

  /** Sets the safety stock of a SKU (units never promised to any channel). */
  setSafetyStock(sku: number, units: number): void {
    this.checkSku(sku);
    if (!(Number.isInteger(units) && units >= 0)) throw new LedgerError('LEDGER_BAD_QTY', `${units}`);
    this.safety[sku] = units;
  }

  /** Sets the units of a SKU held back from one channel (on top of safety stock). */
  setChannelBuffer(channel: string, sku: number, units: number): void {
    this.checkSku(sku);
    if (!(Number.isInteger(units) && units >= 0)) throw new LedgerError('LEDGER_BAD_QTY', `${units}`);
    let b = this.buffers.get(channel);
    if (!b) this.buffers.set(channel, (b = new Int32Array(this.skus)));
    b[sku] = units;
  }

  /** Channels that have a buffer. Pure. */
  bufferedChannels(): string[] { return [...this.buffers.keys()].sort(); }

  /** Units of `sku` held back from `channel`. Pure. */
  buffer(channel: string, sku: number): number { return this.buffers.get(channel)?.[sku] ?? 0; }

  private record(at: number, kind: MovementKind, sku: number, onHand: number, reserved: number, ref: string, bin?: number): void {
    this.onHand[sku] = this.onHand[sku]! + onHand;
    this.reserved[sku] = this.reserved[sku]! + reserved;
    this.onMovement?.(bin === undefined ? { seq: ++this.seq, at, kind, sku, onHand, reserved, ref } : { seq: ++this.seq, at, kind, sku, onHand, reserved, ref, bin });
  }

  /** Stock arrives (a receipt, or the site's opening stock). */
  receive(sku: number, qty: number, at: number, ref: string, bin?: number): void {
    this.checkSku(sku);
    Ledger.checkQty(qty);
    this.record(at, 'receipt', sku, qty, 0, ref, bin);
  }

  /**
   * What `wants` would be short of, for `channel`: empty when everything can be promised. Pure.
   * A SKU listed twice is checked for its total.
   */
  shortfall(wants: readonly SkuQty[], channel?: string): Shortfall[] {
    const total = new Map<number, number>();
    for (const w of wants) {
      this.checkSku(w.sku);
      Ledger.checkQty(w.qty);
      total.set(w.sku, (total.get(w.sku) ?? 0) + w.qty);
    }
    const out: Shortfall[] = [];
    for (const [sku, requested] of total) {
      const available = this.available(sku, channel);
      if (requested > available) out.push({ sku, requested, available });
    }
    return out.sort((a, b) => a.sku - b.sku);
  }

  /**
   * Promises units to one reference, all of `wants` or none: the atomic check-and-reserve that keeps the
   * site from overselling. Returns the shortfall (and reserves nothing) when something cannot be covered.
   */
  reserve(wants: readonly SkuQty[], channel: string | undefined, at: number, ref: string): Shortfall[] {
    const short = this.shortfall(wants, channel);
    if (short.length > 0) return short;
    for (const w of wants) this.record(at, 'reserve', w.sku, 0, w.qty, ref);
    return short;
  }

  /** Frees promised units (a cancel, an expired hold, a short pick's remainder). */
  release(sku: number, qty: number, at: number, ref: string): void {
    this.checkSku(sku);
    Ledger.checkQty(qty);
    if (qty > this.reserved[sku]!) throw new LedgerError('LEDGER_OVER_RELEASE', `sku ${sku}: release ${qty} of ${this.reserved[sku]} reserved`);
    this.record(at, 'release', sku, 0, -qty, ref);
  }

  /** Promised units leave the site in a pick: on hand and reserved both drop by `qty`. */
  pick(sku: number, qty: number, at: number, ref: string, bin?: number): void {
    this.checkSku(sku);
    Ledger.checkQty(qty);
    if (qty > this.reserved[sku]!) throw new LedgerError('LEDGER_OVER_RELEASE', `sku ${sku}: pick ${qty} of ${this.reserved[sku]} reserved`);
    this.record(at, 'pick', sku, -qty, -qty, ref, bin);
  }

  /**
   * A stock count corrects on hand by `delta` (positive: found units; negative: lost units). A loss may
   * not take on hand below what is promised: the caller must first release or short those lines.
   */
  adjust(sku: number, delta: number, at: number, ref: string, bin?: number): void {
    this.checkSku(sku);
    if (!(Number.isInteger(delta) && delta !== 0)) throw new LedgerError('LEDGER_BAD_QTY', `${delta}`);
    if (this.onHand[sku]! + delta < this.reserved[sku]!) {
      throw new LedgerError('LEDGER_NEGATIVE', `sku ${sku}: on hand ${this.onHand[sku]} ${delta} would fall below the ${this.reserved[sku]} reserved`);
    }
    this.record(at, 'adjust', sku, delta, 0, ref, bin);
  }

  /** Sequence number of the last movement. */
  get lastSeq(): number { return this.seq; }

  /**
   * Rebuilds a ledger from a journal (after a restart): replays every movement in order. Safety stock
   * and buffers are set by the caller afterwards.
   */
  static replay(skus: number, journal: Iterable<Movement>): Ledger {
    const l = new Ledger(skus);
    for (const m of journal) {
      l.checkSku(m.sku);
      l.onHand[m.sku] = l.onHand[m.sku]! + m.onHand;
      l.reserved[m.sku] = l.reserved[m.sku]! + m.reserved;
      l.seq = Math.max(l.seq, m.seq);
    }
    return l;
  }

  /**
   * Proves the arithmetic: on hand and reserved of every SKU equal what the journal adds up to, and
   * 0 <= reserved <= on hand. Returns the problems found (empty when sound). Pure.
   */
  audit(journal: Iterable<Movement>): string[] {
    const oh = new Float64Array(this.skus);
    const rs = new Float64Array(this.skus);
    for (const m of journal) { oh[m.sku] = oh[m.sku]! + m.onHand; rs[m.sku] = rs[m.sku]! + m.reserved; }
    const problems: string[] = [];
    for (let s = 0; s < this.skus; s++) {
      if (oh[s] !== this.onHand[s]) problems.push(`sku ${s}: on hand ${this.onHand[s]}, journal ${oh[s]}`);
      if (rs[s] !== this.reserved[s]) problems.push(`sku ${s}: reserved ${this.reserved[s]}, journal ${rs[s]}`);
      if (this.reserved[s]! < 0 || this.reserved[s]! > this.onHand[s]!) problems.push(`sku ${s}: reserved ${this.reserved[s]} outside 0..${this.onHand[s]}`);
    }
    return problems;
  }
}
