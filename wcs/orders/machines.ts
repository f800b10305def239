/**
 * The lifecycles of the WCS's order book as xstate v5 machines: order line, order, bin task. They are
 * driven only through pure transitions (no running actors), so the runtime can hold thousands of
 * snapshots. Context holds ids and sim ticks passed in events, never wall time. The machines only assign
 * context; side effects (releasing stock, freeing a robot) belong to the caller that sent the event.
 *
 * Rejected events: `step<Kind>(snapshot, event)` returns the *same snapshot object* when the event is not
 * accepted in the current state (xstate's behaviour), so `accepted(before, after)` (identity check) tells
 * afterwards; `snapshot.can(event)` tells beforehand (it evaluates guards).
 */
import {
  assertEvent, assign, createActor, setup,
  type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventFromLogic, type SnapshotFrom,
} from 'xstate';

type Tick = { tick: number };

// ---- Order line: open -> reserved -> picking -> picked, or short / cancelled ----------------------

export interface OrderLineInput { lineId: number; orderId: number; sku: number; qty: number }
export interface OrderLineContext extends OrderLineInput {
  bin: number; reservedTick: number; startedTick: number; doneTick: number;
}
export type OrderLineEvent =
  | ({ type: 'RESERVE'; bin: number } & Tick) | ({ type: 'SHORT' } & Tick) | ({ type: 'TASK_STARTED' } & Tick)
  | ({ type: 'PICKED' } & Tick) | ({ type: 'CANCEL' } & Tick);

/**
 * One order line. SHORT is accepted from open (no stock to reserve) and from picking (short pick at the
 * port). CANCEL only before picking starts: once the bin is on its way the pick list is frozen.
 */
export const orderLineMachine = setup({
  types: { input: {} as OrderLineInput, context: {} as OrderLineContext, events: {} as OrderLineEvent },
  actions: {
    recordReserve: assign(({ event }) => {
      assertEvent(event, 'RESERVE');
      return { bin: event.bin, reservedTick: event.tick };
    }),
    recordStart: assign({ startedTick: ({ event }) => event.tick }),
    recordDone: assign({ doneTick: ({ event }) => event.tick }),
  },
}).createMachine({
  id: 'orderLine',
  initial: 'open',
  context: ({ input }) => ({ ...input, bin: -1, reservedTick: -1, startedTick: -1, doneTick: -1 }),
  states: {
    open: {
      on: {
        RESERVE: { target: 'reserved', actions: 'recordReserve' },
        SHORT: { target: 'short', actions: 'recordDone' },
        CANCEL: { target: 'cancelled', actions: 'recordDone' },
      },
    },
    reserved: {
      on: {
        // Moved to another bin before picking started (just-in-time binding).
        RESERVE: { target: 'reserved', actions: 'recordReserve' },
        TASK_STARTED: { target: 'picking', actions: 'recordStart' },
        CANCEL: { target: 'cancelled', actions: 'recordDone' },
      },
    },
    picking: {
      on: {
        PICKED: { target: 'picked', actions: 'recordDone' },
        SHORT: { target: 'short', actions: 'recordDone' },
      },
    },
    picked: { type: 'final' },
    short: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

// ---- Order: open -> released -> in_progress -> complete, or cancelled ------------------------------

export interface OrderInput { orderId: number; createdTick: number; lineCount: number }
export interface OrderContext extends OrderInput {
  started: number; done: number; short: number; releasedTick: number; completeTick: number;
}
export type OrderEvent =
  | ({ type: 'RELEASE' } & Tick) | ({ type: 'LINE_STARTED' } & Tick)
  | ({ type: 'LINE_DONE'; short?: boolean } & Tick) | ({ type: 'CANCEL' } & Tick);

/**
 * One order; its context counts lines started and done (picked or short). It completes on the LINE_DONE
 * that closes its last line. A line may go short before any line starts, so released accepts LINE_DONE.
 * CANCEL only before any line has started picking.
 */
export const orderMachine = setup({
  types: { input: {} as OrderInput, context: {} as OrderContext, events: {} as OrderEvent },
  actions: {
    recordRelease: assign({ releasedTick: ({ event }) => event.tick }),
    countStart: assign({ started: ({ context }) => context.started + 1 }),
    countDone: assign(({ context, event }) => {
      assertEvent(event, 'LINE_DONE');
      const done = context.done + 1;
      return {
        done,
        short: context.short + (event.short === true ? 1 : 0),
        completeTick: done >= context.lineCount ? event.tick : -1,
      };
    }),
    recordCancel: assign({ completeTick: ({ event }) => event.tick }),
  },
  guards: {
    lastLine: ({ context }) => context.done + 1 >= context.lineCount,
  },
}).createMachine({
  id: 'order',
  initial: 'open',
  context: ({ input }) => ({ ...input, started: 0, done: 0, short: 0, releasedTick: -1, completeTick: -1 }),
  states: {
    open: {
      on: {
        RELEASE: { target: 'released', actions: 'recordRelease' },
        CANCEL: { target: 'cancelled', actions: 'recordCancel' },
      },
    },
    released: {
      on: {
        LINE_STARTED: { target: 'in_progress', actions: 'countStart' },
        LINE_DONE: [
          { guard: 'lastLine', target: 'complete', actions: 'countDone' },
          { target: 'in_progress', actions: 'countDone' },
        ],
        CANCEL: { target: 'cancelled', actions: 'recordCancel' },
      },
    },
    in_progress: {
      on: {
        LINE_STARTED: { actions: 'countStart' },
        LINE_DONE: [{ guard: 'lastLine', target: 'complete', actions: 'countDone' }, { actions: 'countDone' }],
      },
    },
    complete: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

// ---- Bin task: pending -> assigned -> retrieving -> to_port -> queued -> presented -> returning -> done

export interface BinTaskInput { taskId: number; bin: number; port: number; createdTick: number }
export interface BinTaskContext extends BinTaskInput {
  robot: number; assignedTick: number; fetchTick: number; liftedTick: number; queuedTick: number;
  presentedTick: number; closedTick: number; returnedTick: number;
}
export type BinTaskEvent =
  | ({ type: 'ASSIGN'; robot: number } & Tick) | ({ type: 'FETCH_STARTED' } & Tick) | ({ type: 'LIFTED' } & Tick)
  | ({ type: 'QUEUED' } & Tick) | ({ type: 'PRESENTED' } & Tick) | ({ type: 'CLOSED' } & Tick)
  | ({ type: 'RETURNED' } & Tick) | ({ type: 'CANCEL' } & Tick);

const TASK_TICK = {
  ASSIGN: 'assignedTick', FETCH_STARTED: 'fetchTick', LIFTED: 'liftedTick', QUEUED: 'queuedTick',
  PRESENTED: 'presentedTick', CLOSED: 'closedTick', RETURNED: 'returnedTick', CANCEL: 'returnedTick',
} as const satisfies Record<BinTaskEvent['type'], keyof BinTaskContext>;

/**
 * One bin brought to a port and back. ASSIGN is also accepted in assigned (re-assignment before the
 * fetch starts); PRESENTED is accepted from to_port too (empty port queue: no wait). CLOSED (operator
 * closes the bin: presented -> returning) is the event the brief's list lacked; RETURNED puts it back in
 * the grid (done). CANCEL only from pending or assigned; the cancel tick is kept in returnedTick.
 */
export const binTaskMachine = setup({
  types: { input: {} as BinTaskInput, context: {} as BinTaskContext, events: {} as BinTaskEvent },
  actions: {
    stamp: assign(({ event }) => ({ [TASK_TICK[event.type]]: event.tick })),
    recordRobot: assign(({ event }) => {
      assertEvent(event, 'ASSIGN');
      return { robot: event.robot, assignedTick: event.tick };
    }),
  },
}).createMachine({
  id: 'binTask',
  initial: 'pending',
  context: ({ input }) => ({
    ...input, robot: -1, assignedTick: -1, fetchTick: -1, liftedTick: -1, queuedTick: -1,
    presentedTick: -1, closedTick: -1, returnedTick: -1,
  }),
  states: {
    pending: { on: { ASSIGN: { target: 'assigned', actions: 'recordRobot' }, CANCEL: { target: 'cancelled', actions: 'stamp' } } },
    assigned: {
      on: {
        ASSIGN: { actions: 'recordRobot' },
        FETCH_STARTED: { target: 'retrieving', actions: 'stamp' },
        CANCEL: { target: 'cancelled', actions: 'stamp' },
      },
    },
    retrieving: { on: { LIFTED: { target: 'to_port', actions: 'stamp' } } },
    to_port: { on: { QUEUED: { target: 'queued', actions: 'stamp' }, PRESENTED: { target: 'presented', actions: 'stamp' } } },
    queued: { on: { PRESENTED: { target: 'presented', actions: 'stamp' } } },
    presented: { on: { CLOSED: { target: 'returning', actions: 'stamp' } } },
    returning: { on: { RETURNED: { target: 'done', actions: 'stamp' } } },
    done: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

// ---- Pure helpers -----------------------------------------------------------------------------------

export type OrderLineSnapshot = SnapshotFrom<typeof orderLineMachine>;
export type OrderSnapshot = SnapshotFrom<typeof orderMachine>;
export type BinTaskSnapshot = SnapshotFrom<typeof binTaskMachine>;
export type OrderLineState = OrderLineSnapshot['value'];
export type OrderState = OrderSnapshot['value'];
export type BinTaskState = BinTaskSnapshot['value'];

/**
 * One inert actor scope per machine, made once: what xstate's `transition()` helper builds on every call
 * (an actor and a system) is the larger part of a transition's cost. The machines here only assign
 * context, so the scope's no-op action executor loses nothing; the result is the same pure snapshot.
 */
function inertScope(machine: AnyStateMachine): AnyActorScope {
  const self = createActor(machine);
  return {
    self, defer: () => {}, id: '', logger: () => {}, sessionId: '', stopChild: () => {}, system: self.system,
    emit: () => {}, actionExecutor: () => {},
  } as unknown as AnyActorScope;
}
const lineScope = inertScope(orderLineMachine);
const orderScope = inertScope(orderMachine);
const taskScope = inertScope(binTaskMachine);

/** Initial order-line snapshot. Pure. */
export function startOrderLine(input: OrderLineInput): OrderLineSnapshot { return orderLineMachine.getInitialSnapshot(lineScope, input); }
/** Next order-line snapshot; the same object if the event was not accepted. Pure. */
export function stepOrderLine(s: OrderLineSnapshot, e: EventFromLogic<typeof orderLineMachine>): OrderLineSnapshot {
  return orderLineMachine.transition(s, e, lineScope);
}
/** Initial order snapshot (state open). Pure. */
export function startOrder(input: OrderInput): OrderSnapshot { return orderMachine.getInitialSnapshot(orderScope, input); }
/** Next order snapshot; the same object if the event was not accepted. Pure. */
export function stepOrder(s: OrderSnapshot, e: OrderEvent): OrderSnapshot { return orderMachine.transition(s, e, orderScope); }
/** Initial bin-task snapshot (state pending). Pure. */
export function startBinTask(input: BinTaskInput): BinTaskSnapshot { return binTaskMachine.getInitialSnapshot(taskScope, input); }
/** Next bin-task snapshot; the same object if the event was not accepted. Pure. */
export function stepBinTask(s: BinTaskSnapshot, e: BinTaskEvent): BinTaskSnapshot { return binTaskMachine.transition(s, e, taskScope); }
/** Whether a step was accepted: step functions return the identical snapshot when it was not. Pure. */
export function accepted(before: AnyMachineSnapshot, after: AnyMachineSnapshot): boolean {
  return before !== after;
}
