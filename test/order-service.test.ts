/**
 * The order layer of one site: atomic all-or-nothing reservation, idempotency, backorders filled in
 * arrival order, cancels, picks, holds on the simulated clock, events, restart from the store, and a
 * property test of random operation sequences against the journal.
 */
import { describe, expect, it } from 'vitest';
import { seededSkuCode } from '../wcs/orders/catalogue.ts';
import { MemoryStore } from '../wcs/orders/memory-store.ts';
import type { Channel } from '../wcs/orders/records.ts';
import { OrderRefusal } from '../wcs/orders/service.ts';
import { order, testSite } from './support/orders.ts';
import { createRng, nextFloat, nextInt } from '../sim/rng.ts';

const A = seededSkuCode(0), B = seededSkuCode(1), C = seededSkuCode(2);

const site = (stock?: number[], store?: MemoryStore) => testSite(stock, store);

function refusal(fn: () => unknown): OrderRefusal {
  try { fn(); } catch (e) { if (e instanceof OrderRefusal) return e; throw e; }
  throw new Error('expected an OrderRefusal');
}

describe('placing orders', () => {
  it('reserves every line at once, lines of one SKU added up', () => {
    const { svc } = site();
    const r = svc.place(order('o1', [[A, 3], [B, 2], [A, 4]]));
    expect(r.status).toBe(201);
    expect(r.order.status).toBe('reserved');
    expect(r.order.lines.map((l) => l.state)).toEqual(['reserved', 'reserved', 'reserved']);
    expect(svc.inventory(0)).toMatchObject({ onHand: 10, reserved: 7, available: 3 });
    expect(svc.inventory(1)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
  });

  it('refuses an order that cannot be covered with the shortfall per SKU, and reserves nothing', () => {
    const { svc } = site();
    const e = refusal(() => svc.place(order('o1', [[A, 6], [B, 1], [A, 5]])));
    expect([e.status, e.code]).toEqual([409, 'INSUFFICIENT_STOCK']);
    expect(e.detail).toEqual({ shortfall: [{ sku: A, requested: 11, available: 10 }] });
    expect(svc.inventory(0).reserved).toBe(0);
    expect(svc.inventory(1).reserved).toBe(0);
    expect(svc.get('o1')).toBeUndefined();
  });

  it('is idempotent on id: the same body again is a 200 with the same order, another body a 409', () => {
    const { svc } = site();
    const first = svc.place(order('o1', [[A, 2]]));
    const again = svc.place(order('o1', [[A, 2]]));
    expect(again.status).toBe(200);
    expect(again.order.seq).toBe(first.order.seq);
    expect(svc.inventory(0).reserved).toBe(2);
    expect(refusal(() => svc.place(order('o1', [[A, 3]]))).code).toBe('ID_CONFLICT');
  });

  it('refuses unknown SKUs (422) and malformed lines (400), naming the field', () => {
    const { svc } = site();
    expect(refusal(() => svc.place(order('o1', [[A, 1], ['NOPE', 1]])))).toMatchObject({ status: 422, code: 'UNKNOWN_SKU', field: 'lines[1].sku' });
    expect(refusal(() => svc.place(order('o1', [[A, 0]])))).toMatchObject({ status: 400, field: 'lines[0].qty' });
    expect(refusal(() => svc.place(order('o1', [[A, 1.5]])))).toMatchObject({ status: 400, field: 'lines[0].qty' });
    expect(refusal(() => svc.place({ ...order('o1', [[A, 1]]), channel: 'fax' as Channel }))).toMatchObject({ status: 400, field: 'channel' });
    expect(svc.inventory(0).reserved).toBe(0);
  });

  it('a batch gives a result per order', () => {
    const { svc } = site();
    const rs = svc.placeBatch([order('a', [[A, 4]]), order('b', [[A, 7]]), order('c', [[B, 5]]), order('a', [[A, 4]])]);
    expect(rs.map((r) => r.status)).toEqual([201, 409, 201, 200]);
  });
});

describe('backorders', () => {
  it('backorders short lines and fills them in arrival order as stock comes in; new orders cannot jump ahead', () => {
    const { svc } = site([10, 5, 0]);
    const o1 = svc.place(order('o1', [[A, 1], [C, 3]], { backorder: true })).order;
    expect(o1.lines.map((l) => l.state)).toEqual(['reserved', 'backordered']);
    expect(o1.status).toBe('backordered');
    svc.place(order('o2', [[C, 2]], { backorder: true }));
    expect(svc.inventory(2)).toMatchObject({ backordered: 5, available: 0 });
    // 4 units: o1's line (3) is filled, o2's (2) waits: strict arrival order.
    const r = svc.receive(C, 4, 'r1');
    expect(r.filled).toEqual([{ orderId: 'o1', line: 2 }]);
    expect(svc.get('o1')!.status).toBe('reserved');
    // The unit left is earmarked for o2: a new order without backorder cannot take it.
    expect(svc.inventory(2).available).toBe(0);
    expect(refusal(() => svc.place(order('o3', [[C, 1]]))).code).toBe('INSUFFICIENT_STOCK');
    svc.receive(C, 1, 'r2');
    expect(svc.get('o2')!.lines[0]!.state).toBe('reserved');
  });
});

describe('cancel, pick, ship', () => {
  it('cancel releases reservations and withdraws released lines from the grid', () => {
    const { svc, withdrawn } = site();
    svc.place(order('o1', [[A, 3], [B, 2]]));
    expect(svc.release(1)).toMatchObject([{ orderId: 'o1', n: 1, sku: 0, qty: 3 }]);
    const o = svc.cancel('o1');
    expect(o.status).toBe('cancelled');
    expect(withdrawn).toEqual(['o1/1']);
    expect(svc.inventory(0).reserved).toBe(0);
    expect(svc.inventory(1).reserved).toBe(0);
  });

  it('a line being picked cannot be cancelled: 409 naming its state, nothing cancelled', () => {
    const { svc } = site();
    svc.place(order('o1', [[A, 3], [B, 2]]));
    svc.release(2);
    svc.started('o1', 1);
    const e = refusal(() => svc.cancel('o1'));
    expect([e.status, e.code, e.detail]).toEqual([409, 'LINE_NOT_CANCELLABLE', { line: 1, state: 'picking' }]);
    expect(svc.get('o1')!.lines.map((l) => l.state)).toEqual(['picking', 'released']);
    expect(svc.cancel('o1', [2]).lines.map((l) => l.state)).toEqual(['picking', 'cancelled']);
  });

  it('pick confirmations move lines on; short picks release the rest; complete orders ship or are collected', () => {
    const { svc } = site();
    svc.place(order('o1', [[A, 3], [B, 2]]));
    svc.place(order('c1', [[A, 1]], { channel: 'click-and-collect' }));
    svc.release(10);
    svc.confirmPick('o1', 1, 3);
    svc.confirmPick('o1', 2, 1);
    const o = svc.get('o1')!;
    expect(o.lines.map((l) => [l.state, l.picked])).toEqual([['picked', 3], ['short', 1]]);
    expect(o.status).toBe('complete');
    expect(svc.inventory(0)).toMatchObject({ onHand: 7, reserved: 1 });
    expect(svc.inventory(1)).toMatchObject({ onHand: 4, reserved: 0 });
    expect(refusal(() => svc.dispatch('o1', 'collected')).code).toBe('WRONG_HANDOVER');
    expect(svc.dispatch('o1', 'shipped').status).toBe('shipped');
    expect(refusal(() => svc.dispatch('c1', 'collected')).code).toBe('ORDER_NOT_COMPLETE');
    svc.confirmPick('c1', 1, 1);
    expect(svc.dispatch('c1', 'collected').status).toBe('collected');
    expect(svc.openCount).toBe(0);
  });

  it('every state change is an event', () => {
    const { svc } = site();
    svc.place(order('o1', [[A, 1]]));
    svc.release(1);
    svc.confirmPick('o1', 1, 1);
    svc.dispatch('o1', 'shipped');
    expect(svc.events('o1').map((e) => `${e.type}:${e.line ?? ''}:${e.to}`)).toEqual([
      'order.created::received', 'line.state:1:reserved', 'order.status::reserved', 'line.state:1:released',
      'order.status::released', 'line.state:1:picking', 'line.state:1:picked', 'order.status::complete', 'order.status::shipped',
    ]);
  });
});

describe('holds on the simulated clock', () => {
  it('reserve for a time, expire and release; extend; become an order', () => {
    const { svc, advance } = site();
    svc.hold('h1', 'web', [{ sku: A, qty: 8 }], 600);
    expect(svc.inventory(0).available).toBe(2);
    expect(refusal(() => svc.place(order('o1', [[A, 3]]))).code).toBe('INSUFFICIENT_STOCK');
    advance(599);
    expect(svc.expireHolds()).toBe(0);
    svc.extendHold('h1', 600);
    advance(599);
    expect(svc.expireHolds()).toBe(0);
    advance(1);
    expect(svc.expireHolds()).toBe(1);
    expect(svc.inventory(0).available).toBe(10);
    svc.hold('h2', 'web', [{ sku: A, qty: 8 }], 600);
    const o = svc.place(order('o2', [[A, 9]], { holdId: 'h2' })).order;
    expect(o.status).toBe('reserved');
    expect(svc.inventory(0)).toMatchObject({ reserved: 9, available: 1 });
    expect(refusal(() => svc.place(order('o3', [[A, 1]], { holdId: 'h2' }))).code).toBe('NO_SUCH_HOLD');
  });
});

describe('restart', () => {
  it('a new service over the same store has every order, its reservations, and released lines back in the queue', () => {
    const s1 = site();
    s1.svc.place(order('o1', [[A, 3], [B, 2]]));
    s1.svc.place(order('o2', [[A, 1]]));
    s1.svc.release(2); // o1 line 1 and 2 released
    s1.svc.confirmPick('o1', 1, 3);
    const s2 = site([10, 5, 0], s1.store);
    expect(s2.svc.inventory(0)).toMatchObject({ onHand: 7, reserved: 1 });
    expect(s2.svc.inventory(1)).toMatchObject({ onHand: 5, reserved: 2 });
    expect(s2.svc.ledger.audit(s1.store.load().movements)).toEqual([]);
    expect(s2.svc.get('o1')!.lines.map((l) => l.state)).toEqual(['picked', 'reserved']);
    expect(s2.svc.release(10).map((l) => `${l.orderId}/${l.n}`)).toEqual(['o1/2', 'o2/1']);
  });

  it('stock policies survive a restart', () => {
    const s1 = site();
    s1.svc.setStockPolicy(A, { safetyStock: 2, buffers: { store: 3 } });
    expect(s1.svc.inventory(0).byChannel).toMatchObject({ web: 8, store: 5 });
    const s2 = site([10, 5, 0], s1.store);
    expect(s2.svc.inventory(0)).toMatchObject({ safetyStock: 2, byChannel: { web: 8, store: 5 } });
  });
});

describe('random operation sequences', () => {
  it('never oversell, and the ledger always agrees with the journal', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = createRng(seed);
      const skus = 4;
      const { svc, store, advance } = site(Array.from({ length: skus }, () => 5 + nextInt(rng, 10)));
      const ids: string[] = [];
      try {
        for (let k = 0; k < 300; k++) {
          const op = nextInt(rng, 9);
          const sku = seededSkuCode(nextInt(rng, skus));
          try {
            if (op <= 2) {
              const id = `o${k}`;
              const lines: [string, number][] = Array.from({ length: 1 + nextInt(rng, 3) }, () => [seededSkuCode(nextInt(rng, skus)), 1 + nextInt(rng, 4)]);
              svc.place(order(id, lines, { backorder: nextFloat(rng) < 0.5, priority: nextInt(rng, 3) }));
              ids.push(id);
            } else if (op === 3) svc.receive(sku, 1 + nextInt(rng, 6), `r${k}`);
            else if (op === 4 && ids.length) svc.cancel(ids[nextInt(rng, ids.length)]!);
            else if (op === 5) for (const l of svc.release(2)) svc.confirmPick(l.orderId, l.n, nextFloat(rng) < 0.8 ? l.qty : nextInt(rng, l.qty));
            else if (op === 6) svc.hold(`h${k}`, 'web', [{ sku, qty: 1 + nextInt(rng, 3) }], 1 + nextInt(rng, 120));
            else if (op === 7) { advance(nextInt(rng, 60)); svc.expireHolds(); }
            else if (op === 8 && ids.length) { const id = ids[nextInt(rng, ids.length)]!; svc.dispatch(id, svc.get(id)!.channel === 'click-and-collect' ? 'collected' : 'shipped'); }
          } catch (e) { if (!(e instanceof OrderRefusal)) throw e; }
          const journal = [...store.load().movements];
          expect(svc.ledger.audit(journal)).toEqual([]);
          for (let s = 0; s < skus; s++) {
            expect(svc.ledger.reserved[s]).toBeLessThanOrEqual(svc.ledger.onHand[s]!);
            expect(svc.availableToPromise(s)).toBeGreaterThanOrEqual(0);
          }
        }
        // Reserved units are exactly those of reserved, released and picking lines plus live holds.
        const open = store.listOrders({ limit: 1e6 });
        for (let s = 0; s < skus; s++) {
          const code = seededSkuCode(s);
          let want = 0;
          for (const o of open) for (const l of o.lines) if (l.sku === code && (l.state === 'reserved' || l.state === 'released' || l.state === 'picking')) want += l.qty;
          for (const h of store.load().holds) for (const l of h.lines) if (l.sku === code) want += l.qty;
          expect(svc.ledger.reserved[s], `seed ${seed} sku ${s}`).toBe(want);
        }
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}`);
      }
    }
  });
});
