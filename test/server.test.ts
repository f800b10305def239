import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ServerState } from '../wcs/server/app.ts';
import type { ServerMessage, SnapshotMessage } from '../wcs/protocol.ts';

let app: FastifyInstance;
let state: ServerState;

beforeAll(async () => {
  ({ app, state } = await buildApp({ scenario: 'smoke', speed: 20, paused: true }));
});
afterAll(async () => { await app.close(); });

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

describe('REST API', () => {
  it('health, scenario and kpis', async () => {
    const h = await app.inject('/api/health');
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ status: 'ok', protocol: 1, scenario: 'smoke' });
    const s = (await app.inject('/api/scenario')).json();
    expect(s.kinds).toHaveLength(s.width * s.depth);
    expect(s.ports.map((p: { id: string }) => p.id)).toEqual(['P1', 'P2']);
    expect(s.library).toEqual(expect.arrayContaining(['smoke', 'polaris', 'thalia', 'exxpozed']));
    const k = (await app.inject('/api/kpis')).json();
    expect(k).toHaveProperty('binPresentationsPerHour');
  });

  it('control: pause, step, resume, speed', async () => {
    expect((await post('/api/control', { action: 'pause' })).json()).toEqual({ paused: true, speed: 20 });
    const t0 = state.hub.sim.world.tick;
    expect((await post('/api/control', { action: 'step', ticks: 25 })).statusCode).toBe(200);
    expect(state.hub.sim.world.tick).toBe(t0 + 25);
    expect((await post('/api/control', { action: 'speed', speed: 200 })).json()).toEqual({ paused: true, speed: 200 });
    expect((await post('/api/control', { action: 'resume' })).json()).toEqual({ paused: false, speed: 200 });
    const step = await post('/api/control', { action: 'step' });
    expect(step.statusCode).toBe(409);
    expect(step.json()).toMatchObject({ code: 'NOT_PAUSED' });
    await post('/api/control', { action: 'pause' });
  });

  it.each([
    [{ action: 'speed', speed: 0 }, 'speed'],
    [{ action: 'speed', speed: 5000 }, 'speed'],
    [{ action: 'speed' }, 'speed'],
    [{ action: 'fly' }, 'action'],
    [{}, 'action'],
    [{ action: 'step', ticks: -3 }, 'ticks'],
  ])('bad control %j is a 400 naming %s', async (body, field) => {
    const r = await post('/api/control', body);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ statusCode: 400, field });
    expect(state.hub.sim.control.speed).toBeGreaterThanOrEqual(1);
  });

  it('a body that is not JSON is a 400 and the server carries on', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/control', payload: '{"action":', headers: { 'content-type': 'application/json' } });
    expect(r.statusCode).toBe(400);
    expect((await app.inject('/api/health')).statusCode).toBe(200);
  });

  it('robot and port inspection', async () => {
    const r = (await app.inject('/api/robots/2')).json();
    expect(r).toMatchObject({ id: 2 });
    expect(r.path.length).toBeGreaterThanOrEqual(1);
    expect((await app.inject('/api/robots/99')).json()).toMatchObject({ statusCode: 404, field: 'id' });
    expect((await app.inject('/api/robots/abc')).json()).toMatchObject({ statusCode: 400, field: 'id' });
    const p = (await app.inject('/api/ports/P2')).json();
    expect(p).toMatchObject({ id: 'P2', type: 'carousel' });
    expect((await app.inject('/api/ports/Q9')).statusCode).toBe(404);
  });

  it('loads a scenario of the library by name; unknown names are a 400 naming the field', async () => {
    const bad = await post('/api/scenario', { name: 'nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'UNKNOWN_SCENARIO', field: 'name' });
    expect((await post('/api/scenario', { name: '../package' })).json()).toMatchObject({ statusCode: 400, field: 'name' });
    expect((await app.inject('/api/health')).json().scenario).toBe('smoke');
    const ok = await post('/api/scenario', { name: 'exxpozed' });
    expect(ok.json()).toEqual({ name: 'exxpozed', robots: 12 });
    expect((await app.inject('/api/health')).json().scenario).toBe('exxpozed');
    await post('/api/scenario', { name: 'smoke' });
  });
});

describe('WebSocket stream', () => {
  let url: string;
  beforeAll(async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    url = address.replace('http', 'ws') + '/ws';
  });

  const collect = (ws: WebSocket, out: ServerMessage[]) => ws.on('message', (d) => out.push(JSON.parse(String(d)) as ServerMessage));
  const open = (u: string) => new Promise<WebSocket>((res, rej) => { const ws = new WebSocket(u); ws.once('open', () => res(ws)); ws.once('error', rej); });

  it('a snapshot on connect, then frames with only what changed; several clients at once', async () => {
    await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'resume' } });
    const a: ServerMessage[] = [], b: ServerMessage[] = [];
    const wa = await open(url), wb = await open(url);
    collect(wa, a); collect(wb, b);
    for (let i = 0; i < 30; i++) state.hub.tick();
    await new Promise((r) => setTimeout(r, 100));
    for (const msgs of [a, b]) {
      expect(msgs[0]!.type).toBe('snapshot');
      const snap = msgs[0] as SnapshotMessage;
      expect(snap.v).toBe(1);
      expect(snap.robots).toHaveLength(4);
      expect(snap.stacks).toHaveLength(120);
      const frames = msgs.slice(1);
      expect(frames.length).toBeGreaterThan(20);
      expect(frames.every((f) => f.type === 'frame')).toBe(true);
      expect(frames.at(-1)!.tick).toBeGreaterThan(snap.tick);
      // Diffs: no frame lists more robots than exist, and quiet frames list none.
      expect(frames.every((f) => f.robots.length <= 4)).toBe(true);
    }
    wa.close(); wb.close();
  });

  it('a client that stops reading leaves the server buffer bounded while the others keep receiving', async () => {
    // A separate server on the big grid with a small high-water mark, so the test fills it quickly.
    const big = await buildApp({ scenario: 'thalia', speed: 1000, stream: { highWater: 256 * 1024, lowWater: 32 * 1024, budgetMs: 5 } });
    const address = await big.app.listen({ port: 0, host: '127.0.0.1' });
    const u = address.replace('http', 'ws') + '/ws';
    const slow = await open(u);
    const wf = await open(u);
    try {
      // Stop reading: the socket's receive buffer fills, then the server's send buffer for it.
      (slow as unknown as { _socket: { pause(): void } })._socket.pause();
      const fast: ServerMessage[] = [];
      collect(wf, fast);
      const hub = big.state.hub;
      let maxBuffered = 0;
      for (let i = 0; i < 600; i++) {
        hub.tick();
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
        for (const s of hub.stats()) maxBuffered = Math.max(maxBuffered, s.bufferedAmount);
      }
      await new Promise((r) => setTimeout(r, 300));
      const dropped = Math.max(...hub.stats().map((s) => s.framesDropped));
      const snapshotBytes = JSON.stringify(hub.sim.snapshot()).length;
      // The slow client's queue never grows past the high-water mark plus one message.
      expect(maxBuffered).toBeLessThan(hub.opts.highWater + snapshotBytes);
      expect(dropped).toBeGreaterThan(100);
      expect(fast.filter((m) => m.type === 'frame').length).toBeGreaterThan(500);
    } finally {
      slow.terminate(); wf.close();
      await big.app.close();
    }
  }, 120_000);
});
