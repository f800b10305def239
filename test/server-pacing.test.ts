/**
 * Pacing of the live simulation (wcs/server/live.ts, driven by the simulation host, sim-host.ts): the
 * requested speed is reached when ticks are cheap enough, the reported speed is what happened when they
 * are not, debt that cannot be caught up is dropped; a frame's ticks and a long step run in slices, so
 * the host answers meanwhile; and with the host in its worker thread the server answers and streams
 * whatever the simulation is doing (a long step, a scenario load, Thalia's first tick). The speed tests
 * drive a host directly on a fake clock (ticks cost what the test says), so they do not depend on the
 * machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ServerState } from '../wcs/server/app.ts';
import { LiveSim } from '../wcs/server/live.ts';
import { SimHost } from '../wcs/server/sim-host.ts';
import type { HostOptions } from '../wcs/server/sim-protocol.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';
import type { ServerMessage } from '../wcs/protocol.ts';

const FRAME_MS = 50;

/** A smoke simulation and its host on a fake clock; every tick costs `tickMs` of that clock. */
async function rig(speed: number, tickMs = 0, opts: Partial<HostOptions> = {}) {
  const clock = { t: 1000, tickMs };
  const sim = new LiveSim(loadScenarioFile('scenarios/smoke.json'), { paused: false, speed });
  const stepOnce = sim.stepOnce.bind(sim);
  sim.stepOnce = () => { stepOnce(); clock.t += clock.tickMs; };
  const host = new SimHost({ budgetMs: 35, ...opts }, () => clock.t);
  host.adopt(sim);
  await host.frame(); // the first frame owes nothing: it only starts the clock
  /** Run n frames 50 ms apart (plus whatever the previous frame took); per frame [start time, tick after]. */
  const frames = async (n: number) => {
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      clock.t += FRAME_MS;
      const t0 = clock.t;
      await host.frame();
      out.push([t0, sim.world.tick]);
    }
    return out;
  };
  return { clock, sim, host, frames };
}

describe('live speed', () => {
  it('100x with cheap ticks runs 100 simulated seconds per wall second', async () => {
    const { sim, frames } = await rig(100);
    const s0 = sim.world.seconds;
    await frames(20);
    expect(sim.world.seconds - s0).toBeCloseTo(100, 6);
    expect(sim.kpis().actualSpeed).toBe(100);
  });

  it('1000x with cheap ticks runs 1000 simulated seconds per wall second', async () => {
    const { sim, frames } = await rig(1000);
    const s0 = sim.world.seconds;
    await frames(20);
    expect(sim.world.seconds - s0).toBeCloseTo(1000, 6);
    expect(sim.kpis().actualSpeed).toBe(1000);
  });

  it('when the frame budget runs out the reported speed is below the request and equals simulated / wall time', async () => {
    // 2 ms a tick against a 35 ms budget: 18 ticks (1.8 simulated seconds) a frame, far below 1000x.
    const { sim, frames } = await rig(1000, 2);
    await frames(10);
    // The speed is averaged over the last 40 frames: frames 1-40 here.
    const f = await frames(41);
    const wall = (f[40]![0] - f[0]![0]) / 1000;
    const simulated = (f[40]![1] - f[0]![1]) * 0.1;
    const reported = sim.kpis().actualSpeed;
    expect(reported).toBeLessThan(1000);
    expect(reported).toBeCloseTo(simulated / wall, 1);
    // Each frame took its 50 ms plus the 36 ms spent on ticks: the report counts the whole wall time.
    expect(reported).toBeCloseTo(1.8 / 0.086, 1);
  });

  it('debt that cannot be caught up is dropped: no burst after slow frames or a stall', async () => {
    const r = await rig(1000, 2);
    await r.frames(10);
    // Ticks get cheap again. Each slow frame owed 860 ticks (its 86 ms at 1000x) and ran 18: of the
    // thousands left undone, the next frame makes up only the 250 ms carried (2500 ticks), then runs on time.
    r.clock.tickMs = 0;
    const before = r.sim.world.tick;
    const [a, b] = (await r.frames(2)).map((f) => f[1]) as [number, number];
    expect(Math.abs(a - before - 2500)).toBeLessThanOrEqual(1);
    expect(Math.abs(b - a - 500)).toBeLessThanOrEqual(1);
    // A 10 s stall of the event loop: 250 ms of it is made up, and the speed report counts all of it.
    const s = await rig(100);
    await s.frames(40);
    s.clock.t += 10_000;
    const t0 = s.sim.world.tick;
    const [c, d] = (await s.frames(2)).map((f) => f[1]) as [number, number];
    expect(Math.abs(c - t0 - 250)).toBeLessThanOrEqual(1);
    expect(d - c).toBe(50);
    // 39 frames of 5 s in 50 ms and the stall's 25 s in 10.05 s: 220 s in 12 s.
    expect(s.sim.kpis().actualSpeed).toBeCloseTo(220 / 12, 1);
  });

  it('the achieved speed is measured afresh after a speed change and a pause', async () => {
    const { sim, frames } = await rig(100);
    await frames(40);
    sim.control.speed = 10;
    await frames(3);
    expect(sim.kpis().actualSpeed).toBe(10);
    sim.control.paused = true;
    await frames(5);
    expect(sim.kpis().actualSpeed).toBe(0);
    sim.control.paused = false;
    const t0 = sim.world.tick;
    await frames(2);
    // Paused time was neither owed (no burst on resume) nor counted.
    expect(sim.world.tick - t0).toBe(10);
    expect(sim.kpis().actualSpeed).toBe(10);
  });
});

describe('a frame runs its ticks in slices', () => {
  it('the host handles messages between slices: a pause sent during a frame ends it after the slice', async () => {
    // 2 ms a tick, slices of 10 ms: 5 ticks a slice, of the 18 the 35 ms budget allows.
    const { sim, host, clock } = await rig(1000, 2, { sliceMs: 10 });
    const frames: string[] = [];
    host.onFrame = (e) => frames.push(e.frame);
    const t0 = sim.world.tick;
    clock.t += FRAME_MS;
    const frame = host.frame();
    // The first slice ran at once; the rest waits for the event loop.
    expect(sim.world.tick - t0).toBe(5);
    expect(frames).toHaveLength(0);
    await host.control({ action: 'pause' });
    await frame;
    expect(sim.world.tick - t0).toBe(5);
    // The frame was sent all the same, with what ran and announcing the pause.
    expect(frames).toHaveLength(1);
    expect(JSON.parse(frames[0]!)).toMatchObject({ type: 'frame', tick: t0 + 5, control: { paused: true, speed: 1000 } });
    clock.t += FRAME_MS;
    await host.frame();
    expect(frames).toHaveLength(2);
    expect(sim.world.tick - t0).toBe(5);
  });
});

describe('long steps run in slices', () => {
  it('a step yields to the event loop between slices and can be ended early', async () => {
    const { sim, clock } = await rig(1, 1);
    sim.control.paused = true;
    const t0 = sim.world.tick;
    const done = sim.stepTicks(100, 5, () => clock.t);
    // The first slice ran at once (5 ticks of 1 ms), the rest waits for the event loop.
    expect(sim.world.tick - t0).toBe(5);
    expect(sim.stepping).toBe(true);
    await expect(sim.stepTicks(1, 5, () => clock.t)).rejects.toThrow(/already running/);
    expect(await done).toBe(100);
    expect(sim.world.tick - t0).toBe(100);
    expect(sim.stepping).toBe(false);
    const cut = sim.stepTicks(100, 5, () => clock.t);
    sim.cancelStep();
    expect(await cut).toBe(5);
  });

  describe('on Thalia, over HTTP, the simulation in its worker thread', () => {
    let app: FastifyInstance;
    let state: ServerState;
    let base: string;
    beforeAll(async () => {
      ({ app, state } = await buildApp({ scenario: 'thalia', speed: 1, paused: true }));
      base = await app.listen({ port: 0, host: '127.0.0.1' });
      await state.hub.start();
    }, 120_000);
    afterAll(async () => { await app?.close(); });

    /** Ask for health back to back until `done()`; the latencies (ms). */
    const healthUntil = async (done: () => boolean) => {
      const out: number[] = [];
      while (!done()) {
        const h0 = performance.now();
        const h = await fetch(`${base}/api/health`);
        await h.json();
        expect(h.status).toBe(200);
        out.push(performance.now() - h0);
      }
      return out;
    };

    it('loading Thalia and its first tick (most of a second each, not sliceable) do not hold up the server', async () => {
      const t0 = performance.now();
      let loaded = false;
      const load = fetch(`${base}/api/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'thalia' }) }).then(async (r) => { loaded = true; return r.json(); });
      const duringLoad = await healthUntil(() => loaded);
      expect(await load).toEqual({ name: 'thalia', robots: 530 });
      const loadMs = performance.now() - t0;
      // The first tick: the first dispatch of 530 robots.
      let stepped = false;
      const first = fetch(`${base}/api/control`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'step', ticks: 1 }) }).then(async (r) => { stepped = true; return r.json(); });
      const duringTick = await healthUntil(() => stepped);
      expect(await first).toMatchObject({ tick: 1, ticks: 1 });
      const all = [...duringLoad, ...duringTick];
      console.log(`Thalia load ${loadMs.toFixed(0)} ms: ${duringLoad.length} health answers, max ${Math.max(...duringLoad).toFixed(1)} ms; `
        + `first tick: ${duringTick.length} answers, max ${Math.max(...duringTick).toFixed(1)} ms`);
      expect(all.length).toBeGreaterThan(10);
      expect(Math.max(...all)).toBeLessThan(250);
    }, 120_000);

    it('health answers and frames stream while a 36,000-tick step runs; resume ends the step', async () => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
      const ticks: number[] = [];
      ws.on('message', (d) => ticks.push((JSON.parse(String(d)) as ServerMessage).tick));
      await new Promise((r) => ws.once('open', r));
      const t0 = state.sim.tick;
      let finished = false;
      const step = fetch(`${base}/api/control`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'step', ticks: 36000 }) }).then(async (r) => { finished = true; return { status: r.status, body: await r.json() }; });
      await new Promise((r) => setTimeout(r, 300));
      expect(state.sim.stepping).toBe(true);
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const h0 = performance.now();
        const h = await fetch(`${base}/api/health`);
        latencies.push(performance.now() - h0);
        expect(h.status).toBe(200);
        expect(finished).toBe(false);
      }
      const during = (await (await fetch(`${base}/api/health`)).json()) as { tick: number };
      expect(during.tick).toBeGreaterThan(t0);
      // The server's thread is free: health is answered at once, not between the step's slices.
      expect(Math.max(...latencies)).toBeLessThan(250);
      await new Promise((r) => setTimeout(r, 500));
      expect(finished).toBe(false);
      // Frames went out during the step, showing it progress.
      const seen = ticks.filter((t) => t > t0);
      expect(new Set(seen).size).toBeGreaterThan(3);
      const resume = await fetch(`${base}/api/control`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'resume' }) });
      expect(resume.status).toBe(200);
      const answer = await step;
      expect(answer.status).toBe(200);
      expect(answer.body.ticks).toBeGreaterThan(0);
      expect(answer.body.ticks).toBeLessThan(36000);
      expect(answer.body.tick).toBeGreaterThanOrEqual(t0 + answer.body.ticks);
      ws.close();
      console.log(`health during a Thalia step: ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`);
    }, 120_000);

    it('a second step while one runs is refused with 409 STEP_RUNNING', async () => {
      await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'pause' } });
      const first = app.inject({ method: 'POST', url: '/api/control', payload: { action: 'step', ticks: 2000 } });
      await new Promise((r) => setTimeout(r, 50));
      const second = await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'step', ticks: 5 } });
      expect(second.statusCode).toBe(409);
      expect(second.json()).toMatchObject({ code: 'STEP_RUNNING', field: 'action' });
      // Loading another scenario ends the step of the old one.
      expect((await app.inject({ method: 'POST', url: '/api/scenario', payload: { name: 'smoke' } })).statusCode).toBe(200);
      const r = (await first).json();
      expect(r.ticks).toBeLessThan(2000);
    }, 60_000);
  });
});
