import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE } from '../sim/lifecycle.ts';
import { Step } from '../sim/robots.ts';
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
