import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE } from '../sim/lifecycle.ts';
import { Job, Step } from '../sim/robots.ts';
import { apply, CommandError } from '../sim/commands.ts';
import { stateHash, World } from '../sim/world.ts';
import { northPort, openGrid } from './support/worlds.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { parseScenario } from '../wcs/scenario/load.ts';

const NAMES = ['None', 'ToBin', 'DigLift', 'DigOut', 'DigDrop', 'Lift', 'ToPort', 'PortDrop', 'PortPick', 'Return', 'ReturnDrop', 'Park'];

describe('the job lifecycle table', () => {
  it('has a rule for every step: legs have a goal, gripper steps a gripDone', () => {
    expect(LIFECYCLE.length).toBe(NAMES.length);
    const legs = [Step.ToBin, Step.DigOut, Step.ToPort, Step.Return, Step.Park];
    const grips = [Step.DigLift, Step.DigDrop, Step.Lift, Step.PortDrop, Step.PortPick, Step.ReturnDrop];
    for (const s of legs) expect(LIFECYCLE[s]!.goal, NAMES[s]).toBeTypeOf('function');
    for (const s of grips) expect(LIFECYCLE[s]!.gripDone, NAMES[s]).toBeTypeOf('function');
    for (const s of grips) expect(LIFECYCLE[s]!.goal, NAMES[s]).toBeUndefined();
  });

  it('a run that digs goes only from step to step as the table says, and through every step of a fetch', () => {
    // smoke with nearly full stacks and one bin per SKU: bins are dug out, and finished bins collected.
    const f = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as Record<string, any>;
    const sc = parseScenario({ ...f, name: 'smoke-digging', bins: { count: 500 }, inventory: { ...f.inventory, skus: 500 } });
    let prev: Uint8Array | undefined;
    const seen = new Map<string, number>();
    const wrong: string[] = [];
    runScenario(sc, {
      seconds: 600, now: () => 0,
      onTick: (w) => {
        const steps = Uint8Array.from(w.robots.step);
        if (prev) {
          for (let r = 0; r < steps.length; r++) {
            const a = prev[r]!, b = steps[r]!;
            if (a === b) continue;
            const key = `${NAMES[a]}->${NAMES[b]}`;
            seen.set(key, (seen.get(key) ?? 0) + 1);
            // One tick may hold two transitions (a port drop and the pick that follows at once; a job done
            // and a deferred one begun).
            const ok = LIFECYCLE[a]!.next.includes(b) || LIFECYCLE[a]!.next.some((m) => LIFECYCLE[m]!.next.includes(b));
            if (!ok) wrong.push(`tick ${w.tick} robot ${r}: ${key}`);
          }
        }
        prev = steps;
      },
    });
    expect(wrong).toEqual([]);
    for (const t of ['None->ToBin', 'ToBin->DigLift', 'DigLift->DigOut', 'DigOut->DigDrop', 'DigDrop->ToBin', 'ToBin->Lift',
      'Lift->ToPort', 'ToPort->PortDrop', 'PortPick->Return', 'Return->ReturnDrop', 'ReturnDrop->None']) {
      expect(seen.get(t) ?? 0, t).toBeGreaterThan(0);
    }
  });
});

describe('commands', () => {
  it('a refused command changes nothing, also for a robot on its way to park', () => {
    const w = new World(openGrid({ robotCount: 2, ports: [northPort('P1', 6)] }));
    let cell = -1;
    for (let c = w.grid.cells - 1; c >= 0 && cell < 0; c--) if (w.grid.isParking(c) && c !== w.robots.cell[0] && c !== w.robots.cell[1]) cell = c;
    // Applied alone (no step after it): the robot has its park job and has not planned yet.
    apply(w, { type: 'park', robot: 0, cell });
    expect(w.robots.job[0]).toBe(Job.Park);
    expect(w.robots.goal[0]).toBe(cell);
    const before = stateHash(w);
    for (const bad of [
      { type: 'fetch', robot: 0, bin: 1e6, port: 0, task: 1 },
      { type: 'fetch', robot: 0, bin: 0, port: 9, task: 1 },
      { type: 'fetch', robot: 0, bin: 0, port: 0, task: 1, lines: -1 },
      { type: 'collect', robot: 0, port: -1, task: 1 },
      { type: 'park', robot: 0, cell: -5 },
      { type: 'park', robot: 7, cell },
    ] as const) {
      expect(() => apply(w, bad)).toThrow(CommandError);
      expect(stateHash(w), JSON.stringify(bad)).toBe(before);
    }
    expect(w.robots.goal[0]).toBe(cell);
  });
});
