/** A one-site order layer for tests, over any store, with a hand-driven clock and a grid that records withdrawals. */
import { Catalogue } from '../../wcs/orders/catalogue.ts';
import { MemoryStore } from '../../wcs/orders/memory-store.ts';
import type { OrderRequest, OrderStore } from '../../wcs/orders/records.ts';
import { OrderService } from '../../wcs/orders/service.ts';

export function testSite<S extends OrderStore = MemoryStore>(stock: number[] = [10, 5, 0], store: S = new MemoryStore() as unknown as S) {
  let now = 0;
  const withdrawn: string[] = [];
  const svc = new OrderService({
    site: 'S1', catalogue: Catalogue.seeded(stock.length), store, clock: () => now,
    grid: { withdraw: (id, n) => { withdrawn.push(`${id}/${n}`); } },
  }, (receive) => stock.forEach((q, sku) => { if (q > 0) receive(sku, q); }));
  return { svc, store, withdrawn, advance: (s: number) => { now += s; }, at: () => now };
}

/** An order request from [sku, qty] pairs (web unless `extra` says otherwise). */
export const order = (id: string, lines: [string, number][], extra: Partial<OrderRequest> = {}): OrderRequest =>
  ({ id, channel: 'web', lines: lines.map(([sku, qty]) => ({ sku, qty })), ...extra });
