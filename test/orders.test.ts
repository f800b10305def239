import { describe, expect, it } from 'vitest';
import { createRng } from '../sim/rng.ts';
import { OrderBook } from '../wcs/orders/book.ts';
import {
  accepted, startBinTask, startOrder, startOrderLine, stepBinTask, stepOrder, stepOrderLine,
  type BinTaskEvent,
} from '../wcs/orders/machines.ts';
import { OrderSource, truncatedGeometricCdf, type OrdersProfile, type OrderSpec } from '../wcs/orders/profile.ts';

const PROFILE: OrdersProfile = {
  mode: 'arrivals',
  linesPerOrder: { mean: 2.5, max: 10 },
  unitsPerLine: { mean: 1.5, max: 6 },
  skew: { share: 0.8, of: 0.2 },
  ordersPerHour: 120,
  hourlyProfile: new Array<number>(24).fill(1),
  backlogOrders: 0,
  channels: { web: 6, store: 3, marketplace: 1 },
};

function orders(seed: number, n: number, profile = PROFILE, skus = 1000): OrderSpec[] {
  const src = new OrderSource(profile, skus, createRng(seed));
  return Array.from({ length: n }, (_, i) => src.nextOrder(i, i * 10));
}

describe('OrderSource content', () => {
  it('same seed, same orders', () => {
    expect(orders(42, 500)).toEqual(orders(42, 500));
    expect(orders(42, 500)).not.toEqual(orders(43, 500));
  });

  it('lines have distinct SKUs and quantities within bounds', () => {
    for (const o of orders(1, 2000)) {
      expect(new Set(o.lines.map((l) => l.sku)).size).toBe(o.lines.length);
      expect(o.lines.length).toBeGreaterThanOrEqual(1);
      expect(o.lines.length).toBeLessThanOrEqual(10);
      for (const l of o.lines) expect(l.qty >= 1 && l.qty <= 6 && l.sku >= 0 && l.sku < 1000).toBe(true);
    }
    // A catalogue smaller than max lines still terminates with distinct SKUs.
    for (const o of orders(1, 200, { ...PROFILE, linesPerOrder: { mean: 3, max: 3 } }, 3)) expect(o.lines.length).toBe(3);
  });

  it('skew holds: top 20% of SKUs get 0.8 ± 0.02 of 20,000+ lines', () => {
    let top = 0, all = 0;
    for (const o of orders(7, 10_000)) for (const l of o.lines) { all++; if (l.sku < 200) top++; }
    expect(all).toBeGreaterThan(20_000);
    expect(Math.abs(top / all - 0.8)).toBeLessThan(0.02);
  });

  it('means of lines per order and units per line match the profile', () => {
    const os = orders(3, 20_000);
    const lines = os.reduce((a, o) => a + o.lines.length, 0);
    const units = os.reduce((a, o) => a + o.lines.reduce((b, l) => b + l.qty, 0), 0);
    expect(Math.abs(lines / os.length - 2.5)).toBeLessThan(0.05);
    expect(Math.abs(units / lines - 1.5)).toBeLessThan(0.03);
    expect(os.filter((o) => o.lines.length === 1).length / os.length).toBeGreaterThan(0.3);
  });

  it('truncated geometric hits its mean exactly, including means above (max+1)/2', () => {
    for (const [mean, max] of [[1, 5], [2.5, 10], [4.5, 5], [3, 3]] as const) {
      const cdf = truncatedGeometricCdf(mean, max);
      let m = 0;
      for (let k = 0; k < cdf.length; k++) m += (k + 1) * (cdf[k]! - (k > 0 ? cdf[k - 1]! : 0));
      expect(m).toBeCloseTo(mean, 6);
    }
  });

  it('channels follow their weights', () => {
    const counts: Record<string, number> = {};
    for (const o of orders(5, 10_000)) counts[o.channel] = (counts[o.channel] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(['marketplace', 'store', 'web']);
    expect(Math.abs(counts.web! / 10_000 - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts.marketplace! / 10_000 - 0.1)).toBeLessThan(0.015);
  });
});

describe('OrderSource arrivals', () => {
  const dt = 0.1;
  const hour = 3600 / dt;

  it('rate matches ordersPerHour over 200 hours, and is deterministic', () => {
    const a = new OrderSource(PROFILE, 1000, createRng(8)).arrivalsBetween(0, 200 * hour, dt);
    expect(Math.abs(a.length / 200 / 120 - 1)).toBeLessThan(0.03);
    for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThanOrEqual(a[i - 1]!);
    expect(new OrderSource(PROFILE, 1000, createRng(8)).arrivalsBetween(0, 10 * hour, dt)).toEqual(a.filter((t) => t < 10 * hour));
  });

  it('windows and single steps give the same stream', () => {
    const whole = new OrderSource(PROFILE, 1000, createRng(9)).arrivalsBetween(0, 5 * hour, dt);
    const src = new OrderSource(PROFILE, 1000, createRng(9));
    const pieces: number[] = [];
    for (let t = 0; t < 5 * hour; t += 997) pieces.push(...src.arrivalsBetween(t, Math.min(t + 997, 5 * hour), dt));
    expect(pieces).toEqual(whole);
    const step = new OrderSource(PROFILE, 1000, createRng(9));
    const one: number[] = [];
    for (let t = step.nextArrivalTick(0, dt); t < 5 * hour; t = step.nextArrivalTick(t, dt)) one.push(t);
    expect(one).toEqual(whole);
  });

  it('respects the hourly profile shape', () => {
    const hourly = [0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 2, 1, 0, 0];
    const src = new OrderSource({ ...PROFILE, hourlyProfile: hourly }, 1000, createRng(10));
    const days = 30;
    const byHour = new Array<number>(24).fill(0);
    for (const t of src.arrivalsBetween(0, days * 24 * hour, dt)) byHour[Math.floor(t / hour) % 24]!++;
    const total = byHour.reduce((a, b) => a + b, 0);
    expect(Math.abs(total / (days * 24) / 120 - 1)).toBeLessThan(0.03);
    const mean = hourly.reduce((a, b) => a + b, 0) / 24;
    for (let h = 0; h < 24; h++) {
      const expected = 120 * days * hourly[h]! / mean;
      if (expected === 0) expect(byHour[h]).toBe(0);
      else expect(Math.abs(byHour[h]! - expected)).toBeLessThan(4 * Math.sqrt(expected) + 1);
    }
  });

  it('zero rate never arrives', () => {
    const src = new OrderSource({ ...PROFILE, ordersPerHour: 0 }, 10, createRng(1));
    expect(src.arrivalsBetween(0, 100 * hour, dt)).toEqual([]);
    expect(src.nextArrivalTick(0, dt)).toBe(Infinity);
  });
});

describe('machines', () => {
  it('order line: legal path, illegal events rejected', () => {
    let s = startOrderLine({ lineId: 1, orderId: 2, sku: 3, qty: 4 });
    expect(s.value).toBe('open');
    expect(s.can({ type: 'PICKED', tick: 1 })).toBe(false);
    expect(stepOrderLine(s, { type: 'PICKED', tick: 1 })).toBe(s);
    s = stepOrderLine(s, { type: 'RESERVE', bin: 9, tick: 5 });
    s = stepOrderLine(s, { type: 'TASK_STARTED', tick: 6 });
    expect(s.can({ type: 'CANCEL', tick: 7 })).toBe(false);
    const before = s;
    s = stepOrderLine(s, { type: 'PICKED', tick: 8 });
    expect(accepted(before, s)).toBe(true);
    expect(s.value).toBe('picked');
    expect(s.context).toMatchObject({ bin: 9, reservedTick: 5, startedTick: 6, doneTick: 8 });
    expect(s.status).toBe('done');
    expect(stepOrderLine(s, { type: 'SHORT', tick: 9 })).toBe(s);
  });

  it('order line: short from open and from picking, cancel before picking', () => {
    const s0 = startOrderLine({ lineId: 1, orderId: 2, sku: 3, qty: 4 });
    expect(stepOrderLine(s0, { type: 'SHORT', tick: 1 }).value).toBe('short');
    const r = stepOrderLine(s0, { type: 'RESERVE', bin: 1, tick: 1 });
    expect(stepOrderLine(r, { type: 'CANCEL', tick: 2 }).value).toBe('cancelled');
    expect(stepOrderLine(stepOrderLine(r, { type: 'TASK_STARTED', tick: 2 }), { type: 'SHORT', tick: 3 }).value).toBe('short');
  });

  it('order: completes when every line is picked or short', () => {
    let o = startOrder({ orderId: 1, createdTick: 0, lineCount: 3 });
    expect(stepOrder(o, { type: 'LINE_STARTED', tick: 1 })).toBe(o);
    o = stepOrder(o, { type: 'RELEASE', tick: 1 });
    o = stepOrder(o, { type: 'LINE_DONE', short: true, tick: 2 });
    expect(o.value).toBe('in_progress');
    expect(o.can({ type: 'CANCEL', tick: 2 })).toBe(false);
    o = stepOrder(o, { type: 'LINE_STARTED', tick: 3 });
    o = stepOrder(o, { type: 'LINE_DONE', tick: 4 });
    expect(o.value).toBe('in_progress');
    o = stepOrder(o, { type: 'LINE_DONE', tick: 9 });
    expect(o.value).toBe('complete');
    expect(o.context).toMatchObject({ done: 3, short: 1, started: 1, releasedTick: 1, completeTick: 9 });
  });

  it('bin task: full path, queue skip, cancel only early', () => {
    const path: [BinTaskEvent, string][] = [
      [{ type: 'ASSIGN', robot: 4, tick: 1 }, 'assigned'], [{ type: 'FETCH_STARTED', tick: 2 }, 'retrieving'],
      [{ type: 'LIFTED', tick: 3 }, 'to_port'], [{ type: 'QUEUED', tick: 4 }, 'queued'],
      [{ type: 'PRESENTED', tick: 5 }, 'presented'], [{ type: 'CLOSED', tick: 6 }, 'returning'],
      [{ type: 'RETURNED', tick: 7 }, 'done'],
    ];
    let t = startBinTask({ taskId: 1, bin: 2, port: 3, createdTick: 0 });
    for (const [e, state] of path) {
      expect(t.can({ type: 'CANCEL', tick: e.tick })).toBe(state === 'assigned' || state === 'retrieving');
      t = stepBinTask(t, e);
      expect(t.value).toBe(state);
    }
    expect(t.context).toMatchObject({ robot: 4, assignedTick: 1, presentedTick: 5, returnedTick: 7 });
    let u = startBinTask({ taskId: 2, bin: 2, port: 3, createdTick: 0 });
    expect(stepBinTask(u, { type: 'LIFTED', tick: 1 })).toBe(u);
    u = stepBinTask(stepBinTask(u, { type: 'ASSIGN', robot: 1, tick: 1 }), { type: 'ASSIGN', robot: 2, tick: 2 });
    expect(u.context.robot).toBe(2);
    u = stepBinTask(stepBinTask(u, { type: 'FETCH_STARTED', tick: 3 }), { type: 'LIFTED', tick: 4 });
    expect(stepBinTask(u, { type: 'PRESENTED', tick: 5 }).value).toBe('presented');
  });

});

describe('OrderBook', () => {
  const spec = (id: number, skus: number[], createdTick = 0, channel = 'web'): OrderSpec =>
    ({ id, channel, createdTick, lines: skus.map((sku) => ({ sku, qty: 1 })) });

  it('FIFO open lines, completion, lead times, details dropped', () => {
    const book = new OrderBook({ channels: ['web', 'store'] });
    book.add(spec(10, [1, 2], 100), 100);
    book.add(spec(11, [3], 110, 'store'), 110);
    expect(book.openLines()).toEqual([0, 1, 2]);
    expect(book.openLines(2)).toEqual([0, 1]);
    book.markReserved(1, 50, 120);
    expect(book.order(10)!.state).toBe('released');
    expect(book.openLines()).toEqual([0, 2]);
    book.markShort(0, 121);
    book.markPicking(1, 130);
    expect(book.order(10)!.state).toBe('in_progress');
    expect(() => book.markPicking(1, 131)).toThrow(/BOOK_ILLEGAL_TRANSITION/);
    book.markPicked(1, 160);
    expect(book.order(10)).toBeUndefined();
    expect(book.line(1)).toBeUndefined();
    expect(book.openOrderCount()).toBe(1);
    expect(book.completedLines).toBe(1);
    expect(book.meanLineLeadTicks()).toBe(60);
    expect(book.meanOrderLeadTicks()).toBe(60);
    expect(book.totals).toMatchObject({ linesShort: 1, ordersCompleted: 1, ordersAdded: 2, linesAdded: 3 });
    expect(book.channelStats()[0]).toMatchObject({ name: 'web', ordersCompleted: 1, lineLeadSum: 60 });
    expect(book.recentFinished()).toEqual([
      { id: 10, channel: 'web', createdTick: 100, finishedTick: 160, lines: 2, shortLines: 1, cancelled: false },
    ]);
  });

  it('an illegal mark changes nothing, not even the order release', () => {
    const book = new OrderBook();
    book.add(spec(1, [5]), 0);
    expect(() => book.markPicked(0, 5)).toThrow(/BOOK_ILLEGAL_TRANSITION/);
    expect(() => book.markPicking(0, 5)).toThrow(/BOOK_ILLEGAL_TRANSITION/);
    expect(book.order(1)!.state).toBe('open');
    expect(() => book.markReserved(99, 1)).toThrow(/BOOK_UNKNOWN_LINE/);
  });

  it('cancel returns reservations to release; refused once picking started', () => {
    const book = new OrderBook();
    book.add(spec(1, [5, 6, 7]), 0);
    book.markReserved(0, 40, 1);
    book.markReserved(2, 41, 1);
    expect(book.cancelOrder(1, 2)).toEqual([{ lineId: 0, bin: 40, sku: 5, qty: 1 }, { lineId: 2, bin: 41, sku: 7, qty: 1 }]);
    expect(book.openOrderCount()).toBe(0);
    expect(book.openLineCount()).toBe(0);
    expect(book.totals).toMatchObject({ ordersCancelled: 1, linesCancelled: 3 });
    book.add(spec(2, [5, 6]), 3);
    book.markReserved(3, 40, 4);
    book.markPicking(3, 5);
    expect(book.cancelOrder(2, 6)).toBeNull();
    expect(book.order(2)!.state).toBe('in_progress');
  });

  it('memory stays flat over many orders; the ring keeps the last N', () => {
    const book = new OrderBook({ keepFinished: 5 });
    const src = new OrderSource(PROFILE, 1000, createRng(1));
    let line = 0;
    for (let i = 0; i < 5000; i++) {
      const o = src.nextOrder(i, i);
      book.add(o, i);
      for (const id of book.openLines()) {
        book.markReserved(id, 0, i);
        book.markPicking(id, i);
        book.markPicked(id, i + 3);
        line++;
      }
    }
    expect(book.openOrderCount()).toBe(0);
    expect(book.completedLines).toBe(line);
    expect(book.meanOrderLeadTicks()).toBe(3);
    expect(book.recentFinished().map((o) => o.id)).toEqual([4995, 4996, 4997, 4998, 4999]);
  });

  it('open-line queue stays FIFO through out-of-order reservations and compaction', () => {
    const book = new OrderBook();
    for (let i = 0; i < 3000; i++) book.add(spec(i, [i % 7]), i);
    // Reserve every line except each tenth: forces stale entries in the middle and a compaction.
    for (let id = 0; id < 3000; id++) if (id % 10 !== 0) book.markReserved(id, 1, 1);
    const expected = Array.from({ length: 300 }, (_, k) => k * 10);
    expect(book.openLines()).toEqual(expected);
    expect(book.openLineCount()).toBe(300);
  });
});
