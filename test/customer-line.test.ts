/**
 * The customer line's lifecycle: the transitions the order layer relies on, read off the machine
 * (LINE_TRANSITIONS) and checked against the lifecycle as documented.
 */
import { describe, expect, it } from 'vitest';
import { LINE_TRANSITIONS, startCustomerLine, stepCustomerLine } from '../wcs/orders/customer-line.ts';

describe('customer line lifecycle', () => {
  it('has exactly the documented transitions', () => {
    expect(LINE_TRANSITIONS).toEqual({
      received: { RESERVE: 'reserved', BACKORDER: 'backordered', CANCEL: 'cancelled' },
      backordered: { RESERVE: 'reserved', CANCEL: 'cancelled' },
      reserved: { RELEASE: 'released', CANCEL: 'cancelled' },
      released: { START: 'picking', REQUEUE: 'reserved', CANCEL: 'cancelled' },
      picking: { PICKED: 'picked', SHORT: 'short', REQUEUE: 'reserved' },
      picked: {}, short: {}, cancelled: {},
    });
  });

  it('records the quantity picked and the time of each change', () => {
    let s = startCustomerLine(5, 10);
    for (const e of [{ type: 'RESERVE', at: 11 }, { type: 'RELEASE', at: 12 }, { type: 'START', at: 13 }, { type: 'SHORT', at: 14, picked: 3 }] as const) {
      s = stepCustomerLine(s, e);
    }
    expect([s.value, s.context]).toEqual(['short', { qty: 5, picked: 3, at: 14 }]);
    expect(stepCustomerLine(s, { type: 'CANCEL', at: 15 })).toBe(s);
  });
});
