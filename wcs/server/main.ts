/**
 * npm start: build the viewer if it is missing or older than its sources, start the server, run the
 * default scenario live and print the URL.
 *   tsx wcs/server/main.ts [--port N] [--speed S] [--scenario NAME] [--paused]
 * Port from --port, else PORT, else 8080.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './app.ts';
import { buildViewerIfNeeded } from './build.ts';
import { ScenarioError } from '../scenario/load.ts';

const root = resolve(new URL('../..', import.meta.url).pathname);
const USAGE = 'usage: npm start -- [--port N] [--speed 1-1000] [--scenario NAME] [--paused]';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, speed: { type: 'string' }, scenario: { type: 'string' },
      paused: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) { fail((e as Error).message); }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  const portText = values.port ?? process.env.PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: expected an integer from 0 to 65535, got ${JSON.stringify(portText)}`);
  const speed = Number(values.speed ?? '1');
  if (!Number.isFinite(speed) || speed < 1 || speed > 1000) fail(`--speed: expected a number from 1 to 1000, got ${JSON.stringify(values.speed)}`);
  const scenario = values.scenario ?? 'polaris';
  if (!/^[a-z0-9_-]+$/.test(scenario) || !existsSync(join(root, 'scenarios', `${scenario}.json`))) {
    fail(`--scenario: expected a scenario of the library (scenarios/*.json), got ${JSON.stringify(scenario)}`);
  }
  buildViewerIfNeeded();
  let built;
  try {
    built = await buildApp({ scenario, speed, paused: values.paused === true });
  } catch (e) {
    if (e instanceof ScenarioError) fail(e.message);
    throw e;
  }
  const { app, state } = built;
  const address = await app.listen({ port, host: '0.0.0.0' });
  state.hub.start();
  const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  process.stdout.write(`Omnicube live: ${scenario} at ${speed}x real time\nopen ${url}\n`);
  const stop = () => { void app.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
