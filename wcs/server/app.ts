/**
 * The fastify app: REST API, the WebSocket stream at /ws and the built viewer as static files. Built by
 * `buildApp` so tests can `inject` requests or listen on port 0.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { loadScenarioFile } from '../scenario/load.ts';
import type { ApiError } from '../protocol.ts';
import { ApiFault, apiPlugin } from './api.ts';
import { LiveSim } from './live.ts';
import { StreamHub, type StreamOptions } from './stream.ts';

export interface ServerOptions {
  /** Library scenario to run (file name without .json). */
  scenario: string;
  speed: number;
  paused?: boolean;
  /** Folder of scenario files (default: the project's scenarios/). */
  scenarioDir?: string;
  /** Folder of the built viewer (default dist/viewer); not served when missing. */
  viewerDir?: string;
  stream?: Partial<StreamOptions>;
  logger?: boolean;
}

/** What the routes share: the stream hub (and through it the live simulation) and the library. */
export interface ServerState {
  version: string;
  hub: StreamHub;
  library(): string[];
  load(name: string): void;
}

const root = resolve(new URL('../..', import.meta.url).pathname);

export async function buildApp(opts: ServerOptions): Promise<{ app: FastifyInstance; state: ServerState }> {
  const scenarioDir = opts.scenarioDir ?? join(root, 'scenarios');
  const library = () => readdirSync(scenarioDir).filter((f) => f.endsWith('.json') && !f.includes('schema'))
    .map((f) => f.slice(0, -5)).sort();
  const make = (name: string, control = { paused: opts.paused ?? false, speed: opts.speed }) =>
    new LiveSim(loadScenarioFile(join(scenarioDir, `${name}.json`)), control);
  const hub = new StreamHub(make(opts.scenario), opts.stream);
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const state: ServerState = {
    version, hub, library,
    load(name) { hub.replace(make(name, { ...hub.sim.control })); },
  };

  const app = Fastify({ logger: opts.logger ?? false });
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    let body: ApiError;
    if (err instanceof ApiFault) {
      body = { statusCode: err.statusCode, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
    } else if (err.validation) {
      const v = err.validation[0]!;
      const missing = (v.params as { missingProperty?: string }).missingProperty;
      const path = `${v.instancePath.replace(/^\//, '').replace(/\//g, '.')}${missing ? `${v.instancePath ? '.' : ''}${missing}` : ''}`;
      const field = path || (err.validationContext ?? 'body');
      body = { statusCode: 400, code: 'BAD_REQUEST', field, message: `${field}: ${missing ? 'required' : v.message ?? 'invalid'}` };
    } else if ((err.statusCode ?? 500) < 500) {
      body = { statusCode: err.statusCode!, code: err.code ?? 'BAD_REQUEST', message: err.message };
    } else {
      app.log.error(err);
      body = { statusCode: 500, code: 'INTERNAL', message: 'internal error' };
    }
    void reply.code(body.statusCode).send(body);
  });

  await app.register(fastifyWebsocket, { options: { maxPayload: 1 << 16 } });
  app.register(async (scope) => {
    scope.get('/ws', { websocket: true }, (socket) => { hub.add(socket); });
  });
  await app.register(apiPlugin(state));
  const viewerDir = opts.viewerDir ?? join(root, 'dist', 'viewer');
  if (existsSync(join(viewerDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: viewerDir, prefix: '/' });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/plain').send('viewer not built: npm run build:viewer'));
  }
  app.addHook('onClose', async () => hub.stop());
  return { app, state };
}
