/**
 * npm run validate:model [-- --seeds 3] [-- --minutes 30]: the simulator against the analytic cycle model
 * (./cycle-model.ts) on matching scenarios of two grids and three fills: presentations per hour and each
 * time category the model predicts, the simulated mean over `seeds` runs vs the model, with the
 * difference. A run starts from the evenly filled grid (no warm-up: the model describes that grid) and
 * lasts `minutes`.
 */
import { parseArgs } from 'node:util';
import { parseScenario } from '../scenario/load.ts';
import { cycleEstimate, validationScenarioFile } from './cycle-model.ts';
import { runScenario } from './runner.ts';

export interface ValidationRow {
  case: string; seed: number; quantity: string; simulated: number; model: number; difference: number;
}

const CATEGORIES = ['movingEmpty', 'movingLoaded', 'digging', 'portHandling'] as const;

/**
 * Simulated vs model for one grid and fill over `seconds`, one row per quantity: the simulated figure is
 * the mean over `seeds` runs (seeds 1..n), so that counting noise (a lone robot presents about 80 bins an
 * hour) does not hide the model's error.
 */
export function validateCase(o: { width: number; depth: number; height: number; fill: number }, seconds: number, seeds: number): ValidationRow[] {
  const runs = Array.from({ length: seeds }, (_, i) => runScenario(parseScenario(validationScenarioFile({ ...o, seed: i + 1 })), { seconds, now: () => 0 }).kpis);
  const est = cycleEstimate(parseScenario(validationScenarioFile({ ...o, seed: 1 })), seconds);
  const mean = (f: (k: (typeof runs)[number]) => number) => runs.reduce((s, k) => s + f(k), 0) / runs.length;
  const name = `${o.width}x${o.depth}, height ${o.height}, fill ${o.fill}`;
  const row = (quantity: string, simulated: number, model: number): ValidationRow => ({
    case: name, seed: seeds, quantity, simulated, model, difference: model > 0 ? simulated / model - 1 : 0,
  });
  return [
    row('presentations / h', mean((k) => k.binPresentationsPerHour), est.presentationsPerHour),
    ...CATEGORIES.map((c) => row(`${c} share`, mean((k) => k.robotTime[c].share), est.seconds[c] / est.cycleSeconds)),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '8' }, minutes: { type: 'string', default: '60' } } });
  const seconds = Number(values.minutes) * 60;
  const rows: ValidationRow[] = [];
  for (const g of [{ width: 20, depth: 16, height: 8 }, { width: 30, depth: 20, height: 10 }]) {
    for (const fill of [0.3, 0.5, 0.7]) rows.push(...validateCase({ ...g, fill }, seconds, Number(values.seeds)));
  }
  process.stdout.write(`| case | seeds | quantity | simulated (mean) | model | difference |\n|---|---|---|---|---|---|\n`);
  for (const r of rows) {
    const f = (x: number) => (r.quantity.endsWith('share') ? `${(x * 100).toFixed(1)} %` : x.toFixed(1));
    process.stdout.write(`| ${r.case} | ${r.seed} | ${r.quantity} | ${f(r.simulated)} | ${f(r.model)} | ${(r.difference * 100).toFixed(1)} % |\n`);
  }
  const worst = rows.reduce((a, r) => Math.max(a, Math.abs(r.difference)), 0);
  process.stdout.write(`\nlargest difference ${(worst * 100).toFixed(1)} % (the target: within 5 %)\n`);
}
