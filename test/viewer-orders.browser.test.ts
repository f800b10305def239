/**
 * The viewer's orders panel end to end, in Debian's Chromium through playwright-core: the real server
 * in-process with an order layer (smoke scenario, in-memory store, no generated demand), the built viewer.
 * An order placed through the API appears in the panel and its status follows the stream's order events
 * until it is complete; clicking it shows its lines; the SKU lookup shows the inventory's figures. A
 * server without an order layer hides the panel. Writes test-artifacts/viewer-orders.png (the panel).
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ServerState } from '../wcs/server/app.ts';
import { buildViewerIfNeeded } from '../wcs/server/build.ts';
import { MemoryStore } from '../wcs/orders/memory-store.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader'];

interface OrderHooks {
  ready: boolean;
  ordersEnabled: boolean | null;
  orders: { id: string; channel: string; status: string }[];
  orderCounts: Record<string, number>;
  orderEventsReceived: number;
  skuLookup: { sku: string; onHand: number; reserved: number; available: number } | { error: string } | null;
  selectedOrder: string | null;
  selectedOrderLines: { sku: string; qty: number; state: string; picked: number }[];
  selectedOrderWhere: string[];
  orderMarks: { x: number; y: number; kind: string }[];
}

let app: FastifyInstance;
let state: ServerState;
let browser: Browser;
let page: Page;
let url: string;

const hooks = (p: Page = page) => p.evaluate(() => {
  const h = (globalThis as unknown as { __omnicube: OrderHooks }).__omnicube;
  return { ready: h.ready, ordersEnabled: h.ordersEnabled, orders: h.orders, orderCounts: h.orderCounts,
    orderEventsReceived: h.orderEventsReceived, skuLookup: h.skuLookup, selectedOrder: h.selectedOrder,
    selectedOrderLines: h.selectedOrderLines, selectedOrderWhere: h.selectedOrderWhere, orderMarks: h.orderMarks };
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting; last value ${JSON.stringify(v)}`);
    await sleep(100);
  }
}
const post = (path: string, body: object) => fetch(`${url}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

beforeAll(async () => {
  buildViewerIfNeeded();
  ({ app, state } = await buildApp({ scenario: 'smoke', speed: 50, orders: { openStore: () => new MemoryStore(), demand: 'none' } }));
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  state.hub.start();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => { throw e; });
  await page.goto(`${url}/`);
  await until(hooks, (h) => h.ready && h.ordersEnabled === true);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('orders panel', () => {
  it('shows an order placed through the API and follows it to complete', async () => {
    expect(await page.isVisible('#orders-panel')).toBe(true);
    const before = await post('/api/orders', { id: 'pre-1', channel: 'app', lines: [{ sku: 'SKU-000002', qty: 1 }] });
    expect(before.status).toBe(201);
    const res = await post('/api/orders', { id: 'web-1', channel: 'web', lines: [{ sku: 'SKU-000001', qty: 1 }, { sku: 'SKU-000003', qty: 1 }] });
    expect(res.status).toBe(201);

    // It appears (from the stream's order.created, its channel from the list) ...
    const seen = await until(hooks, (h) => h.orders.some((o) => o.id === 'web-1' && o.channel === 'web'));
    expect(seen.orders.map((o) => o.id).slice(0, 2)).toEqual(['web-1', 'pre-1']);
    expect(seen.orderCounts).toEqual({ web: 1, app: 1 });
    expect(await page.textContent('#orders-counts')).toMatch(/web\s*1/);

    // ... and its status follows the events until it is picked.
    const statuses = new Set<string>();
    const done = await until(async () => {
      const h = await hooks();
      const o = h.orders.find((r) => r.id === 'web-1');
      if (o) statuses.add(o.status);
      return h;
    }, (h) => h.orders.find((r) => r.id === 'web-1')?.status === 'complete', 60_000);
    expect(done.orderEventsReceived).toBeGreaterThan(0);
    expect(statuses.size).toBeGreaterThan(1);
    // The row in the table says so too, and the server agrees.
    expect(await page.textContent('#orders-rows tr[data-order="web-1"] .ost')).toBe('complete');
    expect((await (await fetch(`${url}/api/orders/web-1`)).json()).status).toBe('complete');

    // Clicking it shows its lines.
    await page.click('#orders-rows tr[data-order="web-1"]');
    const detail = await until(hooks, (h) => h.selectedOrder === 'web-1' && h.selectedOrderLines.length === 2);
    expect(detail.selectedOrderLines.map((l) => [l.sku, l.qty, l.state, l.picked])).toEqual([
      ['SKU-000001', 1, 'picked', 1], ['SKU-000003', 1, 'picked', 1]]);
    expect(await page.isVisible('#order-detail')).toBe(true);
    expect(await page.textContent('#order-detail-body')).toContain('SKU-000003');
    mkdirSync('test-artifacts', { recursive: true });
    await page.locator('#orders-panel').screenshot({ path: 'test-artifacts/viewer-orders.png' });
  }, 120_000);

  it('shows where a clicked order\'s lines are: their bins in words and marked on the grid', async () => {
    const control = (body: object) => post('/api/control', body);
    expect((await control({ action: 'pause' })).status).toBe(200);
    try {
      expect((await post('/api/orders', { id: 'where-1', channel: 'web', lines: [{ sku: 'SKU-000005', qty: 1 }] })).status).toBe(201);
      // A frame releases the line; a few ticks and the WCS holds it with a bin.
      await state.hub.tick();
      expect((await control({ action: 'step', ticks: 3 })).status).toBe(200);
      const w = (await (await fetch(`${url}/api/orders/where-1/where`)).json()) as { lines: { inWcs: boolean; picks: { bin: { bin: number; x: number; y: number; at: string } }[] }[] };
      expect(w.lines[0]!.inWcs).toBe(true);
      const bin = w.lines[0]!.picks[0]!.bin;
      const row = await until(hooks, (h) => h.orders.some((o) => o.id === 'where-1'));
      expect(row.orders[0]!.id).toBe('where-1');
      await page.click('#orders-rows tr[data-order="where-1"]');
      const h = await until(hooks, (v) => v.selectedOrder === 'where-1' && v.selectedOrderWhere.length === 1 && v.orderMarks.length > 0);
      // In words: the bin by number and where it stands ...
      expect(h.selectedOrderWhere[0]).toContain(`bin ${bin.bin}`);
      expect(h.selectedOrderWhere[0]).toContain(bin.at === 'stack' ? `(${bin.x}, ${bin.y})` : bin.at);
      // ... and marked on the grid where the server says it is.
      expect(h.orderMarks).toContainEqual({ x: bin.x, y: bin.y, kind: bin.at === 'stack' ? 'bin' : bin.at });
      expect(await page.textContent('#order-detail-body')).toContain(`bin ${bin.bin}`);
      await page.locator('#orders-panel').screenshot({ path: 'test-artifacts/viewer-order-where.png' });
      // Closing the detail clears the marks.
      await page.click('#order-detail-close');
      await until(hooks, (v) => v.selectedOrder === null && v.orderMarks.length === 0);
    } finally {
      expect((await control({ action: 'resume' })).status).toBe(200);
    }
  }, 120_000);

  it('looks up a SKU\'s availability, and shows the error for an unknown one', async () => {
    const inv = (await (await fetch(`${url}/api/inventory/SKU-000001`)).json()) as { onHand: number; reserved: number; available: number };
    await page.fill('#sku-input', 'SKU-000001');
    await page.click('#sku-lookup');
    const h = await until(hooks, (v) => v.skuLookup !== null && 'sku' in v.skuLookup);
    const s = h.skuLookup as { sku: string; onHand: number; reserved: number; available: number };
    expect(s.sku).toBe('SKU-000001');
    expect(s.onHand).toBeGreaterThan(0);
    expect(s.onHand).toBe(inv.onHand);
    expect(s.reserved).toBe(inv.reserved);
    expect(s.available).toBe(inv.available);
    expect(await page.textContent('#sku-onhand')).toBe(String(inv.onHand));
    expect(Number(await page.textContent('#sku-available'))).toBe(inv.available);

    await page.fill('#sku-input', 'NO-SUCH-SKU');
    await page.press('#sku-input', 'Enter');
    const e = await until(hooks, (v) => v.skuLookup !== null && 'error' in v.skuLookup);
    expect((e.skuLookup as { error: string }).error).toMatch(/UNKNOWN_SKU/);
    expect(await page.textContent('#sku-result')).toMatch(/no SKU/);
  }, 30_000);

  it('stays hidden when the server has no order layer', async () => {
    const plain = await buildApp({ scenario: 'smoke', speed: 10 });
    const plainUrl = await plain.app.listen({ port: 0, host: '127.0.0.1' });
    plain.state.hub.start();
    const p = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    try {
      await p.goto(`${plainUrl}/`);
      await until(() => hooks(p), (h) => h.ready && h.ordersEnabled === false);
      expect(await p.isVisible('#orders-panel')).toBe(false);
    } finally {
      await p.close();
      await plain.app.close();
    }
  }, 60_000);
});
