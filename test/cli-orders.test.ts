/**
 * `run --orders FILE`: real order history replayed through the grid instead of the scenario's profile,
 * read through a column mapping, with what was skipped accounted for; a wrong file or mapping is exit 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './support/cli.ts';
import { describe, expect, it } from 'vitest';
import { main } from '../wcs/cli.ts';

const TIMEOUT = 120_000;
const retail = 'test/fixtures/online-retail-sample.csv';
const columns = 'id=InvoiceNo,sku=StockCode,qty=Quantity,created=InvoiceDate';

const run = (...args: string[]) => runMain(main, args);

describe('command line: order history replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnicube-orders-'));

  it('replays the real export: every order arrives, is picked, and the account is in kpis.json', async () => {
    const out = join(dir, 'replay');
    const r = await run('run', 'scenarios/smoke.json', '--hours', '1', '--orders', retail, '--columns', columns, '--channel', 'web', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lines read, \d+ used, skipped 12 negative quantity \(cancellation or return\); 11 orders over 0\.33 h; 105 SKU codes mapped by order frequency onto 60 of the scenario's SKUs/);
    const k = JSON.parse(readFileSync(join(out, 'kpis.json'), 'utf8'));
    expect(k.orderFile).toMatchObject({ orders: 11, ordersReplayed: 11, codes: 105, skusUsed: 60, skipped: { 'negative quantity (cancellation or return)': 12 } });
    expect(k.orderFile.linesUsed + 12).toBe(k.orderFile.linesRead);
    // All 11 orders arrive within the first 20 minutes; an hour is enough for 4 robots to pick them all.
    expect(k.orders.completed).toBe(11);
    expect(k.orders.open).toBe(0);
    expect(k.orderLines.short).toBe(0);
  }, TIMEOUT);

  it('the same file and seed give the same state', async () => {
    const a = await run('run', 'scenarios/smoke.json', '--hours', '0.2', '--orders', retail, '--columns', columns);
    const b = await run('run', 'scenarios/smoke.json', '--hours', '0.2', '--orders', retail, '--columns', columns);
    const hash = (s: string) => /state hash\s+(\w+)/.exec(s)?.[1];
    expect(hash(a.stdout)).toBeDefined();
    expect(hash(a.stdout)).toBe(hash(b.stdout));
  }, TIMEOUT);

  it.each([
    [['--orders', retail], /--columns id: expected a column of the file \(InvoiceNo, StockCode, .*\), got "id" \(map the file's columns with --columns/],
    [['--orders', retail, '--columns', 'id=InvoiceNo,sku=Sku,qty=Quantity'], /--columns sku: expected a column of the file .* got "Sku"/],
    [['--orders', retail, '--columns', 'id=InvoiceNo,bogus=StockCode'], /--columns: expected FIELD=COLUMN pairs .* got "bogus=StockCode"/],
    [['--orders', 'scenarios/smoke.json'], /--orders scenarios\/smoke\.json: expected a \.csv or \.jsonl file/],
    [['--orders', 'no-such-file.csv'], /--orders no-such-file\.csv: cannot be read \(.*no such file/i],
    [['--columns', columns], /--columns and --channel describe an order file: give it with --orders FILE/],
  ])('refuses %j with exit 2 before running', async (args, message) => {
    const r = await run('run', 'scenarios/smoke.json', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  }, TIMEOUT);

  it('refuses a file with no usable line, saying what was skipped', async () => {
    const file = join(dir, 'returns.csv');
    writeFileSync(file, 'id,sku,qty\nC1,A,-1\nC2,B,-3\n');
    const r = await run('run', 'scenarios/smoke.json', '--orders', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no usable order line among 2 \(skipped: 2 negative quantity \(cancellation or return\)\)/);
  }, TIMEOUT);
});
