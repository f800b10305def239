/**
 * The customer line's lifecycle in the order layer, as an xstate v5 machine driven by pure transitions
 * (see machines.ts for the convention): what a customer ordered, from arrival to the pick confirmation.
 * The grid's own pick lines (wcs/orders/machines.ts) are a separate lifecycle in the WCS.
 *
 *   received ──RESERVE──▶ reserved ──RELEASE──▶ released ──START──▶ picking ──PICKED──▶ picked
 *      │                     ▲  ▲                   │                  └──────SHORT──▶ short
 *      └──BACKORDER──▶ backordered                  └──REQUEUE (the grid restarted)──▶ reserved
 *   REQUEUE also from picking: a grid that restarts from its scenario never finished that pick.
 *   CANCEL from received, reserved, backordered and released; not once picking has started.
 *
 * Context: quantities (ordered, picked) and the simulated second of each state change. Pure.
 */
import { assign, createActor, setup, type AnyActorScope, type SnapshotFrom } from 'xstate';

export type LineState = 'received' | 'reserved' | 'backordered' | 'released' | 'picking' | 'picked' | 'short' | 'cancelled';

export const LINE_STATES: readonly LineState[] = ['received', 'reserved', 'backordered', 'released', 'picking', 'picked', 'short', 'cancelled'];

/** States after which a line never changes. */
export const FINAL_LINE_STATES: ReadonlySet<LineState> = new Set(['picked', 'short', 'cancelled']);

export interface CustomerLineContext { qty: number; picked: number; at: number }

export type CustomerLineEvent =
  | { type: 'RESERVE'; at: number } | { type: 'BACKORDER'; at: number } | { type: 'RELEASE'; at: number }
  | { type: 'REQUEUE'; at: number } | { type: 'START'; at: number } | { type: 'PICKED'; at: number; picked: number }
  | { type: 'SHORT'; at: number; picked: number } | { type: 'CANCEL'; at: number };

export const customerLineMachine = setup({
  types: { input: {} as { qty: number; at: number }, context: {} as CustomerLineContext, events: {} as CustomerLineEvent },
  actions: {
    stamp: assign({ at: ({ event }) => event.at }),
    recordPick: assign(({ event }) => ({ at: event.at, picked: 'picked' in event ? event.picked : 0 })),
  },
}).createMachine({
  id: 'customerLine',
  initial: 'received',
  context: ({ input }) => ({ qty: input.qty, picked: 0, at: input.at }),
  states: {
    received: {
      on: {
        RESERVE: { target: 'reserved', actions: 'stamp' },
        BACKORDER: { target: 'backordered', actions: 'stamp' },
        CANCEL: { target: 'cancelled', actions: 'stamp' },
      },
    },
    backordered: {
      on: { RESERVE: { target: 'reserved', actions: 'stamp' }, CANCEL: { target: 'cancelled', actions: 'stamp' } },
    },
    reserved: {
      on: { RELEASE: { target: 'released', actions: 'stamp' }, CANCEL: { target: 'cancelled', actions: 'stamp' } },
    },
    released: {
      on: {
        START: { target: 'picking', actions: 'stamp' },
        REQUEUE: { target: 'reserved', actions: 'stamp' },
        CANCEL: { target: 'cancelled', actions: 'stamp' },
      },
    },
    picking: {
      on: {
        PICKED: { target: 'picked', actions: 'recordPick' },
        SHORT: { target: 'short', actions: 'recordPick' },
        REQUEUE: { target: 'reserved', actions: 'stamp' },
      },
    },
    picked: { type: 'final' },
    short: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export type CustomerLineSnapshot = SnapshotFrom<typeof customerLineMachine>;

// One inert actor scope, as in machines.ts: the machine only assigns context.
const self = createActor(customerLineMachine, { input: { qty: 0, at: 0 } });
const scope = {
  self, defer: () => {}, id: '', logger: () => {}, sessionId: '', stopChild: () => {}, system: self.system,
  emit: () => {}, actionExecutor: () => {},
} as unknown as AnyActorScope;

/** A line as it arrives. Pure. */
export function startCustomerLine(qty: number, at: number): CustomerLineSnapshot {
  return customerLineMachine.getInitialSnapshot(scope, { qty, at });
}

/** The next snapshot; the same object when the event is not accepted in this state. Pure. */
export function stepCustomerLine(s: CustomerLineSnapshot, e: CustomerLineEvent): CustomerLineSnapshot {
  return customerLineMachine.transition(s, e, scope);
}

/** A line snapshot rebuilt from a stored state (after a restart). Pure. */
export function restoreCustomerLine(state: LineState, context: CustomerLineContext): CustomerLineSnapshot {
  return customerLineMachine.resolveState({ value: state, context });
}

/** Event types of the customer line. */
export const LINE_EVENTS: readonly CustomerLineEvent['type'][] = ['RESERVE', 'BACKORDER', 'RELEASE', 'REQUEUE', 'START', 'PICKED', 'SHORT', 'CANCEL'];

/**
 * The machine's transitions as a table, state -> event type -> next state (absent: refused), read off
 * the machine itself once, at load, by stepping each state with each event. The order layer steps lines
 * through this table in its hot path (placing thousands of orders a second): the same transitions, at
 * a lookup's cost instead of a snapshot's. A test checks the table against the machine.
 */
export const LINE_TRANSITIONS: Readonly<Record<LineState, Partial<Record<CustomerLineEvent['type'], LineState>>>> = (() => {
  const table = {} as Record<LineState, Partial<Record<CustomerLineEvent['type'], LineState>>>;
  for (const state of LINE_STATES) {
    table[state] = {};
    const from = state === 'received' ? startCustomerLine(1, 0) : restoreCustomerLine(state, { qty: 1, picked: 0, at: 0 });
    for (const type of LINE_EVENTS) {
      const e = (type === 'PICKED' || type === 'SHORT' ? { type, at: 0, picked: 0 } : { type, at: 0 }) as CustomerLineEvent;
      const to = stepCustomerLine(from, e);
      if (to !== from) table[state][type] = to.value as LineState;
    }
  }
  return table;
})();
