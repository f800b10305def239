/**
 * REST API (a fastify plugin): health, scenario, KPIs, robot and port inspection, control, scenario
 * loading. Every route declares JSON Schema for what it takes and returns, and takes exactly that: no
 * unknown fields, no type coercion (the app's ajv is configured so), route parameters matched by strict
 * patterns. Errors are ApiError bodies (see ../protocol.ts and ./errors.ts).
 *
 * The simulation runs in its own thread (./sim-client.ts): health, the scenario and KPIs are answered
 * from the latest state it posted (at most a frame old), without waiting for it; inspection, control
 * and loading are requests to it.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ControlRequest, ControlResponse, HealthResponse, LoadScenarioRequest, PortDetail, RobotDetail } from '../protocol.ts';
import { PROTOCOL_VERSION } from '../protocol.ts';
import type { ServerState } from './app.ts';
import { ApiFault } from './errors.ts';
import { ChannelClosed, ChannelTimeout, RemoteError } from './sim-channel.ts';

/**
 * What a failed request to the simulation means to the client: a refusal (SimRefusal) as the ApiFault it
 * stands for, no answer in time or a worker gone as a 503 SIM_UNAVAILABLE; anything else goes on (a 500,
 * logged).
 */
async function asked<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (e) {
    if (e instanceof RemoteError && typeof e.data.statusCode === 'number' && typeof e.data.code === 'string') {
      throw new ApiFault(e.data.statusCode, e.data.code as ApiFault['code'], e.message, e.data.field as string | undefined);
    }
    if (e instanceof ChannelTimeout) throw new ApiFault(503, 'SIM_UNAVAILABLE', `the simulation did not answer within ${e.ms / 1000} s (busy loading a scenario, or a long tick); try again`);
    if (e instanceof ChannelClosed) throw new ApiFault(503, 'SIM_UNAVAILABLE', `the simulation is not running (${e.message}); load a scenario to start it again`);
    throw e;
  }
}

const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } },
  required: ['statusCode', 'code', 'message'],
} as const;

/** Every route answers errors in the one shape. */
const errors = { '4xx': errorSchema, '5xx': errorSchema } as const;

const controlSchema = {
  type: 'object',
  properties: { paused: { type: 'boolean' }, speed: { type: 'number' }, tick: { type: 'integer' }, ticks: { type: 'integer' } },
  required: ['paused', 'speed'],
} as const;

/** `if` clause: the control action is one of `actions`. */
const actionIn = (...actions: string[]) => ({ properties: { action: { enum: actions } }, required: ['action'] });

/**
 * A robot id in the path: digits only, no sign, spaces, exponent or leading zero (`%20` and `1e1` are
 * not robots 0 and 10).
 */
const robotIdParam = { type: 'string', pattern: '^(0|[1-9][0-9]*)$', maxLength: 9, description: 'a robot number in plain digits (0, 1, 2, ...)' } as const;

const kpiSchema = {
  type: 'object',
  properties: {
    tick: { type: 'integer' }, simSeconds: { type: 'number' }, binPresentations: { type: 'integer' },
    binPresentationsPerHour: { type: 'number' }, portUtilization: { type: 'array', items: { type: 'number' } },
    robotTime: { type: 'object', additionalProperties: { type: 'number' } }, robotUtilization: { type: 'number' },
    collisions: { type: 'integer' }, stuckRobots: { type: 'integer' }, actualSpeed: { type: 'number' },
  },
} as const;

const cellPair = { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 } as const;

export function apiPlugin(state: ServerState): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/health', {
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' }, version: { type: 'string' },
        protocol: { type: 'integer' }, scenario: { type: 'string' }, tick: { type: 'integer' }, clients: { type: 'integer' },
        error: { type: 'string' } } }, ...errors } },
    }, async (): Promise<HealthResponse> => ({
      status: state.sim.status, version: state.version, protocol: PROTOCOL_VERSION, scenario: state.sim.scenario,
      tick: state.sim.tick, clients: state.hub.clientCount, ...(state.sim.error !== undefined ? { error: state.sim.error } : {}),
    }));

    app.get('/api/scenario', {
      schema: { response: { 200: { type: 'object', properties: {
        name: { type: 'string' }, description: { type: 'string' }, width: { type: 'integer' }, depth: { type: 'integer' },
        height: { type: 'integer' }, pitchX: { type: 'number' }, pitchY: { type: 'number' }, tickSeconds: { type: 'number' },
        kinds: { type: 'array', items: { type: 'integer' } },
        ports: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' },
          x: { type: 'integer' }, y: { type: 'integer' }, buffer: { type: 'array', items: cellPair } } } },
        robots: { type: 'integer' }, bins: { type: 'integer' }, library: { type: 'array', items: { type: 'string' } },
      } }, ...errors } },
    }, async () => ({ ...state.sim.info, library: state.library() }));

    app.get('/api/kpis', { schema: { response: { 200: kpiSchema, ...errors } } }, async () => state.sim.state.kpis);

    app.get<{ Params: { id: string } }>('/api/robots/:id', {
      schema: {
        params: { type: 'object', properties: { id: robotIdParam }, required: ['id'], additionalProperties: false },
        response: { 200: { type: 'object', properties: {
          id: { type: 'integer' }, x: { type: 'number' }, y: { type: 'number' }, state: { type: 'string' }, job: { type: 'string' },
          task: { type: 'integer' }, bin: { type: 'integer' }, targetBin: { type: 'integer' }, port: { type: ['string', 'null'] },
          path: { type: 'array', items: cellPair },
        } }, ...errors },
      },
    }, async (req): Promise<RobotDetail> => {
      const count = state.sim.info.robots;
      const r = Number(req.params.id);
      const notFound = () => new ApiFault(404, 'NO_SUCH_ROBOT', `id: robot ${r} does not exist (0-${count - 1})`, 'id');
      if (r >= count) throw notFound();
      const detail = await asked(state.sim.robot(r));
      if (!detail) throw notFound();
      return detail;
    });

    app.get<{ Params: { id: string } }>('/api/ports/:id', {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'], additionalProperties: false },
        response: { 200: { type: 'object', properties: {
          id: { type: 'string' }, type: { type: 'string' }, x: { type: 'integer' }, y: { type: 'integer' },
          queue: { type: 'array', items: { type: 'integer' } }, waiting: { type: 'array', items: { type: 'integer' } },
          binsInside: { type: 'integer' }, presenting: { type: 'integer' }, presentations: { type: 'integer' },
          utilization: { type: 'number' }, perHour: { type: 'number' },
        } }, ...errors },
      },
    }, async (req): Promise<PortDetail> => {
      const i = state.sim.info.ports.findIndex((p) => p.id === req.params.id);
      const notFound = () => new ApiFault(404, 'NO_SUCH_PORT', `id: port ${JSON.stringify(req.params.id)} does not exist`, 'id');
      if (i < 0) throw notFound();
      const detail = await asked(state.sim.port(i));
      if (!detail) throw notFound();
      return detail;
    });

    app.post<{ Body: ControlRequest }>('/api/control', {
      schema: {
        body: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: ['pause', 'resume', 'step', 'speed'] },
            ticks: { type: 'integer', minimum: 1, maximum: 36000 },
            speed: { type: 'number', minimum: 1, maximum: 1000 },
          },
          required: ['action'],
          additionalProperties: false,
          // Each action takes its own fields and no other's.
          allOf: [
            { if: actionIn('speed'), then: { required: ['speed'], properties: { ticks: false } } },
            { if: actionIn('step'), then: { properties: { speed: false } } },
            { if: actionIn('pause', 'resume'), then: { properties: { ticks: false, speed: false } } },
          ],
        },
        response: { 200: controlSchema, ...errors },
      },
    }, async (req): Promise<ControlResponse> => {
      // Applied in the simulation's thread; a step (only while paused, one at a time) is answered when
      // done, and runs in slices there, so other requests and the stream carry on.
      const a = await asked(state.sim.controlAction(req.body));
      return a.ticks === undefined ? { ...a.control } : { ...a.control, tick: a.tick, ticks: a.ticks };
    });

    app.post<{ Body: LoadScenarioRequest }>('/api/scenario', {
      schema: {
        body: { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z0-9_-]{1,64}$', description: 'the name of a library scenario (lower-case letters, digits, - and _)' } }, required: ['name'], additionalProperties: false },
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, robots: { type: 'integer' } } }, ...errors },
      },
    }, async (req) => {
      const name = req.body.name;
      if (!state.library().includes(name)) {
        throw new ApiFault(400, 'UNKNOWN_SCENARIO', `name: no scenario named ${JSON.stringify(name)} (library: ${state.library().join(', ')})`, 'name');
      }
      // Validated and built in the simulation's thread: the server answers meanwhile.
      const loaded = await asked(state.load(name));
      return { name, robots: loaded.info.robots };
    });
  };
}
