/**
 * npm run bench:sensitivity [-- --scenario thalia] [-- --hours 1]: how a library scenario's steady-state
 * presentations per hour move with the parameters the sources leave open: the operator's time per line,
 * SKU duplication (slots per SKU), stack height (same fill) and the fleet. One variant per fresh process
 * (test/bench/one.ts, 15-minute warm-up), two at a time; prints a markdown table for the README.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'thalia' }, hours: { type: 'string', default: '1' } } });
type File = Record<string, any>;
const base = JSON.parse(readFileSync(`scenarios/${values.scenario}.json`, 'utf8')) as File;
const withStation = (f: File, line: number) => ({ ...f, ports: f.ports.map((p: File) => ({ ...p, station: { ...p.station, line: { meanSeconds: line } } })) });
const variants: [string, (f: File) => File][] = [
  ['as in the library', (f) => f],
  ['operator 3 s per line (default 5)', (f) => withStation(f, 3)],
  ['operator 8 s per line', (f) => withStation(f, 8)],
  ['1.5 slots per SKU (default: every compartment)', (f) => ({ ...f, inventory: { ...f.inventory, slotsPerSku: 1.5 } })],
  ['3 slots per SKU', (f) => ({ ...f, inventory: { ...f.inventory, slotsPerSku: 3 } })],
  [`stacks of ${base.grid.height + 4}, same fill`, (f) => ({ ...f, grid: { ...f.grid, height: f.grid.height + 4 }, bins: { ...f.bins, count: Math.round((f.bins.count * (f.grid.height + 4)) / f.grid.height) } })],
  [`${Math.round(base.robots.count * 0.75)} robots`, (f) => ({ ...f, robots: { ...f.robots, count: Math.round(f.robots.count * 0.75) } })],
  [`${Math.round(base.robots.count * 1.25)} robots`, (f) => ({ ...f, robots: { ...f.robots, count: Math.round(f.robots.count * 1.25) } })],
];

interface Row { binPresentationsPerHour: number; steady: boolean; linesPerPresentation: number; operatorBusy: number; portBound: number; fleetBound: number; wallSeconds: number }
const dir = mkdtempSync(join(tmpdir(), 'omnicube-sensitivity-'));
function run(i: number): Promise<Row | string> {
  const [, change] = variants[i]!;
  const file = join(dir, `v${i}.json`);
  writeFileSync(file, JSON.stringify({ ...change(structuredClone(base)), $schema: undefined }));
  return new Promise((res) => {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['test/bench/one.ts', file, values.hours!], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (c) => { out += String(c); });
    child.stderr.on('data', (c) => { err += String(c); });
    child.on('exit', (code) => res(code === 0 ? JSON.parse(out.trim().split('\n').pop()!) as Row : `failed: ${err.trim().split('\n').pop()}`));
  });
}

const results: (Row | string)[] = new Array(variants.length);
let next = 0;
const worker = async () => {
  for (let i = next++; i < variants.length; i = next++) {
    process.stderr.write(`${variants[i]![0]}...\n`);
    results[i] = await run(i);
  }
};
await Promise.all([worker(), worker()]);
rmSync(dir, { recursive: true, force: true });
const ref = results[0] as Row;
process.stdout.write(`\n${values.scenario}, ${values.hours} simulated hour(s) after a 15-minute warm-up, seed 1\n\n`);
process.stdout.write('| variant | presentations / h | vs library | lines / presentation | operators busy | binds | steady |\n|---|---|---|---|---|---|---|\n');
variants.forEach(([name], i) => {
  const r = results[i]!;
  if (typeof r === 'string') { process.stdout.write(`| ${name} | ${r} | | | | | |\n`); return; }
  const binds = r.portBound <= r.fleetBound ? 'ports' : 'fleet';
  const vs = typeof ref === 'string' ? '-' : `${r.binPresentationsPerHour >= ref.binPresentationsPerHour ? '+' : ''}${(((r.binPresentationsPerHour / ref.binPresentationsPerHour) - 1) * 100).toFixed(1)} %`;
  process.stdout.write(`| ${name} | ${Math.round(r.binPresentationsPerHour).toLocaleString('en')} | ${i === 0 ? '-' : vs} | ${r.linesPerPresentation.toFixed(2)} | ${(r.operatorBusy * 100).toFixed(0)} % | ${binds} | ${r.steady ? 'yes' : 'no'} |\n`);
});
