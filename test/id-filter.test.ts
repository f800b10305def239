import { describe, expect, it } from 'vitest';
import { IdFilter } from '../wcs/orders/id-filter.ts';

describe('IdFilter', () => {
  it('never says no to an id it was given, says yes to few it was not, and grows in layers', () => {
    const f = new IdFilter(1000);
    const n = 50_000;
    for (let i = 0; i < n; i++) f.add(`order-${i}`);
    for (let i = 0; i < n; i++) expect(f.mayHave(`order-${i}`)).toBe(true);
    let yes = 0;
    for (let i = 0; i < n; i++) if (f.mayHave(`other-${i}`)) yes++;
    // 1 %, 0.5 %, 0.25 % ... per layer when full; 1000, 2000, ... 64000 make 7 layers, the last partly filled.
    expect(yes / n).toBeLessThan(0.02);
    expect(f.count).toBe(n);
    // 9.6 bits an id of capacity in the first layer, 1.44 more in each next (the layers add up to 127,000
    // ids, the last 64,000 at 18.2 bits): a few bytes an id, far under a set of the strings.
    expect(f.bytes).toBeLessThan(127_000 * 18.2 / 8);
  });

  it('an empty filter has nothing; a bad capacity is refused', () => {
    expect(new IdFilter().mayHave('x')).toBe(false);
    expect(() => new IdFilter(0)).toThrow(/capacity/);
  });
});
