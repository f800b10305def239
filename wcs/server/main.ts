/**
 * npm start: build the viewer if it is missing or older than its sources, start the server, run the
 * default scenario live and print the URL.
 *   tsx wcs/server/main.ts [--port N] [--host ADDRESS] [--speed S] [--scenario NAME] [--paused]
 *     [--data DIR] [--synchronous FULL|NORMAL] [--demand profile|none] [--no-viewer]
 * The order layer keeps its orders and stock in SQLite, one file per scenario in the data folder
 * (--data, else DATA_DIR, else ./data).
 * Port from --port, else PORT, else 8080. Host from --host, else 127.0.0.1 (this machine only); on any
 * other host writes need a token (see ./access.ts), printed in the URL. Bad input (including a port in
 * use) is a message and exit code 2, never a stack trace.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decideAccess, isLoopback } from './access.ts';
import { buildApp } from './app.ts';
import { buildViewerIfNeeded } from './build.ts';
import { ScenarioError } from '../scenario/load.ts';
import { SqliteStore } from '../orders/sqlite-store.ts';

const root = resolve(new URL('../..', import.meta.url).pathname);
const USAGE = 'usage: npm start -- [--port N] [--host ADDRESS] [--speed 1-1000] [--scenario NAME] [--paused]\n'
  + '         [--data DIR] [--synchronous FULL|NORMAL] [--demand profile|none] [--no-viewer]';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** What a failed listen means to the user, or undefined for the unexpected. */
function listenProblem(e: unknown, host: string, port: number): string | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `port ${port} is already in use on ${host} (another Omnicube, or another server): `
      + `choose another with --port N or PORT=N, e.g. npm start -- --port ${port === 65535 ? 8081 : port + 1}`;
  }
  if (code === 'EACCES') return `not allowed to listen on port ${port} (ports below 1024 need privileges): choose another with --port N or PORT=N`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `--host: cannot listen on ${JSON.stringify(host)} (${code}): give an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`;
  }
  return undefined;
}

/**
 * Try the port before the slow part (building the viewer, loading the scenario), so a port in use is
 * reported at once. The real listen reports the same if the port is taken in between.
 */
function checkPort(host: string, port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', (e) => done(listenProblem(e, host, port) ?? `cannot listen on ${host}:${port}: ${(e as Error).message}`));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done(undefined)));
  });
}

/** host:port as it goes into a URL (IPv6 addresses in brackets). */
function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' }, speed: { type: 'string' },
      scenario: { type: 'string' }, paused: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      data: { type: 'string' }, synchronous: { type: 'string' }, demand: { type: 'string' }, 'no-viewer': { type: 'boolean' } } }));
  } catch (e) { fail((e as Error).message); }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  const portText = values.port ?? (process.env.PORT || '8080');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) fail(`--port: expected an integer from 0 to 65535, got ${JSON.stringify(portText)}`);
  const host = values.host ?? '127.0.0.1';
  if (host === '') fail('--host: expected an address to listen on, e.g. 127.0.0.1 or 0.0.0.0');
  const speed = Number(values.speed ?? '1');
  if (!Number.isFinite(speed) || speed < 1 || speed > 1000) fail(`--speed: expected a number from 1 to 1000, got ${JSON.stringify(values.speed)}`);
  const scenario = values.scenario ?? 'polaris';
  if (!/^[a-z0-9_-]+$/.test(scenario) || !existsSync(join(root, 'scenarios', `${scenario}.json`))) {
    fail(`--scenario: expected a scenario of the library (scenarios/*.json), got ${JSON.stringify(scenario)}`);
  }
  const dataDir = values.data ?? (process.env.DATA_DIR || join(process.cwd(), 'data'));
  if (dataDir.trim() === '') fail('--data: expected a folder for the order data, got an empty value');
  const synchronous = (values.synchronous ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') fail(`--synchronous: expected FULL or NORMAL, got ${JSON.stringify(values.synchronous)}`);
  const demand = values.demand ?? 'profile';
  if (demand !== 'profile' && demand !== 'none') fail(`--demand: expected profile (the scenario's synthetic orders) or none, got ${JSON.stringify(values.demand)}`);
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (e) {
    fail(`--data ${dataDir}: cannot be used as the data folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const problem = port === 0 ? undefined : await checkPort(host, port);
  if (problem) fail(problem);
  const access = decideAccess(host, process.env);

  if (values['no-viewer'] !== true) buildViewerIfNeeded();
  let built;
  try {
    built = await buildApp({
      scenario, speed, paused: values.paused === true, logger: true, token: access.token,
      orders: {
        demand,
        openStore: (name) => new SqliteStore(join(dataDir, `${name}.sqlite`), { synchronous: synchronous as 'FULL' | 'NORMAL' }),
      },
    });
  } catch (e) {
    if (e instanceof ScenarioError) fail(e.message);
    throw e;
  }
  const { app, state } = built;
  try {
    await app.listen({ port, host });
  } catch (e) {
    const why = listenProblem(e, host, port);
    if (why) fail(why);
    throw e;
  }
  await state.hub.start();
  const bound = (app.server.address() as { port: number }).port;
  const everywhere = host === '0.0.0.0' || host === '::';
  const shown = everywhere ? hostname() : isLoopback(host) ? 'localhost' : host;
  const url = `http://${authority(shown, bound)}/`;
  const lines = [`Omnicube live: ${scenario} at ${speed}x real time; orders in ${join(dataDir, `${scenario}.sqlite`)} (synchronous ${synchronous})`];
  if (access.source === 'none') lines.push(`open ${url}   (this machine only: --host 0.0.0.0 shares it, with a token)`);
  else {
    const where = everywhere ? 'every interface' : authority(host, bound);
    const from = access.source === 'env' ? 'the token in OMNICUBE_TOKEN' : 'this token (OMNICUBE_TOKEN sets your own)';
    lines.push(`listening on ${where}: pause, step, speed and loading scenarios need ${from}`);
    lines.push(`open ${url}?token=${access.source === 'env' ? '<OMNICUBE_TOKEN>' : access.token!}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = () => { void app.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
