/**
 * The warehouse decisions the WCS gives the world as commands: where bins go back to ('home') and where
 * robots wait for a full port ('staging'); and the WCS policies that give them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Area, Command, WorldEvent } from '../sim/events.ts';
import { apply, CommandError } from '../sim/commands.ts';
import { Job, Phase } from '../sim/robots.ts';
import { step } from '../sim/step.ts';
import { stateHash, World } from '../sim/world.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { parseScenario } from '../wcs/scenario/load.ts';
import { northPort, openGrid } from './support/worlds.ts';

/** Fetch `bin` to port 0 with robot 0 and run until it is back in a stack; the cell it went to. */
function returnedCell(w: World, bin: number, first: Command[] = []): number {
  let events: WorldEvent[] = step(w, [...first, { type: 'fetch', robot: 0, bin, port: 0, task: 1 }]);
  for (let i = 0; i < 20_000; i++) {
    const back = events.find((e) => e.type === 'returned' && e.bin === bin);
    if (back && back.type === 'returned') return back.cell;
    const done = events.some((e) => e.type === 'presentDone');
    events = step(w, done ? [{ type: 'collect', robot: 0, port: 0, task: 2 }] : []);
  }
  throw new Error('the bin never came back');
}

describe("'home': where a bin goes back to from a port", () => {
  const world = () => new World(openGrid({ seed: 5, width: 20, depth: 16, binCount: 400, ports: [northPort('P1', 6)] }), { check: true });
  const far: Area = { x0: 14, y0: 10, x1: 19, y1: 15 };
  const inFar = (w: World, c: number) => w.grid.x(c) >= far.x0 && w.grid.y(c) >= far.y0;

  it('goes to the cheapest stack in the bin\'s home area, and near the port without one', () => {
    const w = world();
    const bin = w.grid.top(w.grid.cell(6, 5));
    const cell = returnedCell(w, bin, [{ type: 'home', bins: [bin], area: far }]);
    expect(inFar(w, cell)).toBe(true);
    const v = world();
    expect(inFar(v, returnedCell(v, bin))).toBe(false);
  });

  it('goes anywhere when its home area has no room', () => {
    const w = world();
    const bin = w.grid.top(w.grid.cell(6, 5));
    // The area is the port's own cell: no stack there.
    const cell = returnedCell(w, bin, [{ type: 'home', bins: [bin], area: { x0: 6, y0: 0, x1: 6, y1: 0 } }]);
    expect(w.grid.isStorage(cell)).toBe(true);
  });
});

describe("'staging': where robots wait for a full port", () => {
  const SOURCES = [[4, 5], [8, 5], [6, 7], [10, 9]] as const;
  /**
   * Four robots fetch to a port that queues two and holds one bin, with a slow operator: the fourth waits
   * long to be admitted. The cells robots stood on while not admitted.
   */
  function waitingCells(first: Command[]): { cells: Set<number>; world: World } {
    const slow = { exchange: { meanSeconds: 90, cv: 0.1 }, line: { meanSeconds: 5, cv: 0.5 }, unit: { meanSeconds: 1.5, cv: 0.5 }, minSeconds: 1, staffed: true };
    const w = new World(openGrid({ seed: 3, width: 20, depth: 16, binCount: 300, robotCount: 4, ports: [northPort('P1', 6, { station: slow, binPositions: 1 })] }), { check: true });
    const g = w.grid;
    const cmds: Command[] = [...first];
    SOURCES.map((xy) => g.cell(xy[0], xy[1])).forEach((c, r) => cmds.push({ type: 'fetch', robot: r, bin: g.top(c), port: 0, task: r + 1 }));
    step(w, cmds);
    const cells = new Set<number>();
    for (let i = 0; i < 1500; i++) {
      for (const r of w.ports[0]!.waiting) cells.add(w.robots.cell[r]!);
      step(w);
    }
    return { cells, world: w };
  }

  it('a robot not admitted waits on the first free staging cell, and where it stands without one', () => {
    const spot = 14 * 20 + 16; // (16, 14): far from everything in this run
    const staged = waitingCells([{ type: 'staging', port: 0, cells: [spot] }]);
    expect(staged.cells.has(spot)).toBe(true);
    const unstaged = waitingCells([]);
    expect(unstaged.cells.size).toBeGreaterThan(0);
    expect(unstaged.cells.has(spot)).toBe(false);
    // Without staging cells a robot never moves while it waits: it stands on the stack it lifted from.
    const sources = SOURCES.map((xy) => unstaged.world.grid.cell(xy[0], xy[1]));
    for (const c of unstaged.cells) expect(sources).toContain(c);
  });
});

describe('refused warehouse commands change nothing', () => {
  it('names what is wrong', () => {
    const w = new World(openGrid({ ports: [northPort('P1', 6)] }));
    const before = stateHash(w);
    const bad: [Command, RegExp][] = [
      [{ type: 'home', bins: [0, 1e6], area: null }, /bin 1000000 does not exist/],
      [{ type: 'home', bins: [0], area: { x0: 3, y0: 0, x1: 2, y1: 4 } }, /area .*0 <= x0 <= x1 < 20/],
      [{ type: 'home', bins: [0], area: { x0: 0, y0: 0, x1: 20, y1: 4 } }, /area/],
      [{ type: 'staging', port: 3, cells: [] }, /port 3 does not exist/],
      [{ type: 'staging', port: 0, cells: [w.grid.cell(6, 0)] }, /staging cell 6 is not a parking cell/],
    ];
    for (const [c, msg] of bad) {
      expect(() => apply(w, c)).toThrow(CommandError);
      expect(() => apply(w, c)).toThrow(msg);
      expect(stateHash(w)).toBe(before);
    }
  });
});

describe('the WCS gives the world its return and staging decisions', () => {
  const smoke = (dispatch: Record<string, unknown>, zones: number) => {
    const f = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as Record<string, any>;
    return parseScenario({ ...f, bins: { ...f.bins, zones }, dispatch: { ...f.dispatch, ...dispatch } });
  };
  /** Returns in a 10-minute smoke run: how many, and how many went back outside the bin's starting stripe. */
  function returns(returnPolicy: 'nearest' | 'zone'): { total: number; outside: number } {
    const sc = smoke({ returnPolicy }, 2);
    const start = new World(sc.world);
    const half = (c: number) => (start.grid.x(c) * 2 >= start.grid.width ? 1 : 0);
    let total = 0, outside = 0;
    runScenario(sc, {
      seconds: 600, now: () => 0,
      onTick: (w) => {
        for (const e of w.events) {
          if (e.type !== 'returned') continue;
          total++;
          if (half(e.cell) !== half(start.binCell[e.bin]!)) outside++;
        }
      },
    });
    return { total, outside };
  }

  it("'zone' sends every bin back into the stripe it started in; 'nearest' does not", () => {
    const zone = returns('zone');
    expect(zone.total).toBeGreaterThan(10);
    expect(zone.outside).toBe(0);
    expect(returns('nearest').outside).toBeGreaterThan(0);
  });

  it("'portStaging' false gives no staging cells; true gives each port its lattice near the approach", () => {
    const on = runScenario(smoke({}, 1), { seconds: 1, now: () => 0 }).world;
    const off = runScenario(smoke({ portStaging: false }, 1), { seconds: 1, now: () => 0 }).world;
    expect(off.staging.every((s) => s.length === 0)).toBe(true);
    for (const [p, cells] of on.staging.entries()) {
      expect(cells.length).toBeGreaterThan(0);
      const a = on.ports[p]!.approach;
      const dist = (c: number) => Math.max(Math.abs(on.grid.x(c) - on.grid.x(a)), Math.abs(on.grid.y(c) - on.grid.y(a)));
      for (let i = 0; i < cells.length; i++) {
        expect(on.grid.x(cells[i]!) % 2 + on.grid.y(cells[i]!) % 2).toBe(0);
        if (i > 0) expect(dist(cells[i]!)).toBeGreaterThanOrEqual(dist(cells[i - 1]!));
      }
    }
  });
});

describe('robots left idle off a parking cell', () => {
  it('stay where they are in the world alone: moving them is the warehouse control\'s decision', () => {
    const w = new World(openGrid({ seed: 2, binCount: 400, ports: [northPort('P1', 6)] }), { check: true });
    let events = step(w, [{ type: 'fetch', robot: 0, bin: w.grid.top(w.grid.cell(6, 5)), port: 0, task: 1 }]);
    while (!events.some((e) => e.type === 'jobDone') && w.tick < 5000) events = step(w);
    const at = w.robots.cell[0]!;
    expect(w.grid.isParking(at)).toBe(false);
    for (let i = 0; i < 300; i++) step(w);
    expect(w.robots.cell[0]).toBe(at);
  });

  it('are sent to a parking cell by the WCS at once (the vacate policy)', () => {
    const sc = parseScenario(JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')));
    let off = 0, longest = 0;
    const run = new Int32Array(sc.world.robotCount);
    runScenario(sc, {
      seconds: 600, now: () => 0,
      onTick: (w) => {
        for (let r = 0; r < run.length; r++) {
          const idleOff = w.robots.job[r] === Job.None && w.robots.phase[r] === Phase.Idle && !w.grid.isParking(w.robots.cell[r]!);
          run[r] = idleOff ? run[r]! + 1 : 0;
          if (idleOff) off++;
          longest = Math.max(longest, run[r]!);
        }
      },
    });
    expect(off).toBeGreaterThan(0);
    // Left idle at the end of one tick, given work or a park at the start of the next.
    expect(longest).toBe(1);
  });
});
