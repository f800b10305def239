/**
 * Tries bad input on every surface (scenario files, command line, REST, WebSocket) and prints a Markdown
 * table of the answer each gets: exit code or status, and the first line of the message. Not a test (the
 * tests assert each case); a report for reviewers. Run: npx tsx test/bench/bad-inputs.ts
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { main } from '../../wcs/cli.ts';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../wcs/server/app.ts';

const dir = mkdtempSync(join(tmpdir(), 'omnicube-bad-'));
const rows: string[] = ['| surface | input | answer |', '|---|---|---|'];
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 220);

async function cli(args: string[]): Promise<string> {
  let err = '', out = '';
  const code = await main(args, { out: (s) => { out += s; }, err: (s) => { err += s; }, tty: false });
  const first = (err.trim() || out.trim()).split('\n')[0] ?? '';
  return `exit ${code}: ${first}`;
}

const smoke = JSON.parse(readFileSync('scenarios/smoke.json', 'utf8')) as Record<string, any>;
const scenarioCases: [string, (f: Record<string, any>) => void | string][] = [
  ['tickSeconds 0.5', (f) => { f.tickSeconds = 0.5; }],
  ['tickSeconds 0.1 with topSpeed 6', (f) => { f.robots.kinematics = { topSpeed: 6 }; }],
  ['gripSeconds 3e8', (f) => { f.robots.kinematics = { gripSeconds: 3e8 }; }],
  ['liftSpeed 1e-300', (f) => { f.robots.kinematics = { liftSpeed: 1e-300 }; }],
  ['accel 1e-300', (f) => { f.robots.kinematics = { accel: 1e-300 }; }],
  ['topSpeed 1e308', (f) => { f.robots.kinematics = { topSpeed: 1e308 }; }],
  ['unitsPerBin.max 2^32', (f) => { f.inventory.unitsPerBin.max = 2 ** 32; }],
  ['ordersPerHour 1e12', (f) => { f.orders.mode = 'arrivals'; f.orders.ordersPerHour = 1e12; }],
  ['backlogOrders 1e9', (f) => { f.orders.backlogOrders = 1e9; }],
  ['102 robots on smoke', (f) => { f.robots.count = 102; }],
  ['9 robots on smoke (8 cells per robot... 13.3)', (f) => { f.robots.count = 9; }],
  ['3x3 grid', (f) => { f.grid = { width: 3, depth: 3, height: 4 }; f.ports = [{ id: 'P1', type: 'carousel', x: 1, y: 0, edge: 'north' }]; f.bins.count = 1; f.robots.count = 1; f.inventory.skus = 1; }],
  ['bins.count 1e400', () => JSON.stringify(smoke).replace('"count":350', '"count":1e400')],
  ['zones 300', (f) => { f.bins.zones = 300; }],
  ['a UTF-8 BOM', () => `\ufeff${JSON.stringify(smoke)}`],
];

async function scenarios(): Promise<void> {
  for (const [label, mutate] of scenarioCases) {
    const f = structuredClone(smoke);
    const text = mutate(f) ?? JSON.stringify(f);
    const file = join(dir, `${label.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    rows.push(`| scenario | ${cell(label)} | ${cell(await cli(['validate', file]))} |`);
  }
}

async function commandLine(): Promise<void> {
  writeFileSync(join(dir, 'a-file'), 'x');
  const cases: [string, string[]][] = [
    ['--hours 0x10', ['run', 'scenarios/smoke.json', '--hours', '0x10']],
    ['--hours 1e3', ['run', 'scenarios/smoke.json', '--hours', '1e3']],
    ['--hours ""', ['run', 'scenarios/smoke.json', '--hours', '']],
    ['--seed 1.5', ['run', 'scenarios/smoke.json', '--seed', '1.5']],
    ['--out naming a file', ['run', 'scenarios/smoke.json', '--out', join(dir, 'a-file')]],
    ['--trace under a file', ['run', 'scenarios/smoke.json', '--trace', join(dir, 'a-file', 't.jsonl')]],
    ['--trace naming a folder', ['run', 'scenarios/smoke.json', '--trace', dir]],
    ['arrivals 100,000/h for 21 h', ['run', join(dir, 'arrivals.json'), '--hours', '21']],
    ['check-trace on a folder', ['check-trace', dir]],
    ['check-trace on a scenario', ['check-trace', 'scenarios/smoke.json']],
    ['--orders with no mapping', ['run', 'scenarios/smoke.json', '--orders', 'test/fixtures/online-retail-sample.csv']],
    ['unknown option --hour', ['run', 'scenarios/smoke.json', '--hour', '1']],
  ];
  const arrivals = structuredClone(smoke);
  arrivals.orders.mode = 'arrivals';
  arrivals.orders.ordersPerHour = 100000;
  writeFileSync(join(dir, 'arrivals.json'), JSON.stringify(arrivals));
  for (const [label, args] of cases) rows.push(`| command line | ${cell(label)} | ${cell(await cli(args))} |`);
}

async function rest(): Promise<void> {
  const brokenDir = mkdtempSync(join(tmpdir(), 'omnicube-lib-'));
  writeFileSync(join(brokenDir, 'smoke.json'), JSON.stringify(smoke));
  const broken = structuredClone(smoke);
  broken.robots.count = 0;
  writeFileSync(join(brokenDir, 'broken.json'), JSON.stringify(broken));
  const { app, state } = await buildApp({ scenario: 'smoke', speed: 10, paused: true, scenarioDir: brokenDir });
  const { app: guarded } = await buildApp({ scenario: 'smoke', speed: 10, paused: true, scenarioDir: brokenDir, token: 'secret' });
  const cases: [string, InjectOptions, FastifyInstance?][] = [
    ['control {"action":"pause","x":1}', { method: 'POST', url: '/api/control', payload: { action: 'pause', x: 1 } }],
    ['control {"action":["pause"]}', { method: 'POST', url: '/api/control', payload: { action: ['pause'] } }],
    ['control speed "50"', { method: 'POST', url: '/api/control', payload: { action: 'speed', speed: '50' } }],
    ['control speed 5000', { method: 'POST', url: '/api/control', payload: { action: 'speed', speed: 5000 } }],
    ['scenario {"name":"smoke","path":"../../x"}', { method: 'POST', url: '/api/scenario', payload: { name: 'smoke', path: '../../x' } }],
    ['scenario "../../etc/passwd"', { method: 'POST', url: '/api/scenario', payload: { name: '../../etc/passwd' } }],
    ['scenario that fails validation', { method: 'POST', url: '/api/scenario', payload: { name: 'broken' } }],
    ['GET /api/robots/%20', { method: 'GET', url: '/api/robots/%20' }],
    ['GET /api/robots/1e1', { method: 'GET', url: '/api/robots/1e1' }],
    ['GET /api/robots/99999', { method: 'GET', url: '/api/robots/99999' }],
    ['invalid JSON body', { method: 'POST', url: '/api/control', payload: '{"action":', headers: { 'content-type': 'application/json' } }],
    ['text/plain body', { method: 'POST', url: '/api/control', payload: 'pause', headers: { 'content-type': 'text/plain' } }],
    ['1 MB body', { method: 'POST', url: '/api/control', payload: JSON.stringify({ action: 'pause', pad: 'x'.repeat(1 << 20) }), headers: { 'content-type': 'application/json' } }],
    ['unknown route', { method: 'GET', url: '/api/nothing' }],
    ['GET /ws without upgrade', { method: 'GET', url: '/ws' }],
    ['write without the token (exposed server)', { method: 'POST', url: '/api/control', payload: { action: 'pause' } }, guarded],
    ['write with a wrong token', { method: 'POST', url: '/api/control', payload: { action: 'pause' }, headers: { authorization: 'Bearer nope' } }, guarded],
  ];
  for (const [label, req, target] of cases) {
    const r = await (target ?? app).inject(req);
    const body = r.json() as { code?: string; message?: string };
    rows.push(`| REST | ${cell(label)} | ${r.statusCode} ${body.code ?? ''}: ${cell(body.message ?? '')} |`);
  }
  await guarded.close();
  // WebSocket: the stream is read-only; what clients send is ignored, oversized frames close that client.
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  state.hub.start();
  const wsUrl = `${url.replace('http', 'ws')}/ws`;
  const open = async (headers?: Record<string, string>) => {
    const ws = new WebSocket(wsUrl, { headers });
    await new Promise((res, rej) => { ws.once('message', res); ws.once('error', rej); });
    return ws;
  };
  const after = async (ws: WebSocket): Promise<string> => {
    await new Promise((res) => setTimeout(res, 300));
    const health = await fetch(`${url}/api/health`);
    const control = (await (await fetch(`${url}/api/kpis`)).json()) as Record<string, unknown>;
    const state = ws.readyState === WebSocket.OPEN ? 'connection stays open' : 'that connection is closed';
    return `${state}; server answers health ${health.status}; simulation tick ${JSON.stringify(control.tick ?? control.simSeconds ?? '?')}`;
  };
  const a = await open();
  a.send('not json');
  a.send(JSON.stringify({ action: 'resume' }));
  rows.push(`| WebSocket | text junk and a control message | ignored, ${await after(a)} |`);
  const b = await open();
  const closed = new Promise<number>((res) => b.once('close', (code) => res(code)));
  b.send(Buffer.alloc(1 << 20));
  rows.push(`| WebSocket | a 1 MB binary frame | the sender is closed with code ${await closed}; another client: ${await after(a)} |`);
  const c = await open({ origin: 'http://elsewhere.example' });
  rows.push(`| WebSocket | a connection from another origin | opens the read-only stream (the stream takes no commands); ${await after(c)} |`);
  a.close(); c.close();
  await app.close();
}

await scenarios();
await commandLine();
await rest();
process.stdout.write(`${rows.join('\n')}\n`);
