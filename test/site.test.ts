/**
 * One site end to end in one process: orders placed in the order layer are reserved, handed to the WCS,
 * picked at the ports and confirmed back; the ledger's on hand equals the bins' throughout; a line no
 * single bin covers is split over bins instead of going short; cancelled lines leave the grid's work.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../wcs/scenario/load.ts';
import { seededSkuCode } from '../wcs/orders/catalogue.ts';
import { MemoryStore } from '../wcs/orders/memory-store.ts';
import { Site } from '../wcs/site/site.ts';
import type { ScenarioFile } from '../wcs/scenario/types.ts';

function smokeSite(mutate?: (f: ScenarioFile) => void): Site {
  const f = JSON.parse(readFileSync(new URL('../scenarios/smoke.json', import.meta.url), 'utf8')) as ScenarioFile;
  mutate?.(f);
  return new Site(parseScenario(f), { id: 'S1', store: new MemoryStore() });
}

/** On hand per SKU: the ledger's and the bins' must agree. */
function expectLedgerMatchesBins(site: Site): void {
  const inv = site.dispatcher.inventory;
  const bins = new Float64Array(inv.skus);
  for (let b = 0; b < inv.binCount; b++) for (const c of inv.contents(b)) if (c.sku >= 0) bins[c.sku]! += c.onHand;
  for (let s = 0; s < inv.skus; s++) expect(site.orders.ledger.onHand[s], `sku ${s}`).toBe(bins[s]);
}

describe('a site: order layer, WCS and grid together', () => {
  it('orders placed through the order layer are picked at the ports and confirmed back', () => {
    const site = smokeSite();
    expectLedgerMatchesBins(site);
    const before = site.orders.inventory(0).onHand;
    for (let i = 0; i < 20; i++) {
      site.orders.place({ id: `o${i}`, channel: i % 2 ? 'web' : 'click-and-collect', lines: [{ sku: seededSkuCode(i % 7), qty: 1 }, { sku: seededSkuCode(10 + (i % 5)), qty: 2 }] });
    }
    site.run(1800);
    for (let i = 0; i < 20; i++) {
      const o = site.orders.get(`o${i}`)!;
      expect(o.status, `o${i}`).toBe('complete');
      expect(o.lines.every((l) => l.state === 'picked' && l.picked === l.qty)).toBe(true);
      site.orders.dispatch(o.id, o.channel === 'click-and-collect' ? 'collected' : 'shipped');
    }
    expect(site.orders.inventory(0).onHand).toBe(before - 3);
    expect(site.orders.inventory(0).reserved).toBe(0);
    expectLedgerMatchesBins(site);
    expect(site.dispatcher.inventory.audit()).toEqual([]);
  });

  it('a line no single bin covers is split over bins and picked whole', () => {
    const site = smokeSite();
    const sku = 0;
    const inv = site.dispatcher.inventory;
    const perBin = inv.binsWithSku(sku).map((b) => inv.onHandInBin(b, sku));
    const most = Math.max(...perBin);
    const qty = most + 1;
    expect(site.orders.availableToPromise(sku)).toBeGreaterThanOrEqual(qty);
    site.orders.place({ id: 'big', channel: 'web', lines: [{ sku: seededSkuCode(sku), qty }] });
    site.run(1800);
    const o = site.orders.get('big')!;
    expect(o.lines[0]).toMatchObject({ state: 'picked', picked: qty });
    expect(site.dispatcher.splitLines).toBe(1);
    expectLedgerMatchesBins(site);
  });

  it('a line cancelled after release leaves the grid\'s work; its stock is free again', () => {
    const site = smokeSite();
    // More lines than robots: some wait in the WCS's queue, released but not yet picking.
    for (let i = 0; i < 60; i++) site.orders.place({ id: `q${i}`, channel: 'web', lines: [{ sku: seededSkuCode(i % 20), qty: 1 }] });
    for (let i = 0; i < 5; i++) site.tick();
    const waiting = Array.from({ length: 60 }, (_, i) => site.orders.get(`q${i}`)!).filter((o) => o.lines[0]!.state === 'released');
    expect(waiting.length).toBeGreaterThan(0);
    const victim = waiting.at(-1)!;
    const sku = Number(victim.lines[0]!.sku.slice(4)) - 1;
    site.orders.cancel(victim.id);
    site.run(1800);
    expect(site.orders.get(victim.id)!.status).toBe('cancelled');
    expect(site.orders.inventory(sku).reserved).toBe(0);
    expect(site.dispatcher.inventory.audit()).toEqual([]);
    expectLedgerMatchesBins(site);
    const inv = site.dispatcher.inventory;
    for (const b of inv.binsWithSku(sku)) expect(inv.reservedInBin(b, sku)).toBe(0);
    for (let i = 0; i < 60; i++) if (`q${i}` !== victim.id) expect(site.orders.get(`q${i}`)!.status).toBe('complete');
  });

  it('receipts go into bins and fill backorders, which are then picked', () => {
    const site = smokeSite();
    const sku = 5;
    const all = site.orders.availableToPromise(sku);
    site.orders.place({ id: 'all', channel: 'web', lines: [{ sku: seededSkuCode(sku), qty: all }] });
    site.orders.place({ id: 'late', channel: 'web', backorder: true, lines: [{ sku: seededSkuCode(sku), qty: 2 }] });
    expect(site.orders.get('late')!.status).toBe('backordered');
    site.orders.receive(seededSkuCode(sku), 2, 'PO-9');
    site.run(1800);
    expect(site.orders.get('late')!.lines[0]).toMatchObject({ state: 'picked', picked: 2 });
    expectLedgerMatchesBins(site);
  });
});
