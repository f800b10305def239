/**
 * Scenario loading: the library scenarios load, defaults are applied, port rows expand onto the right
 * cells, and each kind of bad input gives a ScenarioError naming the exact field and what was expected.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { R5 } from '../sim/config.ts';
import { checkRunSize, loadScenarioFile, MAX_ORDERS_PER_RUN, parseScenario, ScenarioError } from '../wcs/scenario/load.ts';
import { runScenario } from '../wcs/run/runner.ts';
import type { ScenarioFile } from '../wcs/scenario/types.ts';

const dir = new URL('../scenarios/', import.meta.url);
const libraryPath = (name: string): string => new URL(`${name}.json`, dir).pathname;

/** The smallest valid scenario: only required fields. */
function minimal(): ScenarioFile {
  return {
    name: 'minimal',
    notes: [],
    grid: { width: 10, depth: 8, height: 5 },
    robots: { count: 2 },
    ports: [{ id: 'P1', type: 'carousel', x: 4, y: 0, edge: 'north' }],
    bins: { count: 100 },
    inventory: { skus: 20, unitsPerBin: { min: 1, max: 10 } },
    orders: {
      mode: 'backlog',
      linesPerOrder: { mean: 1.5, max: 4 },
      unitsPerLine: { mean: 1, max: 2 },
      skew: { share: 0.8, of: 0.2 },
    },
  };
}

/** Runs `fn` and returns the ScenarioError it throws (fails the test if it throws anything else). */
function errorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError, nothing was thrown');
}

describe('library scenarios', () => {
  it.each(['smoke', 'exxpozed', 'polaris', 'thalia'])('%s loads and fits AutoStore sizing rules', (name) => {
    const s = loadScenarioFile(libraryPath(name));
    const w = s.world;
    expect(s.file.$schema).toBe('./scenario.schema.json');
    expect(s.file.notes.length).toBeGreaterThan(3);
    const storage = w.width * w.depth - w.ports.reduce((n, p) => n + 1 + p.buffer.length, 0)
      - w.blocked.length - w.chargers.length;
    expect(w.width * w.depth / w.robotCount).toBeGreaterThanOrEqual(25);
    expect(w.binCount).toBeLessThanOrEqual(storage * w.height - Math.max(storage, 2 * w.height));
    if (name !== 'smoke') {
      expect(Math.min(w.width, w.depth)).toBeGreaterThanOrEqual(w.height + 2);
      expect(w.height).toBeLessThanOrEqual(16);
    }
    expect(s.wcs.orders.mode).toBe('backlog');
  });

  it('matches the published facts', () => {
    const count = (name: string, type: string): number =>
      loadScenarioFile(libraryPath(name)).world.ports.filter((p) => p.type === type).length;
    const facts: [string, number, number][] = [['exxpozed', 12, 10950], ['polaris', 74, 44000], ['thalia', 530, 240000]];
    for (const [name, robots, bins] of facts) {
      const w = loadScenarioFile(libraryPath(name)).world;
      expect([w.robotCount, w.binCount]).toEqual([robots, bins]);
    }
    expect(count('exxpozed', 'carousel')).toBe(2);
    expect([count('polaris', 'carousel'), count('polaris', 'conveyor')]).toEqual([9, 5]);
    expect(count('thalia', 'carousel')).toBe(94);
    expect(Object.keys(loadScenarioFile(libraryPath('exxpozed')).wcs.orders.channels).sort()).toEqual(['store', 'web']);
  });

  it('smoke is small', () => {
    const { world, wcs } = loadScenarioFile(libraryPath('smoke'));
    expect([world.width, world.depth, world.height, world.robotCount, world.ports.length]).toEqual([12, 10, 6, 4, 2]);
    expect(wcs.skus).toBe(60);
  });
});

describe('defaults', () => {
  it('fills every optional field', () => {
    const { world, wcs } = parseScenario(minimal());
    expect(world).toMatchObject({
      seed: 1, tickSeconds: 0.1, pitchX: 0.705, pitchY: 0.48, binHeight: 0.33, blocked: [], chargers: [],
      digPolicy: 'nearest',
    });
    expect(world.robotModel).toEqual(R5);
    expect(world.ports[0]).toEqual({
      id: 'P1', type: 'carousel', x: 4, y: 0, buffer: [{ x: 4, y: 1 }], queueLimit: 2, binPositions: 3,
      minCycleSeconds: 8, transferSeconds: 2.5, handoverDepth: 1,
      station: { exchange: { meanSeconds: 3, cv: 0.25 }, line: { meanSeconds: 5, cv: 0.5 }, unit: { meanSeconds: 1.5, cv: 0.5 }, minSeconds: 1, staffed: true },
    });
    expect(wcs).toMatchObject({ seed: 1, compartments: 1, lookaheadSeconds: 1800, returnPolicy: 'nearest', zones: 1, portStaging: true });
    expect(wcs.orders).toMatchObject({ ordersPerHour: 0, backlogOrders: 0, channels: { web: 1 } });
    expect(wcs.orders.hourlyProfile).toEqual(new Array(24).fill(1));
  });

  it('uses conveyor defaults and overrides kinematics field by field', () => {
    const f = minimal();
    f.ports = [{ id: 'V1', type: 'conveyor', x: 4, y: 0, edge: 'north', station: { line: { meanSeconds: 2 } } }];
    f.robots.kinematics = { topSpeed: 4, wheelSwitchSeconds: 1 };
    const { world } = parseScenario(f);
    expect(world.ports[0]).toMatchObject({
      binPositions: 4, transferSeconds: 4,
      station: { exchange: { meanSeconds: 5, cv: 0.25 }, line: { meanSeconds: 2, cv: 0.5 }, unit: { meanSeconds: 1.5, cv: 0.5 }, minSeconds: 1, staffed: true },
    });
    expect(world.robotModel).toEqual({ ...R5, topSpeed: 4, wheelSwitchSeconds: 1 });
  });

  it('expands blocked rectangles into cells and counts them out of storage', () => {
    const f = minimal();
    f.grid.blocked = [{ x: 6, y: 4, w: 2, h: 2 }, { x: 7, y: 5 }];
    expect(parseScenario(f).world.blocked).toEqual([{ x: 6, y: 4 }, { x: 7, y: 4 }, { x: 6, y: 5 }, { x: 7, y: 5 }]);
  });
});

describe('port rows', () => {
  const cells = (ports: { x: number; y: number; buffer: { x: number; y: number }[] }[]): number[][] =>
    ports.map((p) => [p.x, p.y, ...p.buffer.flatMap((b) => [b.x, b.y])]);

  it.each([
    ['north', [[2, 0, 2, 1, 2, 2], [5, 0, 5, 1, 5, 2]]],
    ['south', [[2, 7, 2, 6, 2, 5], [5, 7, 5, 6, 5, 5]]],
    ['west', [[0, 2, 1, 2, 2, 2], [0, 5, 1, 5, 2, 5]]],
    ['east', [[9, 2, 8, 2, 7, 2], [9, 5, 8, 5, 7, 5]]],
  ] as const)('%s edge: ports along the edge, buffer cells inwards', (edge, expected) => {
    const f = minimal();
    f.ports = [{ idPrefix: 'R', type: 'carousel', edge, start: 2, count: 2, spacing: 3, bufferCells: 2 }];
    const { world } = parseScenario(f);
    expect(world.ports.map((p) => p.id)).toEqual(['R1', 'R2']);
    expect(cells(world.ports)).toEqual(expected);
  });

  it('thalia puts 47 ports on each long edge', () => {
    const ports = loadScenarioFile(libraryPath('thalia')).world.ports;
    expect(ports.filter((p) => p.y === 0)).toHaveLength(47);
    expect(ports.filter((p) => p.y === 139)).toHaveLength(47);
    expect(ports.at(-1)).toMatchObject({ id: 'S47', x: 15 + 46 * 3 });
  });
});

type Case = [label: string, mutate: (f: ScenarioFile & Record<string, unknown>) => void, field: string, expected: RegExp];
const bad: Case[] = [
  ['wrong type', (f) => { (f.robots as Record<string, unknown>).count = 'four'; }, 'robots.count', /integer from 1 to 100000/],
  ['missing required field', (f) => { delete (f.grid as Partial<ScenarioFile['grid']>).width; },
    'grid.width', /integer from 3 to 1000 \(required\)/],
  ['missing top-level field', (f) => { delete (f as Partial<ScenarioFile>).notes; }, 'notes', /array/],
  ['typo in a field name', (f) => {
    const r = f.robots as Record<string, unknown>;
    r.cuont = r.count;
    delete r.count;
  }, 'robots.cuont', /known fields count, model, kinematics \(did you mean "count"\?\)/],
  ['extra top-level field', (f) => { f.robts = {}; }, 'robts', /did you mean "robots"/],
  ['bad enum', (f) => { f.orders.mode = 'lifo' as 'backlog'; }, 'orders.mode', /one of "backlog", "arrivals"/],
  ['out of range', (f) => { f.grid.height = 40; }, 'grid.height', /integer from 1 to 30/],
  ['probability above 1', (f) => { f.orders.skew.share = 1.5; }, 'orders.skew.share', /number from 0 to 1/],
  ['port row missing spacing', (f) => {
    f.ports = [{ idPrefix: 'P', type: 'carousel', edge: 'north', start: 1, count: 2 } as never];
  }, 'ports[0].spacing', /integer from 1 to 1000 \(required\)/],
  ['port with a typo', (f) => {
    f.ports.push({ id: 'P2', type: 'carousel', x: 7, y: 0, edge: 'north', bufferCell: 2 } as never);
  }, 'ports[1].bufferCell', /did you mean "bufferCells"/],
  ['port that is not an object', (f) => { f.ports.push('P2' as never); }, 'ports[1]', /single port .* or a row/],
  ['port off the edge it names', (f) => { f.ports.push({ id: 'P2', type: 'carousel', x: 7, y: 3, edge: 'north' }); },
    'ports[1].y', /0 for a port on the north edge/],
  ['port outside the grid', (f) => { f.ports.push({ id: 'P2', type: 'carousel', x: 10, y: 3, edge: 'east' }); },
    'ports[1].x', /0 to 9/],
  ['port row running off the edge', (f) => {
    f.ports = [{ idPrefix: 'P', type: 'carousel', edge: 'south', start: 1, count: 5, spacing: 3 }];
  }, 'ports[0].count', /at most 3 ports/],
  ['port on a blocked cell', (f) => { f.grid.blocked = [{ x: 3, y: 0, w: 3 }]; },
    'ports[0]', /port P1 on a cell that is not blocked \(grid.blocked\[0\] covers \(4, 0\)\)/],
  ['buffer on a blocked cell', (f) => { f.grid.blocked = [{ x: 4, y: 1 }]; },
    'ports[0]', /buffer cell of port P1 on a cell that is not blocked/],
  ['two ports on one cell', (f) => { f.ports.push({ id: 'P2', type: 'conveyor', x: 4, y: 0, edge: 'north' }); },
    'ports[1]', /port P2 on a free cell/],
  ['duplicate port id', (f) => { f.ports.push({ id: 'P1', type: 'conveyor', x: 0, y: 3, edge: 'west' }); },
    'ports[1].id', /unique port id/],
  ['blocked rect outside the grid', (f) => { f.grid.blocked = [{ x: 8, y: 2, w: 3 }]; }, 'grid.blocked[0].w', /at most 2/],
  ['too many bins', (f) => { f.bins.count = 285; }, 'bins.count', /at most 284 /],
  ['too many robots', (f) => { f.robots.count = 72; }, 'robots.count', /at most 71 /],
  ['too many SKUs', (f) => { f.inventory.skus = 101; }, 'inventory.skus', /at most 100/],
  ['mean above max', (f) => { f.orders.linesPerOrder.mean = 5; },
    'orders.linesPerOrder.mean', /at most orders.linesPerOrder.max \(4\)/],
  ['bad hourlyProfile length', (f) => { f.orders.hourlyProfile = [1, 2, 3]; },
    'orders.hourlyProfile', /exactly 24 items, each a number from 0 to 1000/],
  ['fleet denser than AutoStore sizing allows', (f) => { f.robots.count = 6; }, 'robots.count',
    /at most 5 on a 10 x 8 grid: at least 15 grid cells per robot/],
  ['no storage cell left', (f) => {
    f.grid = { width: 3, depth: 3, height: 5 };
    f.ports = [{ id: 'P1', type: 'carousel', x: 1, y: 0, edge: 'north' }];
  }, 'grid', /on this 3 x 3 grid the ports, their buffer cells, the streets .* leave no storage cell/],
  ['tick too long for the robots', (f) => { f.tickSeconds = 0.16; }, 'tickSeconds', /number from 0.01 to 0.15/],
  ['tick too long for faster robots', (f) => { f.tickSeconds = 0.1; f.robots.kinematics = { topSpeed: 5 }; },
    'tickSeconds', /less than 0.096 s: at 5 m\/s a robot would cross more than one 0.48 m cell per tick/],
  ['top speed too high for the default tick', (f) => { f.robots.kinematics = { topSpeedLoaded: 6 }; },
    'robots.kinematics.topSpeedLoaded', /less than 4.8 m\/s with a 0.1 s tick/],
  ['grip time beyond any robot', (f) => { f.robots.kinematics = { gripSeconds: 3e8 }; },
    'robots.kinematics.gripSeconds', /number from 0 to 60/],
  ['lift speed next to nothing', (f) => { f.robots.kinematics = { liftSpeed: 1e-300 }; },
    'robots.kinematics.liftSpeed', /number from 0.05 to 10/],
  ['acceleration next to nothing', (f) => { f.robots.kinematics = { accel: 1e-300 }; },
    'robots.kinematics.accel', /number from 0.05 to 20/],
  ['top speed beyond any robot', (f) => { f.robots.kinematics = { topSpeed: 1e308 }; },
    'robots.kinematics.topSpeed', /number from 0.1 to 10/],
  ['units per compartment beyond the counters', (f) => { f.inventory.unitsPerBin.max = 2 ** 32; },
    'inventory.unitsPerBin.max', /integer from 1 to 100000/],
  ['units in all bins beyond the counters', (f) => {
    f.grid = { width: 100, depth: 100, height: 16 };
    f.bins.count = 100000; f.inventory.compartments = 16; f.inventory.unitsPerBin.max = 100000;
  }, 'inventory.unitsPerBin.max', /at most 1342 \(1600000 compartments in all may hold at most 2147483647 units together\)/],
  ['order rate beyond any site', (f) => { f.orders.mode = 'arrivals'; f.orders.ordersPerHour = 1e12; },
    'orders.ordersPerHour', /number from 0 to 100000/],
  ['backlog beyond the bound', (f) => { f.orders.backlogOrders = 1e9; }, 'orders.backlogOrders', /integer from 0 to 100000/],
  ['more SKU duplication than compartments', (f) => { f.inventory.slotsPerSku = 1e4; }, 'inventory.slotsPerSku', /at most [0-9.]+ \(\d+ compartments for \d+ SKUs\)/],
  ['SKU duplication below one', (f) => { f.inventory.slotsPerSku = 0.5; }, 'inventory.slotsPerSku', /number from 1 to 100000/],
  ['an operator model with no staffed port', (f) => { for (const p of f.ports) (p as { station?: object }).station = { staffed: false }; }, 'ports', /at least one port with station.staffed true/],
  ['more zones than columns', (f) => { f.bins.zones = 20; }, 'bins.zones', /at most 10 \(zones are stripes across the 10 columns/],
  ['arrivals without a rate', (f) => { f.orders.mode = 'arrivals'; },
    'orders.ordersPerHour', /number > 0 \(required in arrivals mode\)/],
];

describe('bad input', () => {
  it.each(bad)('%s', (_label, mutate, field, expected) => {
    const f = structuredClone(minimal()) as ScenarioFile & Record<string, unknown>;
    mutate(f);
    const e = errorOf(() => parseScenario(f));
    expect(e.field).toBe(field);
    expect(e.expected).toMatch(expected);
    expect(e.message.startsWith(`${field}: expected ${e.expected}, got `)).toBe(true);
  });

  it('says "got nothing" for a missing field and shows the value otherwise', () => {
    const f = minimal();
    delete (f.bins as Partial<ScenarioFile['bins']>).count;
    expect(errorOf(() => parseScenario(f)).message).toMatch(/^bins\.count: expected .*, got nothing$/);
    f.bins.count = 1.5;
    expect(errorOf(() => parseScenario(f)).message).toBe('bins.count: expected an integer from 1 to 30000000, got 1.5');
  });

  it('says a number too large for JSON is too large, not "null"', () => {
    const e = errorOf(() => parseScenario(JSON.parse(JSON.stringify(minimal()).replace('"count":100', '"count":1e400'))));
    expect(e.field).toBe('bins.count');
    expect(e.message).toMatch(/got a number too large to represent \(reads as Infinity\)$/);
  });

  it('reads a file saved with a UTF-8 byte order mark', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'omnicube-')), 'bom.json');
    writeFileSync(path, `\ufeff${JSON.stringify(minimal())}`);
    expect(loadScenarioFile(path).world.name).toBe('minimal');
  });

  it('reports a file that is not JSON, with the parser message', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'omnicube-')), 'broken.json');
    writeFileSync(path, '{ "name": "x", }');
    const e = errorOf(() => loadScenarioFile(path));
    expect(e.field).toBe('(file)');
    expect(e.expected).toMatch(/^valid JSON in .*broken\.json \(.+\)$/);
    expect(e.source).toBe(path);
  });

  it('reports a missing file', () => {
    const path = join(tmpdir(), 'omnicube-no-such-scenario.json');
    const e = errorOf(() => loadScenarioFile(path));
    expect(e.field).toBe('(file)');
    expect(e.message).toBe(`(file): expected an existing scenario file at ${path}, got nothing`);
  });

  it('records the source file on schema errors', () => {
    const e = errorOf(() => parseScenario({ ...minimal(), seed: -1 }, 'x.json'));
    expect([e.field, e.source]).toEqual(['seed', 'x.json']);
  });
});

describe('what one run may create', () => {
  const arrivals = (rate: number, profile?: number[]) => {
    const f = minimal();
    f.orders.mode = 'arrivals';
    f.orders.ordersPerHour = rate;
    if (profile) f.orders.hourlyProfile = profile;
    return parseScenario(f);
  };

  it('refuses a run that would create more orders than one run may, before it runs', () => {
    const sc = arrivals(100_000);
    expect(() => checkRunSize(sc, 3600)).not.toThrow();
    const e = errorOf(() => runScenario(sc, { seconds: 20 * 3600, warmupSeconds: 3600 }));
    expect(e.field).toBe('orders.ordersPerHour');
    expect(e.expected).toMatch(new RegExp(`at most 95238 for a run of 21 h \\(one run may create at most ${MAX_ORDERS_PER_RUN} orders`));
  });

  it('counts the hourly profile at its peak', () => {
    const peaky = new Array<number>(24).fill(0);
    peaky[12] = 1; // all of the day's orders in one hour: the peak rate is 24 x the mean
    const sc = arrivals(10_000, peaky);
    expect(() => checkRunSize(sc, 8 * 3600)).not.toThrow();
    expect(errorOf(() => checkRunSize(sc, 9 * 3600)).field).toBe('orders.ordersPerHour');
  });

  it('bounds nothing in backlog mode, where the book holds a fixed number of orders', () => {
    expect(() => checkRunSize(parseScenario(minimal()), 1000 * 3600)).not.toThrow();
  });
});

describe('schema', () => {
  it('describes every property', () => {
    const schema = JSON.parse(readFileSync(libraryPath('scenario.schema'), 'utf8')) as Record<string, unknown>;
    const defs = schema.definitions as Record<string, Record<string, unknown>>;
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.properties) {
        for (const [k, v] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
          const ref = typeof v.$ref === 'string' ? defs[v.$ref.replace('#/definitions/', '')] : v;
          if (!v.description && !ref?.description) missing.push(`${path}.${k}`);
        }
      }
      for (const [k, v] of Object.entries(n)) walk(v, `${path}.${k}`);
    };
    walk(schema, '#');
    expect(missing).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
  });
});
