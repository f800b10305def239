/**
 * Order history import: a real retailer's export (test/fixtures/online-retail-sample.csv) imports through a
 * column mapping with an account of every skipped line; CSV quoting, JSON Lines, SKU mapping by frequency.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importOrders, OrderFileError, parseCsv } from '../wcs/orders/import.ts';

const retail = readFileSync(new URL('./fixtures/online-retail-sample.csv', import.meta.url), 'utf8');
const mapping = { id: 'InvoiceNo', sku: 'StockCode', qty: 'Quantity', created: 'InvoiceDate', channel: { fixed: 'web' } };

describe('order history import', () => {
  it('imports the real export with a mapping and accounts for every line', () => {
    const r = importOrders(retail, { format: 'csv', skus: 2000, columns: mapping });
    const rows = parseCsv(retail).slice(1);
    expect(r.linesRead).toBe(rows.length);
    const negative = rows.filter((row) => Number(row[3]) < 0).length;
    expect(negative).toBeGreaterThan(0);
    expect(r.skipped).toEqual({ 'negative quantity (cancellation or return)': negative });
    expect(r.linesUsed + negative).toBe(r.linesRead);
    // Every used line's units arrive in some order line; repeated codes within an invoice are added up.
    const units = rows.filter((row) => Number(row[3]) > 0).reduce((a, row) => a + Number(row[3]), 0);
    expect(r.orders.reduce((a, o) => a + o.lines.reduce((b, l) => b + l.qty, 0), 0)).toBe(units);
    for (const o of r.orders) expect(new Set(o.lines.map((l) => l.sku)).size).toBe(o.lines.length);
    expect(r.orders.every((o, i) => i === 0 || o.createdSeconds >= r.orders[i - 1]!.createdSeconds)).toBe(true);
    expect(r.orders[0]!.createdSeconds).toBe(0);
    expect(r.orders.at(-1)!.createdSeconds).toBeGreaterThan(0);
    expect(r.codes).toBe(r.skusUsed);
  });

  it('keeps quoted commas inside a field', () => {
    const rows = parseCsv('a,b,c\n1,"x, ""y"", z",3\r\n');
    expect(rows).toEqual([['a', 'b', 'c'], ['1', 'x, "y", z', '3']]);
  });

  it('maps the most ordered code to the most popular SKU and wraps beyond the catalogue', () => {
    const csv = 'id,sku,qty\n1,B,1\n2,A,1\n3,A,1\n4,C,2\n4,C,3\n';
    const r = importOrders(csv, { format: 'csv', skus: 2 });
    expect(r.skuOf.get('A')).toBe(0);
    expect(r.skuOf.get('C')).toBe(1);
    expect(r.skuOf.get('B')).toBe(0);
    expect(r.orders.find((o) => o.id === '4')!.lines).toEqual([{ sku: 1, code: 'C', qty: 5 }]);
  });

  it('reads JSON Lines and says why lines were skipped', () => {
    const jsonl = [
      '{"id":"a","channel":"app","created":"2026-01-01T10:00:00Z","sku":"X","qty":2}',
      '{"id":"b","channel":"store","created":"2026-01-01T09:00:00Z","sku":"Y","qty":1}',
      'not json',
      '{"id":"c","sku":"","qty":1}',
      '{"id":"d","sku":"X","qty":1.5}',
      '{"id":"e","sku":"X","qty":0}',
      '{"id":"f","sku":"X","qty":1,"created":"yesterday"}',
    ].join('\n');
    const r = importOrders(jsonl, { format: 'jsonl', skus: 10 });
    expect(r.orders.map((o) => [o.id, o.channel, o.createdSeconds])).toEqual([['b', 'store', 0], ['a', 'app', 3600]]);
    expect(r.skipped).toEqual({
      'not a JSON object': 1, 'blank SKU code': 1, 'quantity not an integer': 1, 'zero quantity': 1, 'creation time unreadable': 1,
    });
    expect(r.examples.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
  });

  it('refuses a mapping that names a column the file does not have', () => {
    expect(() => importOrders(retail, { format: 'csv', skus: 10, columns: { ...mapping, sku: 'Sku' } }))
      .toThrow(OrderFileError);
    try { importOrders(retail, { format: 'csv', skus: 10, columns: { ...mapping, sku: 'Sku' } }); } catch (e) {
      expect((e as OrderFileError).field).toBe('columns.sku');
      expect((e as Error).message).toMatch(/expected a column of the file \(InvoiceNo, StockCode, .*\), got "Sku"/);
    }
  });
});
