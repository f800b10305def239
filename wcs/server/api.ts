/**
 * REST API (a fastify plugin): health, scenario, KPIs, robot and port inspection, control, scenario
 * loading. Every route declares JSON Schema for what it takes and returns, and takes exactly that: no
 * unknown fields, no type coercion (the app's ajv is configured so), route parameters matched by strict
 * patterns. Errors are ApiError bodies (see ../protocol.ts and ./errors.ts).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Job } from '../../sim/robots.ts';
import { robotPath, robotPose } from '../../sim/view.ts';
import type { ControlRequest, ControlResponse, HealthResponse, LoadScenarioRequest, PortDetail, RobotDetail } from '../protocol.ts';
import { PROTOCOL_VERSION } from '../protocol.ts';
import { robotState } from './live.ts';
import type { ServerState } from './app.ts';
import { ApiFault } from './errors.ts';

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
        protocol: { type: 'integer' }, scenario: { type: 'string' }, tick: { type: 'integer' }, clients: { type: 'integer' } } }, ...errors } },
    }, async (): Promise<HealthResponse> => ({
      status: 'ok', version: state.version, protocol: PROTOCOL_VERSION, scenario: state.hub.sim.scenario.file.name,
      tick: state.hub.sim.world.tick, clients: state.hub.clientCount,
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
    }, async () => ({ ...state.hub.sim.scenarioInfo(), library: state.library() }));

    app.get('/api/kpis', { schema: { response: { 200: kpiSchema, ...errors } } }, async () => state.hub.sim.kpis());

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
      const w = state.hub.sim.world;
      const r = Number(req.params.id);
      if (r >= w.robots.count) throw new ApiFault(404, 'NO_SUCH_ROBOT', `id: robot ${r} does not exist (0-${w.robots.count - 1})`, 'id');
      const pose = new Float64Array(3);
      robotPose(w, r, pose);
      const R = w.robots;
      const job = (['none', 'fetch', 'collect', 'park'] as const)[R.job[r]!] ?? 'none';
      const port = R.jobPort[r]!;
      return {
        id: r, x: Math.round(pose[0]! * 100) / 100, y: Math.round(pose[1]! * 100) / 100, state: robotState(w, r), job,
        task: R.job[r] === Job.Fetch ? R.jobTask[r]! : -1, bin: R.bin[r]!, targetBin: R.jobBin[r]! >= 0 && R.job[r] === Job.Fetch ? R.jobBin[r]! : -1,
        port: port >= 0 ? w.cfg.ports[port]!.id : null, path: robotPath(w, r),
      };
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
      const sim = state.hub.sim;
      const w = sim.world;
      const i = w.cfg.ports.findIndex((p) => p.id === req.params.id);
      if (i < 0) throw new ApiFault(404, 'NO_SUCH_PORT', `id: port ${JSON.stringify(req.params.id)} does not exist`, 'id');
      const p = w.ports[i]!;
      return {
        id: p.cfg.id, type: p.cfg.type, x: p.cfg.x, y: p.cfg.y, queue: [...p.queue], waiting: [...p.waiting],
        binsInside: p.binsInside(), presenting: p.opBin, presentations: p.presentations,
        utilization: Math.round((p.busyTicks / Math.max(1, w.tick)) * 10000) / 10000, perHour: sim.portRate(i),
      };
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
      const sim = state.hub.sim;
      const b = req.body;
      if (b.action === 'pause') sim.control.paused = true;
      else if (b.action === 'resume') {
        // Resuming ends a running step: the simulation runs in real time from where the step got to.
        sim.cancelStep();
        sim.control.paused = false;
      } else if (b.action === 'speed') sim.control.speed = b.speed;
      else {
        if (!sim.control.paused) throw new ApiFault(409, 'NOT_PAUSED', 'action: step only while paused', 'action');
        if (sim.stepping) throw new ApiFault(409, 'STEP_RUNNING', 'action: a step is running; wait for its answer, or resume to end it', 'action');
        // Answered when the step is done; it runs in slices, so other requests and the stream carry on.
        const ticks = await sim.stepTicks(b.ticks ?? 1, state.hub.opts.stepSliceMs, state.hub.opts.now);
        return { ...sim.control, tick: sim.world.tick, ticks };
      }
      state.hub.controlChanged();
      return { ...sim.control };
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
      state.load(name);
      return { name, robots: state.hub.sim.world.robots.count };
    });
  };
}
