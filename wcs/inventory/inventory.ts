/**
 * Stock by bin compartment: which SKU each compartment holds, units on hand and units reserved for order
 * lines. AutoStore knows bins only; this is the WCS side of the SKU -> bin mapping. Reservation is an
 * atomic check-and-reserve, so a unit can never be promised twice.
 */
import { nextInt, type RngState } from '../../sim/rng.ts';
import { skuDemandWeights } from '../orders/profile.ts';

/** What seeding needs: the inventory part of WcsConfig plus the demand skew. */
export interface InventorySeedConfig {
  skus: number;
  unitsPerBin: { min: number; max: number };
  compartments: number;
  /** Compartments stocked per SKU on average; undefined: every compartment. */
  slotsPerSku?: number;
  skew: { share: number; of: number };
}

/** One compartment of a bin, for inspection. sku -1 means the compartment was never assigned. */
export interface CompartmentView { sku: number; onHand: number; reserved: number }

function checkQty(qty: number): void {
  if (!Number.isInteger(qty) || qty <= 0) throw new RangeError(`INV_BAD_QTY: ${qty}`);
}

/**
 * SKU -> bins and quantities with reservations. Slot = bin * compartments + c; per slot (sku, onHand,
 * reserved) in Int32Arrays. Per-SKU available totals are kept incrementally so available(sku) is O(1);
 * per-bin operations cost O(compartments). Mutating methods are not pure; queries are.
 *
 * A bin may hold the same SKU in more than one compartment (the seeding shuffle allows it); every
 * per-bin operation treats those compartments as one pool, filled and drained in compartment order.
 */
export class Inventory {
  /** Per slot: SKU id (-1 unassigned), units on hand, units reserved. Exposed for hashing and snapshots: read only. */
  readonly slotSku: Int32Array;
  readonly onHand: Int32Array;
  readonly reserved: Int32Array;
  /** Per SKU: on hand minus reserved, summed over all its slots. */
  private readonly availBySku: Int32Array;
  private readonly bins: number[][];

  constructor(readonly binCount: number, readonly compartments: number, readonly skus: number) {
    const n = binCount * compartments;
    this.slotSku = new Int32Array(n).fill(-1);
    this.onHand = new Int32Array(n);
    this.reserved = new Int32Array(n);
    this.availBySku = new Int32Array(skus);
    this.bins = Array.from({ length: skus }, () => []);
  }

  /**
   * A seeded layout. `skus x slotsPerSku` slots are stocked (all of them without slotsPerSku): every SKU
   * gets one, the rest are apportioned by demand weight (largest remainder, ties to the lower SKU id), so
   * popular SKUs sit in more bins; the other slots stay empty. The slot list is Fisher-Yates shuffled by
   * `rng` to spread stock over the grid; quantities are uniform integers in [min, max]. Deterministic
   * given the rng state; advances it.
   */
  static seed(binCount: number, cfg: InventorySeedConfig, rng: RngState): Inventory {
    const c = Math.max(1, cfg.compartments);
    const inv = new Inventory(binCount, c, cfg.skus);
    const slots = binCount * c;
    if (slots < cfg.skus) throw new RangeError(`INV_TOO_FEW_SLOTS: ${slots} slots for ${cfg.skus} SKUs`);
    const { min, max } = cfg.unitsPerBin;
    if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max >= min)) {
      throw new RangeError(`INV_BAD_UNITS_PER_BIN: ${min}..${max}`);
    }
    const weights = skuDemandWeights(cfg.skus, cfg.skew);
    const stocked = cfg.slotsPerSku === undefined ? slots : Math.min(slots, Math.max(cfg.skus, Math.round(cfg.skus * cfg.slotsPerSku)));
    const extra = stocked - cfg.skus;
    const count = new Int32Array(cfg.skus);
    const frac = new Float64Array(cfg.skus);
    let given = 0;
    for (let s = 0; s < cfg.skus; s++) {
      const share = extra * weights[s]!;
      count[s] = 1 + Math.floor(share);
      frac[s] = share - Math.floor(share);
      given += count[s]!;
    }
    if (given < stocked) {
      const order = Array.from({ length: cfg.skus }, (_, s) => s);
      order.sort((a, b) => frac[b]! - frac[a]! || a - b);
      for (let i = 0; given < stocked; i++, given++) count[order[i % cfg.skus]!]!++;
    }
    const layout = new Int32Array(slots).fill(-1);
    for (let s = 0, k = 0; s < cfg.skus; s++) for (let j = 0; j < count[s]!; j++) layout[k++] = s;
    for (let i = slots - 1; i > 0; i--) {
      const j = nextInt(rng, i + 1);
      const t = layout[i]!; layout[i] = layout[j]!; layout[j] = t;
    }
    for (let slot = 0; slot < slots; slot++) {
      const sku = layout[slot]!;
      if (sku < 0) continue; // left empty
      const qty = min + nextInt(rng, max - min + 1);
      inv.slotSku[slot] = sku;
      inv.onHand[slot] = qty;
      inv.availBySku[sku] = inv.availBySku[sku]! + qty;
      const list = inv.bins[sku]!;
      const bin = Math.floor(slot / c);
      // Slots are visited in bin order, so a repeat of this bin can only be the last entry.
      if (list[list.length - 1] !== bin) list.push(bin);
    }
    return inv;
  }

  /** Bin ids holding `sku`, ascending. The internal array: do not mutate. Pure. */
  binsWithSku(sku: number): readonly number[] {
    return this.bins[sku] ?? [];
  }

  /** Units of `sku` that can still be reserved, over all bins. O(1), pure. */
  available(sku: number): number {
    return this.availBySku[sku] ?? 0;
  }

  /** Units of `sku` in `bin` that can still be reserved. O(compartments), pure. */
  availableInBin(bin: number, sku: number): number {
    let a = 0;
    for (let slot = bin * this.compartments, end = slot + this.compartments; slot < end; slot++) {
      if (this.slotSku[slot] === sku) a += this.onHand[slot]! - this.reserved[slot]!;
    }
    return a;
  }

  /** True if `bin` has a compartment assigned to `sku` (even if it is empty). Pure. */
  holds(bin: number, sku: number): boolean {
    for (let slot = bin * this.compartments, end = slot + this.compartments; slot < end; slot++) {
      if (this.slotSku[slot] === sku) return true;
    }
    return false;
  }

  /** Atomic check-and-reserve: reserves `qty` units of `sku` in `bin`, or returns false and changes nothing. */
  reserve(bin: number, sku: number, qty: number): boolean {
    checkQty(qty);
    if (this.availableInBin(bin, sku) < qty) return false;
    let left = qty;
    for (let slot = bin * this.compartments, end = slot + this.compartments; left > 0 && slot < end; slot++) {
      if (this.slotSku[slot] !== sku) continue;
      const take = Math.min(left, this.onHand[slot]! - this.reserved[slot]!);
      this.reserved[slot] = this.reserved[slot]! + take;
      left -= take;
    }
    this.availBySku[sku] = this.availBySku[sku]! - qty;
    return true;
  }

  /** Returns `qty` reserved units of `sku` in `bin` to available. Throws INV_OVER_RELEASE if not reserved. */
  release(bin: number, sku: number, qty: number): void {
    checkQty(qty);
    if (this.reservedInBin(bin, sku) < qty) throw new RangeError(`INV_OVER_RELEASE: bin ${bin} sku ${sku} qty ${qty}`);
    let left = qty;
    for (let slot = bin * this.compartments, end = slot + this.compartments; left > 0 && slot < end; slot++) {
      if (this.slotSku[slot] !== sku) continue;
      const take = Math.min(left, this.reserved[slot]!);
      this.reserved[slot] = this.reserved[slot]! - take;
      left -= take;
    }
    this.availBySku[sku] = this.availBySku[sku]! + qty;
  }

  /**
   * Consumes a reservation: onHand -= qty and reserved -= qty. Throws INV_OVERPICK (and changes nothing)
   * if fewer than `qty` units are reserved. Available is unchanged: the units were already not available.
   */
  pick(bin: number, sku: number, qty: number): void {
    checkQty(qty);
    if (this.reservedInBin(bin, sku) < qty) throw new RangeError(`INV_OVERPICK: bin ${bin} sku ${sku} qty ${qty}`);
    let left = qty;
    for (let slot = bin * this.compartments, end = slot + this.compartments; left > 0 && slot < end; slot++) {
      if (this.slotSku[slot] !== sku) continue;
      const take = Math.min(left, this.reserved[slot]!);
      this.reserved[slot] = this.reserved[slot]! - take;
      this.onHand[slot] = this.onHand[slot]! - take;
      left -= take;
    }
  }

  /**
   * Puts `qty` units of `sku` into `bin` (backlog mode tops stock up so a long run never runs dry). The
   * bin must already hold the SKU (compartments are dedicated); throws INV_NOT_IN_BIN otherwise.
   * No capacity limit is enforced.
   */
  replenish(bin: number, sku: number, qty: number): void {
    checkQty(qty);
    for (let slot = bin * this.compartments, end = slot + this.compartments; slot < end; slot++) {
      if (this.slotSku[slot] !== sku) continue;
      this.onHand[slot] = this.onHand[slot]! + qty;
      this.availBySku[sku] = this.availBySku[sku]! + qty;
      return;
    }
    throw new RangeError(`INV_NOT_IN_BIN: bin ${bin} sku ${sku}`);
  }

  /** True when `sku`'s total available is below `threshold`. O(1), pure. */
  lowStock(sku: number, threshold: number): boolean {
    return this.available(sku) < threshold;
  }

  /** The bin holding `sku` with the fewest units on hand (ties: lowest bin id), a replenish target. Pure. */
  emptiestBin(sku: number): number {
    let best = -1, bestQty = Infinity;
    for (const bin of this.binsWithSku(sku)) {
      const q = this.onHandInBin(bin, sku);
      if (q < bestQty) { best = bin; bestQty = q; }
    }
    return best;
  }

  /** Units of `sku` reserved in `bin`. Pure. */
  reservedInBin(bin: number, sku: number): number {
    let r = 0;
    for (let slot = bin * this.compartments, end = slot + this.compartments; slot < end; slot++) {
      if (this.slotSku[slot] === sku) r += this.reserved[slot]!;
    }
    return r;
  }

  /** Units of `sku` on hand in `bin`. Pure. */
  onHandInBin(bin: number, sku: number): number {
    let q = 0;
    for (let slot = bin * this.compartments, end = slot + this.compartments; slot < end; slot++) {
      if (this.slotSku[slot] === sku) q += this.onHand[slot]!;
    }
    return q;
  }

  /** Sums over every slot, recomputed (O(slots)): for conservation checks, not hot paths. Pure. */
  totals(): { onHand: number; reserved: number } {
    let onHand = 0, reserved = 0;
    for (let i = 0; i < this.onHand.length; i++) { onHand += this.onHand[i]!; reserved += this.reserved[i]!; }
    return { onHand, reserved };
  }

  /**
   * Invariant check (O(slots)): no negative or over-reserved slot, per-SKU available cache matches the
   * slots. Returns the problems found, empty if none. Pure.
   */
  audit(): string[] {
    const problems: string[] = [];
    const avail = new Float64Array(this.skus);
    for (let slot = 0; slot < this.onHand.length; slot++) {
      const h = this.onHand[slot]!, r = this.reserved[slot]!, sku = this.slotSku[slot]!;
      if (r < 0 || h < r) problems.push(`slot ${slot}: onHand ${h} reserved ${r}`);
      if (sku >= 0) avail[sku] = avail[sku]! + h - r;
    }
    for (let s = 0; s < this.skus; s++) {
      if (avail[s] !== this.availBySku[s]) problems.push(`sku ${s}: available ${this.availBySku[s]} != ${avail[s]}`);
    }
    return problems;
  }

  /** The compartments of `bin`, in order (allocates; for inspection and records). Pure. */
  contents(bin: number): CompartmentView[] {
    const out: CompartmentView[] = [];
    for (let slot = bin * this.compartments, end = slot + this.compartments; slot < end; slot++) {
      out.push({ sku: this.slotSku[slot]!, onHand: this.onHand[slot]!, reserved: this.reserved[slot]! });
    }
    return out;
  }
}
