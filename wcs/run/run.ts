/**
 * One run of a world: the world, the controller that commands it, and observers that watch each tick.
 * The headless runner (./runner.ts), the live server (../server/live.ts), a whole site (../site/site.ts)
 * and the planner benchmark (test/bench/planner.ts) all advance their worlds through a Run, so a tick
 * is the same everywhere: the world steps on the commands decided at the end of the tick before, the
 * controller sees this tick's events and decides the next commands, then the observers see the tick.
 *
 * Presentations are counted once, by the world (World.presentations and each port's presentations);
 * what a run reports is differences of those counters (see PresentationMinutes).
 */
import type { Command, WorldEvent } from '../../sim/events.ts';
import { step } from '../../sim/step.ts';
import type { WorldView } from '../../sim/world-view.ts';
import type { World } from '../../sim/world.ts';

/** Decides the commands of the next tick from this tick's events: the WCS's dispatcher, a benchmark's errands. */
export interface Controller {
  control(w: WorldView, events: readonly WorldEvent[]): Command[];
}

/** Sees each tick after it ran and the controller decided (KPIs, a trace, a stream). */
export type Observer = (w: World, events: readonly WorldEvent[]) => void;

export class Run {
  private commands: Command[];
  private readonly observers: Observer[] = [];

  /** `first`: commands for the first tick (before the controller has seen any). */
  constructor(readonly world: World, readonly controller: Controller, first: Command[] = []) {
    this.commands = first;
  }

  /** Adds an observer; returns a function that removes it. */
  observe(o: Observer): () => void {
    this.observers.push(o);
    return () => { const i = this.observers.indexOf(o); if (i >= 0) this.observers.splice(i, 1); };
  }

  /** One tick. Returns its events (valid until the next tick). */
  tick(): readonly WorldEvent[] {
    const events = step(this.world, this.commands);
    this.commands = this.controller.control(this.world, events);
    for (const o of this.observers) o(this.world, events);
    return events;
  }

  /** Ticks until the world's clock reaches `tick`. */
  runTo(tick: number): void {
    while (this.world.tick < tick) this.tick();
  }
}

/**
 * Presentations per whole simulated minute, per port, for the last `keep` minutes, and the minute under
 * way: differences of the ports' counters, taken at each minute's end. An observer.
 */
export class PresentationMinutes {
  /** Per port: presentations in each of the last `keep` whole minutes, oldest first. */
  readonly perPort: number[][];
  /** All ports: presentations in each of the last `keep` whole minutes, oldest first. */
  readonly total: number[] = [];
  private readonly base: Float64Array;
  private readonly minuteTicks: number;

  constructor(w: WorldView, private readonly keep = 10) {
    this.perPort = w.ports.map(() => []);
    this.base = Float64Array.from(w.ports, (p) => p.presentations);
    this.minuteTicks = Math.round(60 / w.tickSeconds);
  }

  /** Presentations at port `p` in the minute under way. */
  current(w: WorldView, p: number): number { return w.ports[p]!.presentations - this.base[p]!; }

  /** Presentations at every port in the minute under way. */
  currentTotal(w: WorldView): number {
    let n = 0;
    for (let p = 0; p < w.ports.length; p++) n += this.current(w, p);
    return n;
  }

  readonly observer: Observer = (w) => {
    if (w.tick % this.minuteTicks !== 0) return;
    let all = 0;
    w.ports.forEach((port, p) => {
      const n = port.presentations - this.base[p]!;
      all += n;
      this.base[p] = port.presentations;
      const a = this.perPort[p]!;
      a.push(n);
      if (a.length > this.keep) a.shift();
    });
    this.total.push(all);
    if (this.total.length > this.keep) this.total.shift();
  };
}
