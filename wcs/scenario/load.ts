/**
 * Scenario loading: validate a scenario file against scenarios/scenario.schema.json, check that it fits
 * together on the grid, apply defaults, expand port rows, and split it into the physical WorldConfig
 * (for sim/) and the WcsConfig (for wcs/). Every problem is a ScenarioError naming the field at fault.
 */
import { Grid } from '../../sim/grid.ts';
import { readFileSync } from 'node:fs';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { R5, type PortConfig, type WorldConfig } from '../../sim/config.ts';
import type { LoadedScenario, PortRowSpec, PortSpec, ScenarioFile, StageSpec, WcsConfig } from './types.ts';

/**
 * A scenario that cannot be loaded. `field` is a dotted path into the file (`robots.count`,
 * `ports[3].x`), or `(file)` when the file itself cannot be read or parsed, or `(root)`.
 */
export class ScenarioError extends Error {
  /**
   * @param actual the offending value; undefined when the field is missing ("got nothing").
   * @param source the file the scenario came from, when known.
   */
  constructor(readonly field: string, readonly expected: string, readonly actual?: unknown, public source?: string) {
    super(`${field}: expected ${expected}, got ${showValue(actual)}`);
    this.name = 'ScenarioError';
  }
}

function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would print as null.
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v > 0 ? '' : '-'}a number too large to represent (reads as ${v})`;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** The subset of JSON Schema this file reads to describe what a field expects. */
interface Js {
  type?: string; enum?: unknown[]; $ref?: string; description?: string; oneOf?: Js[]; items?: Js;
  minimum?: number; maximum?: number; exclusiveMinimum?: number; minItems?: number; maxItems?: number;
  minLength?: number; required?: string[]; properties?: Record<string, Js>; definitions?: Record<string, Js>;
}

interface Validators { scenario: ValidateFunction; single: ValidateFunction; row: ValidateFunction; schema: Js }
let validators: Validators | undefined;

// ajv is CommonJS; depending on the loader its default import is the class or the module namespace.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule);

/** Compiles the schema once, on first use. */
function getValidators(): Validators {
  if (validators) return validators;
  const url = new URL('../../scenarios/scenario.schema.json', import.meta.url);
  const schema = JSON.parse(readFileSync(url, 'utf8')) as Js;
  const ajv = new Ajv({ allErrors: true, verbose: true });
  ajv.addSchema(schema, 'scenario');
  const ref = (path: string): ValidateFunction => ajv.compile({ $ref: `scenario${path}` });
  const def = (name: string): ValidateFunction => ref(`#/definitions/${name}`);
  validators = { scenario: ref(''), single: def('portSingle'), row: def('portRow'), schema };
  return validators;
}

/** JSON pointer `/ports/3/x` to field path `ports[3].x`. */
function fieldOf(pointer: string): string {
  if (pointer === '') return '(root)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `${out ? '.' : ''}${seg}`;
  }
  return out;
}

function childPointer(pointer: string, key: string): string {
  return `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function resolve(s: Js | undefined): Js | undefined {
  if (!s?.$ref) return s;
  const target = getValidators().schema.definitions?.[s.$ref.replace('#/definitions/', '')];
  return { ...target, ...s, $ref: undefined };
}

function bounds({ minimum: lo, exclusiveMinimum: above, maximum: hi }: Js): string {
  if (lo !== undefined && hi !== undefined) return ` from ${lo} to ${hi}`;
  const low = lo !== undefined ? `>= ${lo}` : above !== undefined ? `> ${above}` : '';
  const parts = [low, hi !== undefined ? `<= ${hi}` : ''].filter(Boolean);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

/** What a schema accepts, in words: "an integer from 3 to 1000", "one of \"north\", \"south\"". */
function describe(s0: Js | undefined): string {
  const s = resolve(s0);
  if (!s) return 'a value';
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.oneOf) return s.description ?? 'a value';
  switch (s.type) {
    case 'integer': return `an integer${bounds(s)}`;
    case 'number': return `a number${bounds(s)}`;
    case 'string': return s.minLength ? 'a non-empty string' : 'a string';
    case 'array': {
      const n = s.minItems === s.maxItems && s.minItems !== undefined ? `exactly ${s.minItems} items`
        : s.minItems ? `at least ${s.minItems} item${s.minItems > 1 ? 's' : ''}` : 'items';
      return `an array of ${n}, each ${describe(s.items)}`;
    }
    case 'object': return s.required?.length ? `an object with ${s.required.join(', ')}` : 'an object';
    default: return 'a value';
  }
}

/** Closest known name to a typo (edit distance at most 2), for "did you mean". */
function closest(name: string, known: string[]): string | undefined {
  const scored = known.map((k) => [editDistance(name.toLowerCase(), k.toLowerCase()), k] as const);
  const best = scored.sort((a, b) => a[0] - b[0])[0];
  return best && best[0] <= 2 ? best[1] : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** One ajv error as a ScenarioError. */
function fromAjv(e: ErrorObject): ScenarioError {
  const parent = e.parentSchema as Js | undefined;
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return new ScenarioError(fieldOf(childPointer(e.instancePath, missing)),
      `${describe(parent?.properties?.[missing])} (required)`);
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    const known = Object.keys(parent?.properties ?? {});
    const guess = closest(extra, known);
    const value = (e.data as Record<string, unknown>)[extra];
    return new ScenarioError(fieldOf(childPointer(e.instancePath, extra)),
      `one of the known fields ${known.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`, value);
  }
  return new ScenarioError(fieldOf(e.instancePath), describe(parent), e.data);
}

/**
 * The most useful error of an ajv error list: the first in schema order, except that a typo'd field is
 * reported rather than the required field it misspells, and a port entry that matches neither oneOf
 * branch is re-validated against the branch it was meant to be (a row if it has idPrefix).
 */
function pickError(errors: ErrorObject[]): ScenarioError {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const under = (p: string, root: string): boolean => p === root || p.startsWith(`${root}/`);
  // Errors inside a failed oneOf belong to both branches and only confuse; they are redone below.
  const list = errors.filter((e) => e.keyword === 'oneOf' || !oneOfPaths.some((p) => under(e.instancePath, p)));
  const first = list[0];
  if (!first) return new ScenarioError('(root)', 'a valid scenario', undefined);
  if (first.keyword === 'oneOf') return portError(first.instancePath, first.data);
  if (first.keyword === 'required') {
    const typo = list.find((e) => e.keyword === 'additionalProperties' && e.instancePath === first.instancePath);
    if (typo) return fromAjv(typo);
  }
  return fromAjv(first);
}

function portError(pointer: string, entry: unknown): ScenarioError {
  const v = getValidators();
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return new ScenarioError(fieldOf(pointer), 'a port object: a single port {id, x, y, edge, type} '
      + 'or a row {idPrefix, edge, start, count, spacing, type}', entry);
  }
  const has = (k: string): boolean => k in entry;
  const isRow = has('idPrefix') || (!has('id') && (has('start') || has('count') || has('spacing')));
  const branch = isRow ? v.row : v.single;
  branch(entry);
  return pickError((branch.errors ?? []).map((e) => ({ ...e, instancePath: pointer + e.instancePath })));
}

/** A port with the old single handling time: say what replaced it. */
function oldHandling(json: unknown): void {
  const ports = (json as { ports?: unknown } | null)?.ports;
  if (!Array.isArray(ports)) return;
  ports.forEach((p, i) => {
    if (p && typeof p === 'object' && 'handling' in p) {
      throw new ScenarioError(`ports[${i}].handling`, 'station: {exchange, line, unit} (the operator takes a bin exchange plus a time per order line and per unit; handling was one time per presentation)', (p as { handling: unknown }).handling);
    }
  });
}

/** Throws a ScenarioError for `field` unless `ok`. */
function must(ok: boolean, field: string, expected: string, actual: unknown): void {
  if (!ok) throw new ScenarioError(field, expected, actual);
}

function mustBeInGrid(c: { x: number; y: number }, field: string, width: number, depth: number): void {
  must(c.x < width, `${field}.x`, `an integer from 0 to ${width - 1} (inside the grid)`, c.x);
  must(c.y < depth, `${field}.y`, `an integer from 0 to ${depth - 1} (inside the grid)`, c.y);
}

type Edge = PortSpec['edge'];
const INWARD: Record<Edge, { dx: number; dy: number }> = {
  north: { dx: 0, dy: 1 }, south: { dx: 0, dy: -1 }, west: { dx: 1, dy: 0 }, east: { dx: -1, dy: 0 },
};

/**
 * The operator's defaults: bin exchange 3-5 s at a goods-to-person station (Bastian Solutions), the
 * CarouselPort at the fast end and the ConveyorPort at the slow one (AutoStore: carousels exchange
 * faster); per line and per unit assumed (not published). See the README's model section.
 */
const STATION = { exchangeCarousel: 3, exchangeConveyor: 5, exchangeCv: 0.25, line: 5, unit: 1.5, stageCv: 0.5, minSeconds: 1 } as const;

function stage(s: StageSpec | undefined, mean: number, cv: number): { meanSeconds: number; cv: number } {
  return { meanSeconds: s?.meanSeconds ?? mean, cv: s?.cv ?? cv };
}

/** A port with its defaults applied and its buffer cells laid out inwards from the edge. */
function portConfig(spec: PortSpec | PortRowSpec, id: string, x: number, y: number, field: string): PortConfig {
  const carousel = spec.type === 'carousel';
  const { dx, dy } = INWARD[spec.edge];
  const st = spec.station ?? {};
  return {
    id, type: spec.type, x, y,
    buffer: Array.from({ length: spec.bufferCells ?? 1 }, (_, k) => ({ x: x + (k + 1) * dx, y: y + (k + 1) * dy })),
    queueLimit: spec.queueLimit ?? 2,
    binPositions: spec.binPositions ?? (carousel ? 3 : 4),
    minCycleSeconds: spec.minCycleSeconds ?? 8,
    transferSeconds: spec.transferSeconds ?? (carousel ? 2.5 : 4),
    handoverDepth: spec.handoverDepth ?? 1.0,
    station: {
      exchange: stage(st.exchange, carousel ? STATION.exchangeCarousel : STATION.exchangeConveyor, STATION.exchangeCv),
      line: stage(st.line, STATION.line, STATION.stageCv),
      unit: stage(st.unit, STATION.unit, STATION.stageCv),
      minSeconds: st.minSeconds ?? STATION.minSeconds,
      staffed: st.staffed ?? true,
    },
  };
}

interface Placed { port: PortConfig; field: string; idField: string }

/** Expands rows into ports, checking that every port sits on the edge it names and inside the grid. */
function expandPorts(f: ScenarioFile): Placed[] {
  const { width, depth } = f.grid;
  const out: Placed[] = [];
  f.ports.forEach((spec, i) => {
    const field = `ports[${i}]`;
    const alongX = spec.edge === 'north' || spec.edge === 'south';
    // Buffer cells always fit inwards: the schema caps bufferCells at 2 and the grid is at least 3 deep.
    if ('idPrefix' in spec) {
      const len = alongX ? width : depth;
      must(spec.start < len, `${field}.start`, `a cell along the ${spec.edge} edge, 0 to ${len - 1}`, spec.start);
      const fit = Math.floor((len - 1 - spec.start) / spec.spacing) + 1;
      must(spec.count <= fit, `${field}.count`,
        `at most ${fit} ports (start ${spec.start}, spacing ${spec.spacing}, edge of ${len} cells)`, spec.count);
      // Port k sits at start + k * spacing along the edge: x on north/south, y on east/west.
      const across = { north: 0, south: depth - 1, west: 0, east: width - 1 }[spec.edge];
      for (let k = 0; k < spec.count; k++) {
        const along = spec.start + k * spec.spacing;
        const [x, y] = alongX ? [along, across] : [across, along];
        const port = portConfig(spec, `${spec.idPrefix}${k + 1}`, x, y, field);
        out.push({ port, field, idField: `${field}.idPrefix` });
      }
      return;
    }
    mustBeInGrid(spec, field, width, depth);
    const onEdge = { north: ['y', 0], south: ['y', depth - 1], west: ['x', 0], east: ['x', width - 1] } as const;
    const [axis, want] = onEdge[spec.edge];
    must(spec[axis] === want, `${field}.${axis}`, `${want} for a port on the ${spec.edge} edge`, spec[axis]);
    out.push({ port: portConfig(spec, spec.id, spec.x, spec.y, field), field, idField: `${field}.id` });
  });
  return out;
}

/**
 * Marks every non-storage cell with what uses it and throws on overlaps: blocked rectangles (which may
 * overlap each other), then ports and their buffer cells, then chargers. Returns the blocked cells.
 */
function layOut(f: ScenarioFile, ports: Placed[]): { blocked: { x: number; y: number }[] } {
  const { width, depth } = f.grid;
  // Cell index (y * width + x) -> what holds it: the first rectangle covering it, a port, a buffer, a charger.
  const owner = new Map<number, string>();
  const blockedCells: number[] = [];
  (f.grid.blocked ?? []).forEach((r, k) => {
    const field = `grid.blocked[${k}]`;
    const w = r.w ?? 1, h = r.h ?? 1;
    mustBeInGrid(r, field, width, depth);
    must(r.x + w <= width, `${field}.w`, `at most ${width - r.x} (the rectangle must end inside the grid)`, w);
    must(r.y + h <= depth, `${field}.h`, `at most ${depth - r.y} (the rectangle must end inside the grid)`, h);
    for (let y = r.y; y < r.y + h; y++) {
      for (let x = r.x; x < r.x + w; x++) {
        const i = y * width + x;
        if (!owner.has(i)) { owner.set(i, field); blockedCells.push(i); }
      }
    }
  });
  const claim = (x: number, y: number, what: string, label: string, field: string): void => {
    const prev = owner.get(y * width + x);
    if (prev === undefined) { owner.set(y * width + x, label); return; }
    throw new ScenarioError(field, prev.startsWith('grid.blocked')
      ? `${what} on a cell that is not blocked (${prev} covers (${x}, ${y}))`
      : `${what} on a free cell ((${x}, ${y}) is already ${prev})`, { x, y });
  };
  const ids = new Map<string, string>();
  for (const { port, field, idField } of ports) {
    const prev = ids.get(port.id);
    must(prev === undefined, idField, `a unique port id ("${port.id}" is already used by ${prev})`, port.id);
    ids.set(port.id, field);
    claim(port.x, port.y, `port ${port.id}`, `port ${port.id} of ${field}`, field);
    for (const b of port.buffer) {
      claim(b.x, b.y, `a buffer cell of port ${port.id}`, `a buffer cell of port ${port.id} of ${field}`, field);
    }
  }
  (f.grid.chargers ?? []).forEach((c, k) => {
    mustBeInGrid(c, `grid.chargers[${k}]`, width, depth);
    claim(c.x, c.y, 'a charger', `grid.chargers[${k}]`, `grid.chargers[${k}]`);
  });
  // Row-major order, so the world is the same whatever order the rectangles were listed in.
  const blocked = blockedCells.sort((a, b) => a - b).map((i) => ({ x: i % width, y: Math.floor(i / width) }));
  return { blocked };
}

/** Fewest grid cells per robot the loader accepts (AutoStore sizing: at least 15-25 grid cells per robot). */
export const MIN_CELLS_PER_ROBOT = 15;

/** Most units all bins together may hold: the inventory keeps per-SKU totals in Int32 counters. */
const MAX_TOTAL_UNITS = 2 ** 31 - 1;

/**
 * Checks the tick against the fastest robot: a robot must not cross more than one cell pitch in one
 * tick (the simulator moves a robot's cell by at most one per tick, and the invariant check holds it to that).
 */
function checkTick(world: WorldConfig, f: ScenarioFile): void {
  const m = world.robotModel;
  const loaded = m.topSpeedLoaded > m.topSpeed;
  const v = loaded ? m.topSpeedLoaded : m.topSpeed;
  const pitch = Math.min(world.pitchX, world.pitchY);
  if (world.tickSeconds * v < pitch) return;
  const speedField = `robots.kinematics.${loaded ? 'topSpeedLoaded' : 'topSpeed'}`;
  const speedGiven = f.robots.kinematics?.[loaded ? 'topSpeedLoaded' : 'topSpeed'] !== undefined;
  // Blame what the user set: the tick if they set it (or set nothing), else the speed they raised.
  if (f.tickSeconds !== undefined || !speedGiven) {
    throw new ScenarioError('tickSeconds', `less than ${round3(pitch / v)} s: at ${v} m/s a robot would cross `
      + `more than one ${pitch} m cell per tick`, world.tickSeconds);
  }
  throw new ScenarioError(speedField, `less than ${round3(pitch / world.tickSeconds)} m/s with a ${world.tickSeconds} s tick `
    + `(a robot must not cross more than one ${pitch} m cell per tick; set a shorter tickSeconds for faster robots)`, v);
}

function round3(x: number): number {
  return Math.floor(x * 1000) / 1000;
}

/** Checks that robots, bins and the inventory fit the grid, and that the order profile is coherent. */
function checkCapacity(f: ScenarioFile, storage: number): void {
  const { width, depth, height } = f.grid;
  must(storage > 0, 'grid', `room for storage: on this ${width} x ${depth} grid the ports, their buffer cells, `
    + 'the streets kept free around them, chargers and blocked cells leave no storage cell; make the grid larger or use fewer ports', { width, depth });
  must(f.robots.count <= storage, 'robots.count',
    `at most ${storage} (one robot per storage cell, streets around ports excluded; aim for 15-25+ cells per robot)`, f.robots.count);
  const fleet = Math.floor((width * depth) / MIN_CELLS_PER_ROBOT);
  must(f.robots.count <= fleet, 'robots.count', `at most ${fleet} on a ${width} x ${depth} grid: at least `
    + `${MIN_CELLS_PER_ROBOT} grid cells per robot (AutoStore sizing: 15-25+), denser fleets gridlock`, f.robots.count);
  const reserve = Math.max(storage, 2 * height);
  const maxBins = Math.max(0, storage * height - reserve);
  must(f.bins.count <= maxBins, 'bins.count', `at most ${maxBins} (${storage} storage cells x height ${height}, `
    + `less ${reserve} free slots for digging)`, f.bins.count);
  must((f.bins.zones ?? 1) <= Math.min(storage, width), 'bins.zones',
    `at most ${Math.min(storage, width)} (zones are stripes across the ${width} columns and need storage cells)`, f.bins.zones);
  const slots = f.bins.count * (f.inventory.compartments ?? 1);
  must(f.inventory.skus <= slots, 'inventory.skus', `at most ${slots} (bins.count x compartments)`, f.inventory.skus);
  const dup = f.inventory.slotsPerSku;
  must(dup === undefined || dup * f.inventory.skus <= slots, 'inventory.slotsPerSku',
    `at most ${Math.floor((slots / f.inventory.skus) * 100) / 100} (${slots} compartments for ${f.inventory.skus} SKUs)`, dup);
  const { min, max } = f.inventory.unitsPerBin;
  must(min <= max, 'inventory.unitsPerBin.min', `at most inventory.unitsPerBin.max (${max})`, min);
  must(slots * max <= MAX_TOTAL_UNITS, 'inventory.unitsPerBin.max', `at most ${Math.floor(MAX_TOTAL_UNITS / slots)} `
    + `(${slots} compartments in all may hold at most ${MAX_TOTAL_UNITS} units together)`, max);
  for (const key of ['linesPerOrder', 'unitsPerLine'] as const) {
    const { mean, max: most } = f.orders[key];
    must(mean <= most, `orders.${key}.mean`, `at most orders.${key}.max (${most})`, mean);
  }
  const { channels, mode, ordersPerHour: rate, hourlyProfile: profile } = f.orders;
  const anyChannel = Object.values(channels ?? { web: 1 }).some((w) => w > 0);
  must(anyChannel, 'orders.channels', 'at least one weight > 0', channels);
  if (mode !== 'arrivals') return;
  must(rate !== undefined && rate > 0, 'orders.ordersPerHour', 'a number > 0 (required in arrivals mode)', rate);
  const anyHour = !profile || profile.some((w) => w > 0);
  must(anyHour, 'orders.hourlyProfile', 'at least one weight > 0 in arrivals mode', profile);
}

/**
 * Validates a parsed scenario file (schema first, then the checks that need the whole grid), applies
 * the documented defaults and expands port rows. Pure apart from reading the schema once.
 * @throws ScenarioError naming the first field at fault.
 */
export function parseScenario(json: unknown, source?: string): LoadedScenario {
  try {
    const v = getValidators();
    oldHandling(json);
    if (!v.scenario(json)) throw pickError(v.scenario.errors ?? []);
    const f = json as ScenarioFile;
    const ports = expandPorts(f);
    must(ports.some((p) => p.port.station.staffed), 'ports', 'at least one port with station.staffed true (a grid with no operator presents nothing)', 'every port unstaffed');
    const { blocked } = layOut(f, ports);
    const seed = f.seed ?? 1;
    const world: WorldConfig = {
      name: f.name, seed, tickSeconds: f.tickSeconds ?? 0.1,
      width: f.grid.width, depth: f.grid.depth, height: f.grid.height,
      pitchX: f.grid.pitch?.x ?? 0.705, pitchY: f.grid.pitch?.y ?? 0.48, binHeight: f.grid.binHeight ?? 0.33,
      blocked, chargers: (f.grid.chargers ?? []).map((c) => ({ x: c.x, y: c.y })),
      robotCount: f.robots.count, robotModel: { ...R5, ...f.robots.kinematics }, ports: ports.map((p) => p.port),
      binCount: f.bins.count, digPolicy: f.dispatch?.digPolicy ?? 'nearest',
    };
    // Storage as the simulator lays it out: without ports, buffers, chargers, blocked cells and the
    // streets it keeps free around every port.
    const grid = new Grid(world);
    let storage = 0;
    for (let c = 0; c < grid.cells; c++) if (grid.isStorage(c)) storage++;
    checkCapacity(f, storage);
    checkTick(world, f);
    const o = f.orders;
    const wcs: WcsConfig = {
      seed, skus: f.inventory.skus,
      unitsPerBin: { ...f.inventory.unitsPerBin }, compartments: f.inventory.compartments ?? 1,
      ...(f.inventory.slotsPerSku !== undefined ? { slotsPerSku: f.inventory.slotsPerSku } : {}),
      orders: {
        mode: o.mode, linesPerOrder: { ...o.linesPerOrder }, unitsPerLine: { ...o.unitsPerLine }, skew: { ...o.skew },
        ordersPerHour: o.ordersPerHour ?? 0,
        hourlyProfile: o.hourlyProfile ? [...o.hourlyProfile] : new Array<number>(24).fill(1),
        backlogOrders: o.backlogOrders ?? 0,
        channels: o.channels ? { ...o.channels } : { web: 1 },
      },
      lookaheadSeconds: f.dispatch?.lookaheadSeconds ?? 1800,
      assignment: f.dispatch?.assignment ?? 'cost',
      returnPolicy: f.dispatch?.returnPolicy ?? 'nearest', zones: f.bins.zones ?? 1,
      portStaging: f.dispatch?.portStaging ?? true,
    };
    return { file: f, world, wcs };
  } catch (e) {
    if (e instanceof ScenarioError && source !== undefined) e.source ??= source;
    throw e;
  }
}

/** Most orders one run may create (arrivals over the whole run, warm-up included). */
export const MAX_ORDERS_PER_RUN = 2_000_000;

/** Most ticks one run may last: tick counts live in Int32 fields, and 2^31 - 1 means "forever". */
const MAX_RUN_TICKS = 2 ** 31 - 2;

/**
 * Checks that a run of `seconds` simulated seconds (warm-up included) stays within what one run may
 * create: at most MAX_ORDERS_PER_RUN arriving orders at the hourly profile's peak rate, and a tick count
 * the counters hold. Pure.
 * @throws ScenarioError naming the field to change.
 */
export function checkRunSize(sc: LoadedScenario, seconds: number): void {
  const o = sc.wcs.orders;
  const hours = seconds / 3600;
  if (o.mode === 'arrivals') {
    const mean = o.hourlyProfile.reduce((a, b) => a + b, 0) / 24;
    const peak = mean > 0 ? Math.max(...o.hourlyProfile) / mean : 1;
    const expected = o.ordersPerHour * peak * hours;
    if (expected > MAX_ORDERS_PER_RUN) {
      throw new ScenarioError('orders.ordersPerHour', `at most ${Math.floor(MAX_ORDERS_PER_RUN / (peak * hours))} for a run of `
        + `${round3(hours)} h (one run may create at most ${MAX_ORDERS_PER_RUN} orders; at the profile's peak this rate `
        + `would create up to ${Math.round(expected)}): run fewer hours or lower the rate`, o.ordersPerHour);
    }
  }
  const ticks = Math.round(seconds / sc.world.tickSeconds);
  if (ticks > MAX_RUN_TICKS) {
    throw new ScenarioError('tickSeconds', `at least ${seconds / MAX_RUN_TICKS} s for a run of ${round3(hours)} h `
      + `(one run may last at most ${MAX_RUN_TICKS} ticks)`, sc.world.tickSeconds);
  }
}

/**
 * Reads and parses a scenario file. Reads the file system; otherwise as parseScenario.
 * @throws ScenarioError with field `(file)` when the file is missing, unreadable or not JSON.
 */
export function loadScenarioFile(path: string): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const expected = code === 'ENOENT' ? `an existing scenario file at ${path}`
      : `a readable scenario file at ${path} (${code ?? String(e)})`;
    throw new ScenarioError('(file)', expected, undefined, path);
  }
  // Editors on some systems save a UTF-8 byte order mark; it is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(msg);
    const pos = at ? Number(at[1]) : 0;
    const near = text.slice(Math.max(0, pos - 20), pos + 20);
    throw new ScenarioError('(file)', `valid JSON in ${path} (${msg})`, near, path);
  }
  return parseScenario(json, path);
}
