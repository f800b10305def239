/**
 * The KPI summary of a run (kpis.json) and the per-minute time series (timeseries.csv).
 */
import { TIME_CATEGORIES } from '../../sim/robots.ts';
import type { Bounds } from './bounds.ts';

export interface Kpis {
  scenario: string;
  seed: number;
  simulatedSeconds: number;
  /** Seconds before measuring started (KPIs below cover the rest of the run). */
  warmupSeconds: number;
  wallSeconds: number;
  /** Simulated seconds per wall-clock second. */
  speed: number;
  binPresentations: number;
  binPresentationsPerHour: number;
  /**
   * Per port: presentations, operator busy share (`utilization`), and the order lines and units picked,
   * per presentation and per hour.
   */
  ports: { id: string; type: string; staffed: boolean; presentations: number; utilization: number; lines: number; units: number; linesPerPresentation: number; linesPerHour: number }[];
  /** The operators over all staffed ports: work per presentation, busy share, order lines per port-hour. */
  station: { linesPerPresentation: number; unitsPerPresentation: number; operatorBusyShare: number; linesPerPortHour: number };
  /**
   * Whether the measured period was steady: presentations per hour in its first and second half, their
   * relative change (`drift`), and `reached` when that is within 5 % or within counting noise (see runner.ts).
   */
  steadyState: { reached: boolean; firstHalfPerHour: number; secondHalfPerHour: number; drift: number };
  /** What the ports and the fleet could do, and how close the run came (see bounds.ts). */
  bounds: Bounds;
  robots: { count: number; utilization: number };
  /** Fleet time by activity, in robot-seconds and as shares. */
  robotTime: Record<(typeof TIME_CATEGORIES)[number], { seconds: number; share: number }>;
  digging: { retrievals: number; binsMovedAside: number; meanDepth: number };
  orderLines: { completed: number; short: number; meanLeadSeconds: number };
  orders: { completed: number; meanLeadSeconds: number; open: number };
  planner: { searches: number; failures: number; meanExpansions: number };
  stuckRobots: number;
  collisions: number;
  stateHash: string;
  /** The order history replayed instead of the scenario's profile (`--orders`), with what was skipped. */
  orderFile?: OrderFileSummary;
}

/** What an order-history import read, used and skipped. */
export interface OrderFileSummary {
  file: string;
  linesRead: number;
  linesUsed: number;
  skipped: Record<string, number>;
  orders: number;
  /** Seconds from the file's first order to its last. */
  spanSeconds: number;
  codes: number;
  skusUsed: number;
  /** Orders of the file that arrived within the run. */
  ordersReplayed: number;
}

export interface MinuteRow {
  minute: number;
  presentations: number;
  busyRobots: number;
  queuedTasks: number;
}

/** CSV text of the time series (pure). */
export function timeseriesCsv(rows: readonly MinuteRow[]): string {
  return 'minute,presentations,busyRobots,queuedTasks\n'
    + rows.map((r) => `${r.minute},${r.presentations},${r.busyRobots},${r.queuedTasks}`).join('\n') + '\n';
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The human-readable KPI table printed at the end of a run (pure). */
export function kpiTable(k: Kpis): string {
  const rows: [string, string][] = [
    ['scenario', `${k.scenario} (seed ${k.seed})`],
    ['simulated', `${(k.simulatedSeconds / 3600).toFixed(2)} h (warm-up ${k.warmupSeconds} s) in ${k.wallSeconds.toFixed(1)} s wall, ${Math.round(k.speed)}x real time`],
    ['bin presentations', `${k.binPresentations}`],
    ['bin presentations / hour', `${Math.round(k.binPresentationsPerHour)}`],
    ['steady state', `${k.steadyState.reached ? 'reached' : 'NOT reached (use a longer --warmup)'}: ${k.steadyState.firstHalfPerHour} then ${k.steadyState.secondHalfPerHour} presentations / h (${k.steadyState.drift >= 0 ? '+' : ''}${(k.steadyState.drift * 100).toFixed(1)} %)`],
    ['bounds', `ports ${k.bounds.portPerHour} / h (cycle ${k.bounds.portCycleSeconds} s), fleet ${k.bounds.fleetPerHour} / h (uncongested cycle ${k.bounds.uncongestedCycleSeconds} s), efficiency ${k.bounds.efficiency}`],
    ['port utilization (mean)', pct(k.ports.reduce((a, p) => a + p.utilization, 0) / Math.max(1, k.ports.length))],
    ['robots', `${k.robots.count}, utilization ${pct(k.robots.utilization)}`],
    ['retrievals', `${k.digging.retrievals}, mean depth ${k.digging.meanDepth.toFixed(2)}, bins moved aside ${k.digging.binsMovedAside}`],
    ['order lines completed', `${k.orderLines.completed} (short ${k.orderLines.short}), mean lead ${k.orderLines.meanLeadSeconds.toFixed(0)} s`],
    ['orders completed', `${k.orders.completed}, mean lead ${k.orders.meanLeadSeconds.toFixed(0)} s, open ${k.orders.open}`],
    ['robot time', TIME_CATEGORIES.map((c) => `${c} ${pct(k.robotTime[c].share)}`).join(', ')],
    ['planner', `${k.planner.searches} searches, ${k.planner.failures} without a plan, ${k.planner.meanExpansions.toFixed(0)} expansions each`],
    ['stuck robots', `${k.stuckRobots}`],
    ['collisions', `${k.collisions}`],
    ['state hash', k.stateHash],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const portLines = k.ports.map((p) => `  ${p.id.padEnd(6)} ${p.type.padEnd(9)} ${String(p.presentations).padStart(6)} presentations  ${pct(p.utilization)}`);
  return rows.map(([a, b]) => `${a.padEnd(w)}  ${b}`).join('\n') + '\nports:\n' + portLines.join('\n') + '\n';
}
