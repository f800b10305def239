/**
 * The fastify app: REST API, the WebSocket stream at /ws and the built viewer as static files, with the
 * error shape (./errors.ts) and the write guard (./access.ts) around them. Built by `buildApp` so tests
 * can `inject` requests or listen on port 0.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { loadScenarioFile } from '../scenario/load.ts';
import { writeGuard } from './access.ts';
import { apiPlugin } from './api.ts';
import { ApiFault, installErrorHandling } from './errors.ts';
import { LiveSim } from './live.ts';
import { StreamHub, type StreamOptions } from './stream.ts';

/** Largest request body taken, bytes: control bodies are tens of bytes. */
export const BODY_LIMIT = 16 * 1024;

/** How buildApp is configured. */
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
  /** fastify's logger (pino): on in `npm start`, off by default (tests); pino options (a stream) for tests. */
  logger?: boolean | (NonNullable<FastifyServerOptions['logger']> & object);
  /** Writes need `Authorization: Bearer <token>`; undefined: no token, writes only via a loopback Host. */
  token?: string;
}

/** What the routes share: the stream hub (and through it the live simulation) and the library. */
export interface ServerState {
  version: string;
  hub: StreamHub;
  library(): string[];
  load(name: string): void;
}

const root = resolve(new URL('../..', import.meta.url).pathname);

/**
 * Build the server for `opts` (loads the scenario; throws its ScenarioError when it does not validate).
 * The stream's timer is not started: call `state.hub.start()` after listening (tests drive it by hand).
 */
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

  const app = Fastify({
    logger: loggerOptions(opts.logger),
    // Requests are not logged one by one (the inspector polls every second); faults are, in the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Take exactly what the schemas say: fastify's defaults would coerce "50" to 50 and ["pause"] to
    // "pause", and silently drop unknown fields.
    // verbose: errors carry the offending value and the schema, so messages can say what was expected.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true } },
  });
  installErrorHandling(app, BODY_LIMIT);
  // JSON only: fastify would also read text/plain, a type any web page may post cross-origin.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', writeGuard(opts.token));

  await app.register(fastifyWebsocket, { options: { maxPayload: 1 << 16 } });
  app.register(async (scope) => {
    scope.route({
      method: 'GET', url: '/ws',
      wsHandler: (socket) => { hub.add(socket); },
      // A plain HTTP request to the stream: say what it is, in the common error shape.
      handler: async (_req, reply) => {
        void reply.header('upgrade', 'websocket');
        throw new ApiFault(426, 'UPGRADE_REQUIRED', 'the stream is a WebSocket: connect with ws://<host>/ws');
      },
    });
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

/** A URL with the value of its `token` query parameter hidden, for the logs. */
export function redactToken(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1<hidden>');
}

/** fastify's logger options: `logger` as given, with request URLs logged without the token. */
function loggerOptions(logger: ServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  return {
    level: 'info', ...base,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: redactToken(req.url) }),
      ...(base as { serializers?: object }).serializers,
    },
  };
}
