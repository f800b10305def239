/**
 * The fastify app: REST API, the WebSocket stream at /ws and the built viewer as static files, with the
 * error shape (./errors.ts) and the write guard (./access.ts) around them. Built by `buildApp` so tests
 * can `inject` requests or listen on port 0. The simulation runs in a worker thread (./sim-host.ts,
 * reached through ./sim-client.ts), so no answer here waits for ticks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { writeGuard } from './access.ts';
import { apiPlugin } from './api.ts';
import { ApiFault, installErrorHandling } from './errors.ts';
import { SimClient } from './sim-client.ts';
import type { HostOptions, LoadAnswer } from './sim-protocol.ts';
import { StreamHub, type StreamOptions } from './stream.ts';
import { SiteOrders } from './site-orders.ts';
import { ordersPlugin } from './orders-api.ts';
import type { OrderEvent, OrderStore } from '../orders/records.ts';
import { loadScenarioFile } from '../scenario/load.ts';

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
  /**
   * Run the simulation host in this thread (on the same message protocol, over a MessageChannel)
   * instead of a worker thread: for tests that drive frames by hand (`state.hub.tick()`), on a fake
   * clock (`stream.now`) or reach into the simulation (`state.sim.inlineHost`). Ticks then hold up the
   * event loop, as they would in one thread.
   */
  inline?: boolean;
  /**
   * The order layer: orders, inventory, receipts and holds over the API, durable in the store that
   * `openStore` opens for a scenario (one site per scenario: loading another scenario switches to its
   * store, and nothing is thrown away). Without it the WCS takes the scenario's profile as before.
   */
  orders?: { openStore: (scenario: string) => OrderStore; demand?: 'profile' | 'none' };
}

/** What the routes share: the simulation (its latest state, and requests to it), the stream hub and the library. */
export interface ServerState {
  version: string;
  sim: SimClient;
  hub: StreamHub;
  library(): string[];
  /** Load a library scenario by name (in the simulation's thread); rejects with its ScenarioError. */
  load(name: string): Promise<LoadAnswer>;
  /** The running site's order layer, when the server has one. */
  orders?: SiteOrders;
}

/** The host's pacing options among `stream` (those given). */
function hostOptions(stream: Partial<StreamOptions> = {}): Partial<HostOptions> {
  const out: Partial<HostOptions> = {};
  for (const k of ['fps', 'budgetMs', 'sliceMs', 'kpiEvery'] as const) if (stream[k] !== undefined) out[k] = stream[k];
  return out;
}

const root = resolve(new URL('../..', import.meta.url).pathname);

/**
 * Build the server for `opts`: starts the simulation (in a worker thread unless `inline`) and loads the
 * scenario; throws its ScenarioError when it does not validate. The pacing loop is not started: call
 * `state.hub.start()` after listening (tests drive frames by hand with `state.hub.tick()`). `app.close()`
 * stops the simulation and its worker.
 */
export async function buildApp(opts: ServerOptions): Promise<{ app: FastifyInstance; state: ServerState }> {
  const scenarioDir = opts.scenarioDir ?? join(root, 'scenarios');
  const library = () => readdirSync(scenarioDir).filter((f) => f.endsWith('.json') && !f.includes('schema'))
    .map((f) => f.slice(0, -5)).sort();
  const file = (name: string) => join(scenarioDir, `${name}.json`);
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

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
  let sim: SimClient;
  try {
    sim = await SimClient.create(file(opts.scenario), { paused: opts.paused ?? false, speed: opts.speed },
      { inline: opts.inline, host: hostOptions(opts.stream), now: opts.stream?.now, log: app.log, orders: opts.orders !== undefined });
  } catch (e) {
    await app.close();
    throw e;
  }
  const hub = new StreamHub(sim, opts.stream);
  const state: ServerState = { version, sim, hub, library, load: (name) => sim.load(file(name)) };
  if (opts.orders) {
    const orders = opts.orders;
    let siteName = opts.scenario;
    let store = orders.openStore(siteName);
    const open = async (name: string) => SiteOrders.open(sim, loadScenarioFile(file(name)), store, {
      demand: orders.demand ?? 'profile', log: app.log,
      onStoreFailure: () => { app.log.error('the order store failed: stopping so that no answer is given from memory ahead of it'); process.exit(1); },
    });
    // Order events go to the stream's subscribers in one batch per frame (gathered only while a client
    // subscribes: under a burst of orders they are thousands a frame).
    let events: OrderEvent[] = [];
    const attach = (site: SiteOrders) => { site.service.subscribe((e) => { if (hub.ordersWanted) events.push(e); }); return site; };
    state.orders = attach(await open(siteName));
    // The stream hub fans frames out; the order layer sees each first.
    const fanOut = sim.onFrame;
    sim.onFrame = (e) => {
      state.orders?.onFrame(e);
      const batch = events;
      events = [];
      hub.publishOrders(batch);
      fanOut(e);
    };
    state.load = async (name) => {
      const answer = await sim.load(file(name));
      if (name === siteName) {
        await state.orders!.restarted();
      } else {
        // Another site: its own store; the old one is closed with everything committed.
        state.orders!.close();
        await state.orders!.service.flush();
        store.close();
        siteName = name;
        store = orders.openStore(name);
        state.orders = attach(await open(name));
      }
      return answer;
    };
    app.addHook('onClose', async () => {
      state.orders?.close();
      await state.orders?.service.flush();
      store.close();
    });
  }

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
  if (state.orders) await app.register(ordersPlugin(() => state.orders!.service, () => state.orders!));
  const viewerDir = opts.viewerDir ?? join(root, 'dist', 'viewer');
  if (existsSync(join(viewerDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: viewerDir, prefix: '/' });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/plain').send('viewer not built: npm run build:viewer'));
  }
  app.addHook('onClose', async () => {
    hub.stop();
    await sim.close();
  });
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
