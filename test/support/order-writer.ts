/**
 * The child of the kill -9 test (test/sqlite-store.test.ts): `tsx test/support/order-writer.ts FILE
 * NORMAL|FULL SKUS`. Opens an OrderService over a SqliteStore on FILE (a new site gets 1,000,000 units of
 * each of SKUS SKUs) and places orders forever, in rounds of 1 to 16 concurrent requests that each place
 * one order and await the service's flush, as HTTP handlers do; after its flush resolved, a request
 * prints `ack ID` on stdout (a pipe: written synchronously). Every tenth round the grid takes a few lines
 * and confirms their picks, so stored orders are also updated. Prints `ready` once the site is open.
 */
import { createRng, nextInt } from '../../sim/rng.ts';
import { Catalogue, seededSkuCode } from '../../wcs/orders/catalogue.ts';
import { CHANNELS } from '../../wcs/orders/records.ts';
import { OrderService } from '../../wcs/orders/service.ts';
import { SqliteStore } from '../../wcs/orders/sqlite-store.ts';

const [file, synchronous, skuArg] = process.argv.slice(2);
if (!file || (synchronous !== 'NORMAL' && synchronous !== 'FULL') || !skuArg) {
  process.stderr.write('usage: order-writer.ts FILE NORMAL|FULL SKUS\n');
  process.exit(2);
}
const skus = Number(skuArg);
const store = new SqliteStore(file, { synchronous });
let now = store.load().clock;
const svc = new OrderService({ site: 'K', catalogue: Catalogue.seeded(skus), store, clock: () => now },
  (receive) => { for (let s = 0; s < skus; s++) receive(s, 1_000_000); });
await svc.flush();
process.stdout.write('ready\n');

const rng = createRng(process.pid);
const rand = (n: number) => nextInt(rng, n);
let k = 0;
for (let round = 1; ; round++) {
  now += 1;
  const requests = Array.from({ length: 1 + rand(16) }, () => ({
    id: `k${++k}`, channel: CHANNELS[rand(CHANNELS.length)]!,
    lines: Array.from({ length: 1 + rand(3) }, () => ({ sku: seededSkuCode(rand(skus)), qty: 1 + rand(5) })),
  }));
  await Promise.all(requests.map(async (r) => {
    svc.place(r);
    await svc.flush();
    process.stdout.write(`ack ${r.id}\n`);
  }));
  if (round % 10 === 0) {
    for (const l of svc.release(5)) svc.confirmPick(l.orderId, l.n, rand(4) === 0 ? l.qty - 1 : l.qty);
    await svc.flush();
  }
}
