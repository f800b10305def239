import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { decideAccess, isLoopback } from '../wcs/server/access.ts';
import { buildApp, redactToken, type ServerState } from '../wcs/server/app.ts';
import type { ServerMessage, SnapshotMessage } from '../wcs/protocol.ts';
import { ScenarioError } from '../wcs/scenario/load.ts';

let app: FastifyInstance;
let state: ServerState;

beforeAll(async () => {
  // In-process (inline) simulation host: the tests drive frames by hand, deterministically.
  ({ app, state } = await buildApp({ scenario: 'smoke', speed: 20, paused: true, inline: true }));
});
afterAll(async () => { await app.close(); });

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

/** The one error shape: {statusCode, code, field?, message} and nothing else. */
function expectApiError(r: LightMyRequestResponse, statusCode: number, code: string, field?: string): void {
  expect(r.statusCode).toBe(statusCode);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const body = r.json() as Record<string, unknown>;
  expect(Object.keys(body).every((k) => ['statusCode', 'code', 'field', 'message'].includes(k))).toBe(true);
  expect(body).toMatchObject({ statusCode, code });
  expect(typeof body.message).toBe('string');
  if (field !== undefined) {
    expect(body.field).toBe(field);
    expect(body.message).toMatch(new RegExp(`^${field.replace(/[.]/g, '\\.')}: `));
  }
}

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
    const t0 = state.sim.tick;
    const stepped = await post('/api/control', { action: 'step', ticks: 25 });
    expect(stepped.json()).toEqual({ paused: true, speed: 20, tick: t0 + 25, ticks: 25 });
    expect(state.sim.tick).toBe(t0 + 25);
    expect((await app.inject('/api/kpis')).json().tick).toBe(t0 + 25);
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
    expect(state.sim.control.speed).toBeGreaterThanOrEqual(1);
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

describe('API boundaries: exactly what the schema says', () => {
  it.each([
    ['/api/control', { action: 'pause', x: 1 }, 'x'],
    ['/api/control', { action: ['pause'] }, 'action'],
    ['/api/control', { action: 'speed', speed: '50' }, 'speed'],
    ['/api/control', { action: 'step', ticks: '5' }, 'ticks'],
    ['/api/control', { action: 'step', ticks: 1.5 }, 'ticks'],
    ['/api/control', { action: 'pause', ticks: 5 }, 'ticks'],
    ['/api/control', { action: 'resume', speed: 5 }, 'speed'],
    ['/api/control', { action: 'step', speed: 5 }, 'speed'],
    ['/api/control', { action: 'speed', speed: 5, ticks: 1 }, 'ticks'],
    ['/api/control', [{ action: 'pause' }], 'body'],
    ['/api/control', { action: null }, 'action'],
    ['/api/scenario', { name: 'exxpozed', path: '../../x' }, 'path'],
    ['/api/scenario', { name: ['exxpozed'] }, 'name'],
  ])('POST %s %j is refused, naming %s', async (url, body, field) => {
    const before = { ...state.sim.control, scenario: state.sim.scenario };
    expectApiError(await post(url, body), 400, 'BAD_REQUEST', field);
    expect({ ...state.sim.control, scenario: state.sim.scenario }).toEqual(before);
  });

  it.each(['%20', '1e1', '01', '-1', '1.0', '0x1', '+1', '%201', '1%20', '9999999999'])('GET /api/robots/%s is a 400 naming id', async (id) => {
    expectApiError(await app.inject(`/api/robots/${id}`), 400, 'BAD_REQUEST', 'id');
  });

  it('messages say what was expected and what came, in the schema\'s words', async () => {
    expect((await app.inject('/api/robots/1e1')).json().message).toBe('id: expected a robot number in plain digits (0, 1, 2, ...), got "1e1"');
    expect((await post('/api/scenario', { name: '../x' })).json().message)
      .toBe('name: expected the name of a library scenario (lower-case letters, digits, - and _), got "../x"');
    expect((await post('/api/control', { action: 'speed', speed: '50' })).json().message).toMatch(/^speed: must be number, got "50"$/);
  });

  it('robot ids in plain digits still work', async () => {
    expect((await app.inject('/api/robots/0')).json()).toMatchObject({ id: 0 });
    expect((await app.inject('/api/robots/3')).json()).toMatchObject({ id: 3 });
    expectApiError(await app.inject('/api/robots/4'), 404, 'NO_SUCH_ROBOT', 'id');
  });

  it('bodies fastify cannot read get the same shape: not JSON, empty, wrong content type, too large', async () => {
    const raw = (payload: string, type = 'application/json') => app.inject({ method: 'POST', url: '/api/control', payload, headers: { 'content-type': type } });
    expectApiError(await raw('{"action":'), 400, 'INVALID_JSON', 'body');
    expectApiError(await raw(''), 400, 'EMPTY_BODY', 'body');
    expectApiError(await raw('action=pause', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type');
    expectApiError(await raw('{"action":"pause"}', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type');
    expectApiError(await raw(JSON.stringify({ action: 'pause', pad: 'x'.repeat(20_000) })), 413, 'BODY_TOO_LARGE', 'body');
    expectApiError(await app.inject({ method: 'POST', url: '/api/control' }), 400, 'BAD_REQUEST', 'body');
  });

  it('unknown routes are a 404 in the same shape (the query string, which may hold a token, is not echoed)', async () => {
    for (const [method, url] of [['GET', '/api/nope'], ['GET', '/nope.js?token=secret'], ['DELETE', '/api/control'], ['PUT', '/api/scenario']] as const) {
      const r = await app.inject({ method, url });
      expectApiError(r, 404, 'NOT_FOUND');
      expect(r.body).not.toContain('secret');
    }
    // The stream's route, asked without a WebSocket upgrade, says what it is.
    expectApiError(await app.inject('/ws'), 426, 'UPGRADE_REQUIRED');
  });

  it('a library scenario that does not validate is a 422 SCENARIO_INVALID naming its field, and is logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnicube-lib-'));
    const logs: string[] = [];
    const smoke = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as { robots: { count: number } };
    writeFileSync(join(dir, 'smoke.json'), JSON.stringify(smoke));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...smoke, robots: { ...smoke.robots, count: -3 } }));
    const lib = await buildApp({ scenario: 'smoke', speed: 1, paused: true, scenarioDir: dir,
      logger: { level: 'info', stream: { write: (line: string) => { logs.push(line); } } } });
    try {
      const r = await lib.app.inject({ method: 'POST', url: '/api/scenario', payload: { name: 'broken' } });
      expect(r.statusCode).toBe(422);
      expect(r.json()).toMatchObject({ statusCode: 422, code: 'SCENARIO_INVALID', field: 'robots.count' });
      expect(r.json().message).toMatch(/^broken\.json: robots\.count: expected .*got -3/);
      const logged = logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg.includes('robots.count'));
      expect(logged).toHaveLength(1);
      expect(logged[0]!.level).toBe(50);
      // The running scenario is untouched.
      expect((await lib.app.inject('/api/health')).json().scenario).toBe('smoke');
    } finally {
      await lib.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('starting on a scenario that does not validate', () => {
  it('buildApp rejects with its ScenarioError (from the simulation\'s thread), naming the field, and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnicube-lib-'));
    const smoke = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as { robots: { count: number } };
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...smoke, robots: { ...smoke.robots, count: -3 } }));
    const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
    const before = ports();
    try {
      const e = await buildApp({ scenario: 'broken', speed: 1, scenarioDir: dir }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ScenarioError);
      expect(e).toMatchObject({ field: 'robots.count', actual: -3, source: join(dir, 'broken.json') });
      expect((e as Error).message).toMatch(/^robots\.count: expected .*got -3/);
      // Its worker is gone (a worker holds a MessagePort open while it runs).
      await new Promise((r) => setTimeout(r, 100));
      expect(ports()).toBeLessThanOrEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('access: reads open, writes need the token when there is one', () => {
  const TOKEN = 'test-token-0123456789';
  let secured: FastifyInstance;
  beforeAll(async () => { ({ app: secured } = await buildApp({ scenario: 'smoke', speed: 5, paused: true, token: TOKEN })); });
  afterAll(async () => { await secured.close(); });
  const write = (headers: Record<string, string>, url = '/api/control', payload: object = { action: 'resume' }) =>
    secured.inject({ method: 'POST', url, payload, headers });

  it('a write without the token, or with a wrong one, is a 401 in the common shape', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }];
    for (const headers of attempts) {
      const r = await write(headers);
      expectApiError(r, 401, 'UNAUTHORIZED', 'authorization');
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    expectApiError(await write({}, '/api/scenario', { name: 'exxpozed' }), 401, 'UNAUTHORIZED', 'authorization');
    expect((await secured.inject('/api/health')).json()).toMatchObject({ scenario: 'smoke' });
    expect((await secured.inject('/api/kpis')).statusCode).toBe(200);
  });

  it('with the token the write is done', async () => {
    const r = await write({ authorization: `Bearer ${TOKEN}` }, '/api/control', { action: 'speed', speed: 7 });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ paused: true, speed: 7 });
  });

  it('reads need no token', async () => {
    for (const url of ['/api/health', '/api/scenario', '/api/kpis', '/api/robots/1', '/api/ports/P1']) {
      expect((await secured.inject(url)).statusCode).toBe(200);
    }
  });

  it('without a token, writes come only through a loopback Host name (no DNS rebinding)', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'pause' }, headers: { host: 'evil.example:8080' } });
    expectApiError(r, 403, 'FORBIDDEN_HOST', 'host');
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080']) {
      expect((await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'pause' }, headers: { host } })).statusCode).toBe(200);
    }
  });

  it('who needs a token: OMNICUBE_TOKEN everywhere; a random one beyond loopback; none on 127.0.0.1', () => {
    expect(decideAccess('127.0.0.1', {})).toEqual({ source: 'none' });
    expect(decideAccess('localhost', {})).toEqual({ source: 'none' });
    expect(decideAccess('127.0.0.1', { OMNICUBE_TOKEN: 'mine' })).toEqual({ token: 'mine', source: 'env' });
    expect(decideAccess('0.0.0.0', { OMNICUBE_TOKEN: 'mine' })).toEqual({ token: 'mine', source: 'env' });
    expect(decideAccess('0.0.0.0', {}, () => 'made')).toEqual({ token: 'made', source: 'generated' });
    const a = decideAccess('192.168.1.5', {}), b = decideAccess('::', {});
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(b.token).not.toBe(a.token);
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', 'localhost.evil.example'].some(isLoopback)).toBe(false);
  });

  it('the token is kept out of the logs', () => {
    expect(redactToken('/?token=abc&replay=x')).toBe('/?token=<hidden>&replay=x');
    expect(redactToken('/ws?a=1&token=abc')).toBe('/ws?a=1&token=<hidden>');
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
    for (let i = 0; i < 30; i++) await state.hub.tick();
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

  it('what clients send is ignored, an oversized frame closes only that client, and the server goes on', async () => {
    await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'pause' } });
    const a = await open(url), b = await open(url);
    const got: ServerMessage[] = [];
    collect(a, got);
    a.send('not json');
    a.send(JSON.stringify({ action: 'resume' }));
    const closed = new Promise<number>((res) => b.once('close', (code) => res(code)));
    b.send(Buffer.alloc(1 << 20));
    expect(await closed).toBe(1009);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.readyState).toBe(WebSocket.OPEN);
    expect(state.sim.control.paused).toBe(true); // the stream takes no commands
    // The client that sent junk still receives the stream.
    await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'resume' } });
    for (let i = 0; i < 5; i++) await state.hub.tick();
    await new Promise((r) => setTimeout(r, 100));
    await app.inject({ method: 'POST', url: '/api/control', payload: { action: 'pause' } });
    expect(got.some((m) => m.type === 'frame')).toBe(true);
    expect((await app.inject('/api/health')).statusCode).toBe(200);
    a.close();
  });

  it('a client that stops reading leaves the server buffer bounded while the others keep receiving', async () => {
    // A separate server on the big grid with a small high-water mark, so the test fills it quickly; its
    // simulation in a worker thread, frames driven by hand.
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
        await hub.tick();
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
        for (const s of hub.stats()) maxBuffered = Math.max(maxBuffered, s.bufferedAmount);
      }
      await new Promise((r) => setTimeout(r, 300));
      const dropped = Math.max(...hub.stats().map((s) => s.framesDropped));
      const snapshotBytes = (await big.state.sim.snapshot()).length;
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

describe('the simulation thread: its failures are reported, not fatal', () => {
  const logged = (logs: string[], pattern: RegExp) => logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => pattern.test(l.msg));

  it('an error in a tick stops the simulation, is logged and shown by health; reads go on; a load starts over', async () => {
    const logs: string[] = [];
    const clock = { t: 0 };
    const f = await buildApp({ scenario: 'smoke', speed: 10, inline: true, stream: { now: () => clock.t },
      logger: { level: 'info', stream: { write: (line: string) => { logs.push(line); } } } });
    try {
      const host = f.state.sim.inlineHost!;
      await f.state.hub.tick();
      host.sim!.stepOnce = () => { throw new Error('boom in a tick'); };
      clock.t += 50;
      await f.state.hub.tick();
      const h = (await f.app.inject('/api/health')).json();
      expect(h).toMatchObject({ status: 'error', scenario: 'smoke' });
      expect(h.error).toMatch(/boom in a tick/);
      expect(logged(logs, /boom in a tick/).map((l) => l.level)).toEqual([50]);
      // Reads still answer, from the last state; control is refused, saying why.
      expect((await f.app.inject('/api/kpis')).statusCode).toBe(200);
      expect((await f.app.inject('/api/robots/0')).json()).toMatchObject({ id: 0 });
      const refused = await f.app.inject({ method: 'POST', url: '/api/control', payload: { action: 'pause' } });
      expectApiError(refused, 409, 'SIM_FAULT', 'action');
      expect(refused.json().message).toMatch(/boom in a tick/);
      // Frames stop; loading a scenario starts over.
      const tick = f.state.sim.tick;
      clock.t += 50;
      await f.state.hub.tick();
      expect(f.state.sim.tick).toBe(tick);
      expect((await f.app.inject({ method: 'POST', url: '/api/scenario', payload: { name: 'smoke' } })).statusCode).toBe(200);
      expect((await f.app.inject('/api/health')).json()).toMatchObject({ status: 'ok', tick: 0 });
      await f.state.hub.tick();
      clock.t += 1000;
      await f.state.hub.tick();
      expect(f.state.sim.tick).toBeGreaterThan(0);
    } finally {
      await f.app.close();
    }
  });

  it('a step stopped by an error in a tick answers 409 SIM_FAULT', async () => {
    const f = await buildApp({ scenario: 'smoke', speed: 10, paused: true, inline: true });
    try {
      const sim = f.state.sim.inlineHost!.sim!;
      const stepOnce = sim.stepOnce.bind(sim);
      sim.stepOnce = () => { if (sim.world.tick === 7) throw new Error('tick 7 failed'); stepOnce(); };
      const r = await f.app.inject({ method: 'POST', url: '/api/control', payload: { action: 'step', ticks: 20 } });
      expectApiError(r, 409, 'SIM_FAULT', 'action');
      expect((await f.app.inject('/api/health')).json()).toMatchObject({ status: 'error', tick: 7 });
    } finally {
      await f.app.close();
    }
  });

  it('a worker that dies is reported (health error, logged); reads answer, requests to it are a 503; a load starts a new one', async () => {
    const logs: string[] = [];
    const f = await buildApp({ scenario: 'smoke', speed: 10, paused: true,
      logger: { level: 'info', stream: { write: (line: string) => { logs.push(line); } } } });
    try {
      const worker = f.state.sim.workerThread!;
      expect(worker).toBeDefined();
      await f.app.inject({ method: 'POST', url: '/api/control', payload: { action: 'step', ticks: 10 } });
      await worker.terminate();
      await new Promise((r) => setTimeout(r, 50));
      const h = (await f.app.inject('/api/health')).json();
      expect(h).toMatchObject({ status: 'error', scenario: 'smoke', tick: 10 });
      expect(h.error).toMatch(/worker stopped/);
      expect(logged(logs, /worker stopped/).map((l) => l.level)).toEqual([50]);
      expect((await f.app.inject('/api/kpis')).json()).toMatchObject({ tick: 10 });
      expectApiError(await f.app.inject('/api/robots/0'), 503, 'SIM_UNAVAILABLE');
      expectApiError(await f.app.inject({ method: 'POST', url: '/api/control', payload: { action: 'resume' } }), 503, 'SIM_UNAVAILABLE');
      // Loading a scenario starts a new worker, with the control the old one had.
      const r = await f.app.inject({ method: 'POST', url: '/api/scenario', payload: { name: 'exxpozed' } });
      expect(r.json()).toEqual({ name: 'exxpozed', robots: 12 });
      expect(f.state.sim.workerThread).toBeDefined();
      expect(f.state.sim.workerThread).not.toBe(worker);
      expect((await f.app.inject('/api/health')).json()).toMatchObject({ status: 'ok', scenario: 'exxpozed', tick: 0 });
      expect(f.state.sim.control).toEqual({ paused: true, speed: 10 });
      expect((await f.app.inject({ method: 'POST', url: '/api/control', payload: { action: 'step', ticks: 3 } })).json()).toMatchObject({ tick: 3 });
    } finally {
      await f.app.close();
    }
  }, 60_000);
});
