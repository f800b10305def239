/**
 * The order layer's REST API (a fastify plugin): orders (one, a batch of up to 10,000, get, list,
 * events, cancel, ship, collect), the catalogue, inventory with its journal, receipts and cart holds.
 * Every write answers 2xx only once what it did is durable (the service's flush, a group commit shared
 * by every request of the same moment). Bodies and parameters are checked against JSON Schema exactly as
 * the rest of the API (no coercion, no unknown fields); refusals from the order layer keep the one error
 * shape, with the shortfall per SKU added for INSUFFICIENT_STOCK. Times are simulated seconds on the
 * site's clock.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { CHANNELS, ORDER_STATUSES, type Channel, type OrderRecord, type OrderRequest, type OrderStatus } from '../orders/records.ts';
import { OrderRefusal, type OrderService } from '../orders/service.ts';
import type { ApiErrorCode, SkuBin } from '../protocol.ts';
import { ApiFault } from './errors.ts';
import type { OrderWhere } from './site-orders.ts';

/** Largest batch of orders in one request, and the body size that allows it. */
export const MAX_BATCH = 10_000;
const BATCH_BODY_LIMIT = 32 * 1024 * 1024;
const ORDER_BODY_LIMIT = 256 * 1024;

const orderId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$', description: 'an order id: 1 to 64 letters, digits, . _ : or -' } as const;
const skuCode = { type: 'string', minLength: 1, maxLength: 64, description: 'a SKU code of this site' } as const;
const qty = { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'a whole number of units from 1 to 1000000' } as const;
const channel = { type: 'string', enum: [...CHANNELS] } as const;
const line = { type: 'object', additionalProperties: false, required: ['sku', 'qty'], properties: { sku: skuCode, qty } } as const;
const lines = { type: 'array', minItems: 1, maxItems: 1000, items: line } as const;

const orderRequest = {
  type: 'object', additionalProperties: false, required: ['id', 'channel', 'lines'],
  properties: {
    id: orderId, channel, lines,
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    promisedBy: { type: 'string', format: 'date-time', maxLength: 40, description: 'an ISO 8601 date and time' },
    backorder: { type: 'boolean' },
    customer: { type: 'string', maxLength: 128 },
    holdId: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

const paging = {
  limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$', description: 'a page size from 1 to 1000' },
} as const;
const seqCursor = { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'the cursor of the previous page' } as const;
const seconds = { type: 'string', pattern: '^[0-9]{1,12}(\\.[0-9]{1,3})?$', description: 'simulated seconds' } as const;

/** A refusal of the order layer as the API's error (with the shortfall for INSUFFICIENT_STOCK). */
class OrderFault extends ApiFault {
  constructor(readonly refusal: OrderRefusal) {
    super(refusal.status, refusal.code as ApiErrorCode, refusal.message, refusal.field);
  }
}

function fault(e: unknown): never {
  if (e instanceof OrderRefusal) throw new OrderFault(e);
  throw e;
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

/** An order as the API shows it. */
export function orderView(o: OrderRecord): Record<string, unknown> {
  return {
    id: o.id, site: o.site, channel: o.channel, status: o.status, priority: o.priority, backorder: o.backorder,
    ...(o.promisedBy !== undefined ? { promisedBy: o.promisedBy } : {}), ...(o.customer !== undefined ? { customer: o.customer } : {}),
    createdAt: o.createdAt, updatedAt: o.updatedAt, cursor: String(o.seq),
    lines: o.lines.map((l) => ({ n: l.n, sku: l.sku, qty: l.qty, state: l.state, picked: l.picked, history: l.history })),
  };
}

/** The error body for a refusal, with its detail (the shortfall) where it has one. */
function refusalBody(e: OrderRefusal): Record<string, unknown> {
  return { statusCode: e.status, code: e.code, ...(e.field ? { field: e.field } : {}), message: e.message, ...(e.detail ?? {}) };
}

/** Where things are in the grid, asked of the simulation (the live server's SiteOrders). */
export interface GridLocator {
  skuBins(sku: number): Promise<SkuBin[]>;
  where(orderId: string): Promise<OrderWhere | undefined>;
}

/**
 * The order routes over `service()` (a getter, so that a reloaded site swaps its service underneath).
 * Write access is the app's onRequest guard, as for every write.
 */
export function ordersPlugin(service: () => OrderService, grid?: () => GridLocator): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/skus', {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { prefix: { type: 'string', maxLength: 64 }, after: skuCode, ...paging } } },
    }, async (req) => {
      const q = req.query as { prefix?: string; after?: string; limit?: string };
      const limit = q.limit ? Number(q.limit) : 100;
      const skus = service().catalogue.search(q.prefix ?? '', limit, q.after);
      return { skus, ...(skus.length === limit ? { next: skus.at(-1)!.code } : {}) };
    });

    app.post('/api/orders', { bodyLimit: ORDER_BODY_LIMIT, schema: { body: orderRequest } }, async (req, reply) => {
      const svc = service();
      let r;
      try { r = svc.place(req.body as OrderRequest); } catch (e) {
        if (e instanceof OrderRefusal) return send(reply, e.status, refusalBody(e));
        throw e;
      }
      await svc.flush();
      return send(reply, r.status, orderView(r.order));
    });

    app.post('/api/orders/batch', {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: { body: { type: 'object', additionalProperties: false, required: ['orders'], properties: { orders: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: orderRequest } } } },
    }, async (req, reply) => {
      const svc = service();
      const results = svc.placeBatch((req.body as { orders: OrderRequest[] }).orders);
      await svc.flush();
      const out = results.map((r) => ('order' in r ? { status: r.status, order: orderView(r.order) } : { status: r.status, error: refusalBody(r.error) }));
      const created = results.filter((r) => r.status === 201).length;
      return send(reply, 200, { created, refused: results.filter((r) => r.status >= 400).length, results: out });
    });

    app.get('/api/orders', {
      schema: {
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { status: { type: 'string', enum: [...ORDER_STATUSES] }, channel, from: seconds, to: seconds, after: seqCursor, ...paging },
        },
      },
    }, async (req) => {
      const q = req.query as { status?: OrderStatus; channel?: Channel; from?: string; to?: string; after?: string; limit?: string };
      const limit = q.limit ? Number(q.limit) : 100;
      const orders = service().list({
        limit, ...(q.status ? { status: q.status } : {}), ...(q.channel ? { channel: q.channel } : {}),
        ...(q.from ? { from: Number(q.from) } : {}), ...(q.to ? { to: Number(q.to) } : {}), ...(q.after ? { after: Number(q.after) } : {}),
      });
      return { orders: orders.map(orderView), ...(orders.length === limit ? { next: String(orders.at(-1)!.seq) } : {}) };
    });

    const byId = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: orderId } } as const;
    const mustOrder = (id: string): OrderRecord => {
      const o = service().get(id);
      if (!o) throw new ApiFault(404, 'NO_SUCH_ORDER', `id: no order ${id}`, 'id');
      return o;
    };

    app.get('/api/orders/:id', { schema: { params: byId } }, async (req) => orderView(mustOrder((req.params as { id: string }).id)));

    app.get('/api/orders/:id/events', { schema: { params: byId } }, async (req) => {
      const { id } = req.params as { id: string };
      mustOrder(id);
      return { events: service().events(id) };
    });

    app.post('/api/orders/:id/cancel', {
      schema: {
        params: byId,
        body: { type: 'object', additionalProperties: false, properties: { lines: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 1000 } } } },
      },
    }, async (req, reply) => {
      const svc = service();
      let o;
      try { o = svc.cancel((req.params as { id: string }).id, (req.body as { lines?: number[] } | undefined)?.lines); } catch (e) {
        if (e instanceof OrderRefusal) return send(reply, e.status, refusalBody(e));
        throw e;
      }
      await svc.flush();
      return send(reply, 200, orderView(o));
    });

    for (const how of ['ship', 'collect'] as const) {
      app.post(`/api/orders/:id/${how}`, { schema: { params: byId } }, async (req, reply) => {
        const svc = service();
        let o;
        try { o = svc.dispatch((req.params as { id: string }).id, how === 'ship' ? 'shipped' : 'collected'); } catch (e) { fault(e); }
        await svc.flush();
        return send(reply, 200, orderView(o));
      });
    }

    const skuParam = { type: 'object', additionalProperties: false, required: ['sku'], properties: { sku: skuCode } } as const;
    const mustSku = (code: string): number => {
      const id = service().catalogue.id(code);
      if (id === undefined) throw new ApiFault(404, 'UNKNOWN_SKU', `sku: no SKU ${JSON.stringify(code)} at this site`, 'sku');
      return id;
    };

    app.get('/api/inventory/:sku', { schema: { params: skuParam } }, async (req) => {
      const sku = mustSku((req.params as { sku: string }).sku);
      const view = service().inventory(sku);
      // The bins are the grid's: asked of the simulation where there is one.
      return grid ? { ...view, bins: await grid().skuBins(sku) } : view;
    });

    app.get('/api/orders/:id/where', { schema: { params: byId } }, async (req) => {
      const { id } = req.params as { id: string };
      mustOrder(id);
      if (!grid) throw new ApiFault(404, 'NOT_FOUND', 'no grid is attached to this order layer');
      const w = await grid().where(id);
      if (!w) mustOrder(id);
      return w;
    });

    app.get('/api/inventory', {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { prefix: { type: 'string', maxLength: 64 }, after: skuCode, ...paging } } },
    }, async (req) => {
      const q = req.query as { prefix?: string; after?: string; limit?: string };
      const limit = q.limit ? Number(q.limit) : 100;
      const svc = service();
      const skus = svc.catalogue.search(q.prefix ?? '', limit, q.after);
      const items = skus.map((s) => { const v = svc.inventory(s.id); return { sku: v.sku, onHand: v.onHand, reserved: v.reserved, backordered: v.backordered, available: v.available }; });
      return { items, ...(skus.length === limit ? { next: skus.at(-1)!.code } : {}) };
    });

    app.get('/api/inventory/:sku/journal', {
      schema: { params: skuParam, querystring: { type: 'object', additionalProperties: false, properties: { after: seqCursor, ...paging } } },
    }, async (req) => {
      const sku = mustSku((req.params as { sku: string }).sku);
      const q = req.query as { after?: string; limit?: string };
      const limit = q.limit ? Number(q.limit) : 100;
      const svc = service();
      const movements = svc.journalOf(sku, q.after ? Number(q.after) : 0, limit);
      return { sku: svc.catalogue.code(sku), movements, ...(movements.length === limit ? { next: String(movements.at(-1)!.seq) } : {}) };
    });

    app.post('/api/receipts', {
      schema: { body: { type: 'object', additionalProperties: false, required: ['sku', 'qty', 'ref'], properties: { sku: skuCode, qty, ref: { type: 'string', minLength: 1, maxLength: 128 } } } },
    }, async (req, reply) => {
      const svc = service();
      const b = req.body as { sku: string; qty: number; ref: string };
      let r;
      try { r = svc.receive(b.sku, b.qty, b.ref); } catch (e) { fault(e); }
      await svc.flush();
      return send(reply, 201, r);
    });

    app.put('/api/inventory/:sku/policy', {
      schema: {
        params: skuParam,
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: {
            safetyStock: { type: 'integer', minimum: 0, maximum: 1_000_000 },
            buffers: { type: 'object', additionalProperties: false, properties: Object.fromEntries(CHANNELS.map((c) => [c, { type: 'integer', minimum: 0, maximum: 1_000_000 }])) },
          },
        },
      },
    }, async (req, reply) => {
      const svc = service();
      const code = (req.params as { sku: string }).sku;
      const sku = mustSku(code);
      try { svc.setStockPolicy(code, req.body as { safetyStock?: number; buffers?: Record<string, number> }); } catch (e) { fault(e); }
      await svc.flush();
      return send(reply, 200, svc.inventory(sku));
    });

    app.post('/api/adjustments', {
      schema: {
        body: {
          type: 'object', additionalProperties: false, required: ['sku', 'delta', 'ref'],
          properties: { sku: skuCode, delta: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000, not: { const: 0 } }, ref: { type: 'string', minLength: 1, maxLength: 128 } },
        },
      },
    }, async (req, reply) => {
      const svc = service();
      const b = req.body as { sku: string; delta: number; ref: string };
      let r;
      try { r = svc.adjust(b.sku, b.delta, b.ref); } catch (e) { fault(e); }
      await svc.flush();
      return send(reply, 201, r);
    });

    const holdBody = {
      type: 'object', additionalProperties: false, required: ['id', 'channel', 'lines', 'ttlSeconds'],
      properties: { id: orderId, channel, lines, ttlSeconds: { type: 'integer', minimum: 1, maximum: 86_400 } },
    } as const;
    app.post('/api/holds', { schema: { body: holdBody } }, async (req, reply) => {
      const svc = service();
      const b = req.body as { id: string; channel: Channel; lines: { sku: string; qty: number }[]; ttlSeconds: number };
      let h;
      try { h = svc.hold(b.id, b.channel, b.lines, b.ttlSeconds); } catch (e) {
        if (e instanceof OrderRefusal) return send(reply, e.status, refusalBody(e));
        throw e;
      }
      await svc.flush();
      return send(reply, 201, h);
    });

    app.post('/api/holds/:id/extend', {
      schema: { params: byId, body: { type: 'object', additionalProperties: false, required: ['ttlSeconds'], properties: { ttlSeconds: { type: 'integer', minimum: 1, maximum: 86_400 } } } },
    }, async (req, reply) => {
      const svc = service();
      let h;
      try { h = svc.extendHold((req.params as { id: string }).id, (req.body as { ttlSeconds: number }).ttlSeconds); } catch (e) { fault(e); }
      await svc.flush();
      return send(reply, 200, h);
    });

    app.delete('/api/holds/:id', { schema: { params: byId } }, async (req, reply) => {
      const svc = service();
      try { svc.releaseHold((req.params as { id: string }).id); } catch (e) { fault(e); }
      await svc.flush();
      return reply.code(204).send();
    });
  };
}
