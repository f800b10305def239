/**
 * The order API over HTTP: placing (one, a batch), idempotency, the shortfall, cancels, receipts filling
 * backorders, holds, inventory and its journal, the catalogue, and 200 concurrent buyers of the last 10
 * units over real sockets.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalogue, seededSkuCode } from '../wcs/orders/catalogue.ts';
import { MemoryStore } from '../wcs/orders/memory-store.ts';
import { OrderService } from '../wcs/orders/service.ts';
import { installErrorHandling } from '../wcs/server/errors.ts';
import { ordersPlugin } from '../wcs/server/orders-api.ts';

const A = seededSkuCode(0), B = seededSkuCode(1), C = seededSkuCode(2);
let app: FastifyInstance;
let svc: OrderService;

async function makeApp(stock: number[]): Promise<{ app: FastifyInstance; svc: OrderService }> {
  const service = new OrderService({ site: 'S1', catalogue: Catalogue.seeded(stock.length), store: new MemoryStore(), clock: () => 0 },
    (receive) => stock.forEach((q, sku) => { if (q > 0) receive(sku, q); }));
  const a = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true } } });
  installErrorHandling(a, 16 * 1024);
  a.removeContentTypeParser('text/plain');
  await a.register(ordersPlugin(() => service));
  return { app: a, svc: service };
}

beforeAll(async () => { ({ app, svc } = await makeApp([10, 5, 0, 20])); });
afterAll(async () => { await app.close(); });

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

/** The one error shape, with the code. */
function expectShape(r: { statusCode: number; json: () => unknown }, status: number, code: string): void {
  expect(r.statusCode).toBe(status);
  expect(r.json()).toMatchObject({ statusCode: status, code });
}

describe('orders over HTTP', () => {
  it('201 once placed, 200 with the same order for the same body, 409 ID_CONFLICT for another', async () => {
    const body = { id: 'w-1', channel: 'web', lines: [{ sku: A, qty: 2 }, { sku: B, qty: 1 }, { sku: A, qty: 1 }] };
    const r = await post('/api/orders', body);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ id: 'w-1', status: 'reserved', lines: [{ n: 1, state: 'reserved' }, { n: 2 }, { n: 3 }] });
    const again = await post('/api/orders', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().cursor).toBe(r.json().cursor);
    const other = await post('/api/orders', { ...body, lines: [{ sku: A, qty: 9 }] });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ statusCode: 409, code: 'ID_CONFLICT', field: 'id' });
    expect((await app.inject(`/api/inventory/${A}`)).json()).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
  });

  it('409 INSUFFICIENT_STOCK names the shortfall per SKU and reserves nothing', async () => {
    const r = await post('/api/orders', { id: 'w-2', channel: 'app', lines: [{ sku: B, qty: 3 }, { sku: C, qty: 1 }, { sku: B, qty: 3 }] });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toEqual({
      statusCode: 409, code: 'INSUFFICIENT_STOCK', field: 'lines', message: 'lines: not enough stock for 2 SKUs',
      shortfall: [{ sku: B, requested: 6, available: 4 }, { sku: C, requested: 1, available: 0 }],
    });
    expect((await app.inject(`/api/inventory/${B}`)).json()).toMatchObject({ reserved: 1 });
  });

  it('bad bodies are 400s naming the field; unknown SKUs 422; nothing is applied', async () => {
    const cases: [unknown, number, string][] = [
      [{ id: 'x', channel: 'fax', lines: [{ sku: A, qty: 1 }] }, 400, 'channel'],
      [{ id: 'x', channel: 'web', lines: [{ sku: A, qty: 0 }] }, 400, 'lines.0.qty'],
      [{ id: 'x', channel: 'web', lines: [{ sku: A, qty: '1' }] }, 400, 'lines.0.qty'],
      [{ id: 'x', channel: 'web', lines: [{ sku: A, qty: 1.5 }] }, 400, 'lines.0.qty'],
      [{ id: 'x', channel: 'web', lines: [] }, 400, 'lines'],
      [{ id: 'x y', channel: 'web', lines: [{ sku: A, qty: 1 }] }, 400, 'id'],
      [{ id: 'x', channel: 'web', lines: [{ sku: A, qty: 1 }], extra: 1 }, 400, 'extra'],
      [{ id: 'x', channel: 'web', lines: [{ sku: 'NOPE', qty: 1 }] }, 422, 'lines[0].sku'],
    ];
    for (const [body, status, field] of cases) {
      const r = await post('/api/orders', body);
      expect([r.statusCode, r.json().field], JSON.stringify(body)).toEqual([status, field]);
    }
    expect((await app.inject('/api/orders/x')).statusCode).toBe(404);
    const big = await app.inject({ method: 'POST', url: '/api/orders', payload: JSON.stringify({ id: 'x', channel: 'web', lines: [], pad: 'x'.repeat(300_000) }), headers: { 'content-type': 'application/json' } });
    expect(big.statusCode).toBe(413);
    const text = await app.inject({ method: 'POST', url: '/api/orders', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(415);
  });

  it('a batch answers per order', async () => {
    const orders = Array.from({ length: 50 }, (_, i) => ({ id: `b-${i}`, channel: 'store', lines: [{ sku: seededSkuCode(3), qty: 1 }] }));
    const r = await post('/api/orders/batch', { orders });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect([body.created, body.refused]).toEqual([20, 30]);
    expect(body.results[19]).toMatchObject({ status: 201, order: { id: 'b-19' } });
    expect(body.results[20]).toMatchObject({ status: 409, error: { code: 'INSUFFICIENT_STOCK' } });
    expect(svc.inventory(3)).toMatchObject({ onHand: 20, reserved: 20, available: 0 });
  });

  it('get, list with filters and cursor, events', async () => {
    const one = (await app.inject('/api/orders/w-1')).json();
    expect(one.lines[0].history[0].state).toBe('received');
    const page1 = (await app.inject('/api/orders?channel=store&limit=15')).json();
    expect(page1.orders).toHaveLength(15);
    expect(page1.orders[0].id).toBe('b-19');
    const page2 = (await app.inject(`/api/orders?channel=store&limit=15&after=${page1.next}`)).json();
    expect(page2.orders.map((o: { id: string }) => o.id)).toEqual(['b-4', 'b-3', 'b-2', 'b-1', 'b-0']);
    expect((await app.inject('/api/orders?limit=0')).statusCode).toBe(400);
    expect((await app.inject('/api/orders?status=lost')).statusCode).toBe(400);
    const ev = (await app.inject('/api/orders/w-1/events')).json().events;
    expect(ev.map((e: { type: string }) => e.type)).toContain('order.created');
  });

  it('cancel releases; backorders are filled by receipts; the journal adds up', async () => {
    const bo = await post('/api/orders', { id: 'bo-1', channel: 'web', backorder: true, lines: [{ sku: C, qty: 4 }] });
    expect(bo.json()).toMatchObject({ status: 'backordered', lines: [{ state: 'backordered' }] });
    const rc = await post('/api/receipts', { sku: C, qty: 6, ref: 'PO-1' });
    expect(rc.statusCode).toBe(201);
    expect(rc.json()).toMatchObject({ onHand: 6, filled: [{ orderId: 'bo-1', line: 1 }] });
    const cancel = await post('/api/orders/bo-1/cancel', {});
    expect(cancel.json().status).toBe('cancelled');
    const inv = (await app.inject(`/api/inventory/${C}`)).json();
    expect(inv).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
    const j = (await app.inject(`/api/inventory/${C}/journal`)).json().movements as { kind: string; onHand: number; reserved: number }[];
    expect(j.map((m) => m.kind)).toEqual(['receipt', 'reserve', 'release']);
    expect(j.reduce((a, m) => a + m.onHand, 0)).toBe(inv.onHand);
    expect(j.reduce((a, m) => a + m.reserved, 0)).toBe(inv.reserved);
  });

  it('holds reserve, and an order takes the hold over', async () => {
    const h = await post('/api/holds', { id: 'cart-1', channel: 'web', lines: [{ sku: C, qty: 5 }], ttlSeconds: 600 });
    expect(h.statusCode).toBe(201);
    expect((await app.inject(`/api/inventory/${C}`)).json().available).toBe(1);
    const o = await post('/api/orders', { id: 'from-cart', channel: 'web', holdId: 'cart-1', lines: [{ sku: C, qty: 5 }] });
    expect(o.statusCode).toBe(201);
    expect((await app.inject(`/api/inventory/${C}`)).json()).toMatchObject({ reserved: 5, available: 1 });
    expect((await app.inject({ method: 'DELETE', url: '/api/holds/cart-1' })).statusCode).toBe(404);
  });

  it('safety stock and channel buffers hold units back; counts adjust on hand, never below what is promised', async () => {
    const D = seededSkuCode(3);
    const before = (await app.inject(`/api/inventory/${D}`)).json();
    expect(before).toMatchObject({ onHand: 20, reserved: 20, available: 0 });
    expectShape(await app.inject({ method: 'POST', url: '/api/adjustments', payload: { sku: D, delta: -1, ref: 'count-1' } }), 409, 'ADJUST_BELOW_RESERVED');
    const found = await post('/api/adjustments', { sku: D, delta: 10, ref: 'count-2' });
    expect(found.statusCode).toBe(201);
    expect(found.json()).toMatchObject({ onHand: 30 });
    const policy = await app.inject({ method: 'PUT', url: `/api/inventory/${D}/policy`, payload: { safetyStock: 4, buffers: { marketplace: 5 } } });
    expect(policy.statusCode).toBe(200);
    expect(policy.json()).toMatchObject({ onHand: 30, reserved: 20, safetyStock: 4, available: 6, byChannel: { web: 6, marketplace: 1 } });
    expect((await post('/api/orders', { id: 'mp-1', channel: 'marketplace', lines: [{ sku: D, qty: 2 }] })).statusCode).toBe(409);
    expect((await post('/api/orders', { id: 'web-9', channel: 'web', lines: [{ sku: D, qty: 2 }] })).statusCode).toBe(201);
    expect((await app.inject({ method: 'PUT', url: `/api/inventory/${D}/policy`, payload: { buffers: { fax: 1 } } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: `/api/inventory/${D}/policy`, payload: {} })).statusCode).toBe(400);
    const kinds = (await app.inject(`/api/inventory/${D}/journal`)).json().movements.map((m: { kind: string }) => m.kind);
    expect(kinds).toContain('adjust');
  });

  it('the catalogue is searched by prefix and paged', async () => {
    const r = (await app.inject('/api/skus?prefix=SKU-00000&limit=2')).json();
    expect(r.skus.map((s: { code: string }) => s.code)).toEqual([A, B]);
    const next = (await app.inject(`/api/skus?prefix=SKU-00000&limit=2&after=${r.next}`)).json();
    expect(next.skus.map((s: { code: string }) => s.code)).toEqual([C, seededSkuCode(3)]);
  });
});

describe('200 concurrent buyers of the last 10 units, over real sockets', () => {
  it('exactly 10 succeed and available ends at 0', async () => {
    const { app: a, svc: s } = await makeApp([10]);
    const url = await a.listen({ port: 0, host: '127.0.0.1' });
    try {
      const buy = (i: number) => fetch(`${url}/api/orders`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `buyer-${i}`, channel: 'web', lines: [{ sku: A, qty: 1 }] }),
      }).then((r) => r.status);
      const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => buy(i)));
      expect(statuses.filter((c) => c === 201)).toHaveLength(10);
      expect(statuses.filter((c) => c === 409)).toHaveLength(190);
      expect(s.inventory(0)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    } finally { await a.close(); }
  }, 60_000);
});
