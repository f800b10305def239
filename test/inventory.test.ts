import { describe, expect, it } from 'vitest';
import { createRng, nextInt } from '../sim/rng.ts';
import { Inventory, type InventorySeedConfig } from '../wcs/inventory/inventory.ts';

const CFG: InventorySeedConfig = { skus: 1000, unitsPerBin: { min: 5, max: 20 }, compartments: 1, skew: { share: 0.8, of: 0.2 } };

describe('Inventory.seed', () => {
  it('gives every SKU at least one bin and fills every slot', () => {
    const inv = Inventory.seed(5000, CFG, createRng(7));
    for (let s = 0; s < CFG.skus; s++) expect(inv.binsWithSku(s).length).toBeGreaterThan(0);
    for (let slot = 0; slot < inv.slotSku.length; slot++) {
      expect(inv.slotSku[slot]).toBeGreaterThanOrEqual(0);
      expect(inv.onHand[slot]).toBeGreaterThanOrEqual(5);
      expect(inv.onHand[slot]).toBeLessThanOrEqual(20);
    }
    expect(inv.audit()).toEqual([]);
  });

  it('gives popular SKUs more bins, in proportion to demand', () => {
    const inv = Inventory.seed(5000, CFG, createRng(7));
    // 4000 spare slots: a top-200 SKU gets 1 + 4000·0.8/200 = 17, a slow mover 1 + 4000·0.2/800 = 2.
    expect(inv.binsWithSku(0).length).toBe(17);
    expect(inv.binsWithSku(199).length).toBe(17);
    expect(inv.binsWithSku(200).length).toBe(2);
    expect(inv.binsWithSku(999).length).toBe(2);
  });

  it('stocks skus x slotsPerSku compartments, popular SKUs in more, and leaves the rest empty', () => {
    const inv = Inventory.seed(5000, { ...CFG, slotsPerSku: 2 }, createRng(7));
    const stocked = Array.from(inv.slotSku).filter((s) => s >= 0).length;
    expect(stocked).toBe(2000);
    // 1000 spare stocked slots: a top-200 SKU gets 1 + 1000·0.8/200 = 5, a slow mover 1 or 2 (1.25 on average).
    expect(inv.binsWithSku(0).length).toBe(5);
    expect(inv.binsWithSku(199).length).toBe(5);
    const slow = Array.from({ length: 800 }, (_, i) => inv.binsWithSku(200 + i).length);
    expect(Math.min(...slow)).toBe(1);
    expect(slow.reduce((a, b) => a + b, 0)).toBe(1000);
    for (let slot = 0; slot < inv.slotSku.length; slot++) if (inv.slotSku[slot]! < 0) expect(inv.onHand[slot]).toBe(0);
    expect(inv.audit()).toEqual([]);
  });

  it('spreads popular stock over the bin range', () => {
    const inv = Inventory.seed(5000, CFG, createRng(7));
    const bins = inv.binsWithSku(0);
    expect(bins[0]!).toBeLessThan(2500);
    expect(bins[bins.length - 1]!).toBeGreaterThan(2500);
  });

  it('handles several compartments per bin, possibly the same SKU twice', () => {
    const inv = Inventory.seed(50, { ...CFG, skus: 20, compartments: 4 }, createRng(3));
    expect(inv.audit()).toEqual([]);
    for (let s = 0; s < 20; s++) {
      const bins = inv.binsWithSku(s);
      expect(new Set(bins).size).toBe(bins.length);
      let sum = 0;
      for (const b of bins) sum += inv.availableInBin(b, s);
      expect(sum).toBe(inv.available(s));
    }
  });

  it('same seed, same layout; another seed, another layout', () => {
    const a = Inventory.seed(2000, CFG, createRng(11));
    const b = Inventory.seed(2000, CFG, createRng(11));
    const c = Inventory.seed(2000, CFG, createRng(12));
    expect(Array.from(a.slotSku)).toEqual(Array.from(b.slotSku));
    expect(Array.from(a.onHand)).toEqual(Array.from(b.onHand));
    expect(Array.from(a.slotSku)).not.toEqual(Array.from(c.slotSku));
  });

  it('rejects more SKUs than slots', () => {
    expect(() => Inventory.seed(10, { ...CFG, skus: 11 }, createRng(1))).toThrow(/INV_TOO_FEW_SLOTS/);
  });
});

describe('Inventory reservations', () => {
  it('reserve, release, pick arithmetic', () => {
    const inv = Inventory.seed(100, { ...CFG, skus: 10 }, createRng(5));
    const bin = inv.binsWithSku(3)[0]!;
    const inBin = inv.availableInBin(bin, 3);
    const total = inv.available(3);
    expect(inv.reserve(bin, 3, 2)).toBe(true);
    expect(inv.availableInBin(bin, 3)).toBe(inBin - 2);
    expect(inv.available(3)).toBe(total - 2);
    inv.release(bin, 3, 1);
    expect(inv.available(3)).toBe(total - 1);
    inv.pick(bin, 3, 1);
    expect(inv.available(3)).toBe(total - 1);
    expect(inv.onHandInBin(bin, 3)).toBe(inBin - 1);
    expect(inv.reservedInBin(bin, 3)).toBe(0);
    expect(() => inv.pick(bin, 3, 1)).toThrow(/INV_OVERPICK/);
    expect(() => inv.release(bin, 3, 1)).toThrow(/INV_OVER_RELEASE/);
    expect(inv.reserve(bin, 3, inBin)).toBe(false);
    expect(inv.availableInBin(bin, 3)).toBe(inBin - 1);
    expect(() => inv.reserve(bin, 3, 0)).toThrow(/INV_BAD_QTY/);
    expect(inv.audit()).toEqual([]);
  });

  it('never oversells, however many buyers race for the last units', () => {
    const inv = Inventory.seed(60, { ...CFG, skus: 3, compartments: 2 }, createRng(9));
    const rng = createRng(99);
    const stock = inv.available(1);
    let granted = 0;
    for (let attempt = 0; attempt < 20_000; attempt++) {
      const bins = inv.binsWithSku(1);
      const bin = bins[nextInt(rng, bins.length)]!;
      if (inv.reserve(bin, 1, 1 + nextInt(rng, 3))) granted = stock - inv.available(1);
      expect(inv.available(1)).toBeGreaterThanOrEqual(0);
    }
    expect(granted).toBe(stock - inv.available(1));
    // Whatever is left (fewer than 3 per bin at most) goes to exactly the units there are, one at a time.
    let singles = 0;
    for (let attempt = 0; attempt < 1000; attempt++) {
      for (const bin of inv.binsWithSku(1)) if (inv.reserve(bin, 1, 1)) singles++;
    }
    expect(inv.available(1)).toBe(0);
    expect(stock - granted).toBe(singles);
    for (const bin of inv.binsWithSku(1)) expect(inv.reservedInBin(bin, 1)).toBe(inv.onHandInBin(bin, 1));
    expect(inv.audit()).toEqual([]);
  });

  it('conserves units: onHand falls only by picks, replenish adds back', () => {
    const inv = Inventory.seed(500, { ...CFG, skus: 50 }, createRng(21));
    const rng = createRng(4);
    const start = inv.totals().onHand;
    let picked = 0, added = 0;
    const held: { bin: number; sku: number; qty: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      const sku = nextInt(rng, 50);
      const bins = inv.binsWithSku(sku);
      const bin = bins[nextInt(rng, bins.length)]!;
      const op = nextInt(rng, 4);
      if (op <= 1) { const qty = 1 + nextInt(rng, 4); if (inv.reserve(bin, sku, qty)) held.push({ bin, sku, qty }); }
      else if (held.length > 0) {
        const h = held.splice(nextInt(rng, held.length), 1)[0]!;
        if (op === 2) { inv.pick(h.bin, h.sku, h.qty); picked += h.qty; } else inv.release(h.bin, h.sku, h.qty);
      }
      if (inv.lowStock(sku, 10)) { inv.replenish(inv.emptiestBin(sku), sku, 10); added += 10; }
      const t = inv.totals();
      expect(t.onHand).toBe(start - picked + added);
      expect(t.reserved).toBe(held.reduce((a, h) => a + h.qty, 0));
    }
    expect(inv.audit()).toEqual([]);
  });

  it('replenish needs the SKU in the bin', () => {
    const inv = Inventory.seed(10, { ...CFG, skus: 10 }, createRng(1));
    const bin = inv.binsWithSku(0)[0]!;
    const other = inv.contents(bin)[0]!.sku === 0 ? 1 : 0;
    if (!inv.holds(bin, other)) expect(() => inv.replenish(bin, other, 1)).toThrow(/INV_NOT_IN_BIN/);
    expect(inv.contents(bin)).toEqual([{ sku: 0, onHand: inv.onHandInBin(bin, 0), reserved: 0 }]);
  });
});
