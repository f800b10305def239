/**
 * REST API (a fastify plugin): health, scenario, KPIs, robot and port inspection, control, scenario
 * loading. Every route declares JSON Schema for what it takes and returns; bad requests get 400 with a
 * named code and the field at fault (see ApiError in ../protocol.ts).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Job } from '../../sim/robots.ts';
import { robotPath, robotPose } from '../../sim/view.ts';
import type { ControlRequest, HealthResponse, LoadScenarioRequest, PortDetail, RobotDetail } from '../protocol.ts';
import { PROTOCOL_VERSION } from '../protocol.ts';
import { robotState } from './live.ts';
import type { ServerState } from './app.ts';

const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } },
  required: ['statusCode', 'code', 'message'],
} as const;

const controlSchema = {
  type: 'object',
  properties: { paused: { type: 'boolean' }, speed: { type: 'number' } },
  required: ['paused', 'speed'],
} as const;

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

/** Error thrown by handlers: becomes a 4xx ApiError. */
export class ApiFault extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly field?: string) { super(message); }
}

export function apiPlugin(state: ServerState): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/health', {
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' }, version: { type: 'string' },
        protocol: { type: 'integer' }, scenario: { type: 'string' }, tick: { type: 'integer' }, clients: { type: 'integer' } } } } },
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
      } } } },
    }, async () => ({ ...state.hub.sim.scenarioInfo(), library: state.library() }));

    app.get('/api/kpis', { schema: { response: { 200: kpiSchema } } }, async () => state.hub.sim.kpis());

    app.get<{ Params: { id: number } }>('/api/robots/:id', {
      schema: {
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 0 } }, required: ['id'] },
        response: { 200: { type: 'object', properties: {
          id: { type: 'integer' }, x: { type: 'number' }, y: { type: 'number' }, state: { type: 'string' }, job: { type: 'string' },
          task: { type: 'integer' }, bin: { type: 'integer' }, targetBin: { type: 'integer' }, port: { type: ['string', 'null'] },
          path: { type: 'array', items: cellPair },
        } }, 404: errorSchema },
      },
    }, async (req): Promise<RobotDetail> => {
      const w = state.hub.sim.world;
      const r = req.params.id;
      if (r >= w.robots.count) throw new ApiFault(404, 'NO_SUCH_ROBOT', `robot ${r} does not exist (0-${w.robots.count - 1})`, 'id');
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
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] },
        response: { 200: { type: 'object', properties: {
          id: { type: 'string' }, type: { type: 'string' }, x: { type: 'integer' }, y: { type: 'integer' },
          queue: { type: 'array', items: { type: 'integer' } }, waiting: { type: 'array', items: { type: 'integer' } },
          binsInside: { type: 'integer' }, presenting: { type: 'integer' }, presentations: { type: 'integer' },
          utilization: { type: 'number' }, perHour: { type: 'number' },
        } }, 404: errorSchema },
      },
    }, async (req): Promise<PortDetail> => {
      const sim = state.hub.sim;
      const w = sim.world;
      const i = w.cfg.ports.findIndex((p) => p.id === req.params.id);
      if (i < 0) throw new ApiFault(404, 'NO_SUCH_PORT', `port ${JSON.stringify(req.params.id)} does not exist`, 'id');
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
          allOf: [{ if: { properties: { action: { const: 'speed' } }, required: ['action'] }, then: { required: ['speed'] } }],
        },
        response: { 200: controlSchema, 400: errorSchema },
      },
    }, async (req) => {
      const sim = state.hub.sim;
      const b = req.body;
      if (b.action === 'pause') sim.control.paused = true;
      else if (b.action === 'resume') sim.control.paused = false;
      else if (b.action === 'speed') sim.control.speed = b.speed;
      else {
        if (!sim.control.paused) throw new ApiFault(409, 'NOT_PAUSED', 'step only while paused', 'action');
        sim.stepTicks(b.ticks ?? 1);
      }
      state.hub.controlChanged();
      return { ...sim.control };
    });

    app.post<{ Body: LoadScenarioRequest }>('/api/scenario', {
      schema: {
        body: { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z0-9_-]{1,64}$' } }, required: ['name'], additionalProperties: false },
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, robots: { type: 'integer' } } }, 400: errorSchema },
      },
    }, async (req) => {
      const name = req.body.name;
      if (!state.library().includes(name)) {
        throw new ApiFault(400, 'UNKNOWN_SCENARIO', `no scenario named ${JSON.stringify(name)} (library: ${state.library().join(', ')})`, 'name');
      }
      state.load(name);
      return { name, robots: state.hub.sim.world.robots.count };
    });
  };
}
