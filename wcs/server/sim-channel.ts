/**
 * A typed message channel between two threads (or two ends of one thread): requests with ids, answered
 * by the other side, and one-way events. The live server uses it between the main thread (HTTP, the
 * WebSocket stream) and the simulation's worker thread (./sim-host.ts); its messages are declared in
 * ./sim-protocol.ts. Nothing here knows about the simulation: adding a message means adding it to the
 * protocol's interfaces, a handler on the side that answers it (`handle`) and a call on the side that
 * asks (`request`) or listens (`on`).
 *
 * A side is described by what it answers and what it announces:
 * ```ts
 * interface HostSide {
 *   requests: { robot(p: { id: number }): RobotDetail };   // name(params): result
 *   events: { frame: FrameEvent };                         // name: payload
 * }
 * ```
 * `new Channel<Local, Remote>(endpoint)` answers Local's requests, emits Local's events, sends Remote's
 * requests and listens to Remote's events, all checked by the compiler.
 *
 * Wire format (each one structured-cloned by postMessage; see WireMessage):
 * - `{k: 'req', id, name, params}`: a request; `id` is unique among the sender's pending requests.
 * - `{k: 'res', id, ok: true, result}` / `{k: 'res', id, ok: false, error}`: its answer, exactly one per
 *   request. An error is a SerializedError (name, message, and the error's own data fields such as
 *   `code`, `statusCode`, `field`), thrown on the asking side as a RemoteError carrying them.
 * - `{k: 'evt', name, payload}`: an event; no answer.
 * Messages between two endpoints arrive in the order they were sent (MessagePort guarantees it), so an
 * answer sent after an event arrives after it.
 *
 * A request not answered within its timeout rejects with ChannelTimeout (a late answer is dropped); when
 * the channel closes (`close()`, or the other side's thread exits) every pending request rejects with
 * ChannelClosed.
 */

/** What the channel needs of a transport: a Worker, a MessagePort, `parentPort` all fit. */
export interface Endpoint {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** One side of a protocol: the requests it answers (name(params): result) and the events it sends. */
export interface Side {
  requests: Record<string, (params: never) => unknown>;
  events: Record<string, unknown>;
}

/** Params and result of request K of side S. */
export type ParamsOf<S extends Side, K extends keyof S['requests']> = Parameters<S['requests'][K]>[0];
export type ResultOf<S extends Side, K extends keyof S['requests']> = Awaited<ReturnType<S['requests'][K]>>;

/** An error as it crosses the channel: name, message and the error's own enumerable data fields. */
export interface SerializedError { name: string; message: string; stack?: string; data: Record<string, unknown> }

/** The messages on the wire. */
export type WireMessage =
  | { k: 'req'; id: number; name: string; params: unknown }
  | { k: 'res'; id: number; ok: true; result: unknown }
  | { k: 'res'; id: number; ok: false; error: SerializedError }
  | { k: 'evt'; name: string; payload: unknown };

/** A request's handler threw (or its promise rejected) on the other side: its name, message and data. */
export class RemoteError extends Error {
  constructor(readonly remoteName: string, message: string, readonly data: Record<string, unknown>, readonly remoteStack?: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** A request had no answer in time. */
export class ChannelTimeout extends Error {
  constructor(readonly request: string, readonly ms: number) {
    super(`no answer to ${request} within ${ms} ms`);
    this.name = 'ChannelTimeout';
  }
}

/** The channel closed (or the other side's thread ended) before a request was answered. */
export class ChannelClosed extends Error {
  constructor(readonly request: string, why: string) {
    super(`${request}: ${why}`);
    this.name = 'ChannelClosed';
  }
}

/** An error, as it crosses the channel. Data fields that cannot be cloned are left out. */
export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), data: {} };
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    try { structuredClone(v); data[k] = v; } catch { /* not cloneable: left out */ }
  }
  return { name: e.name, message: e.message, stack: e.stack, data };
}

/** Default timeout of a request, ms (override per request). */
export const DEFAULT_TIMEOUT_MS = 5000;

interface Pending { name: string; resolve(v: unknown): void; reject(e: Error): void; timer?: NodeJS.Timeout }

export class Channel<Local extends Side, Remote extends Side> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: unknown) => unknown>();
  private readonly listeners = new Map<string, ((payload: unknown) => void)[]>();
  private closedWhy: string | undefined;
  private readonly listener = (m: unknown) => this.receive(m as WireMessage);

  constructor(private readonly endpoint: Endpoint) {
    endpoint.on('message', this.listener);
  }

  /** Answer request `name` with `fn` (its result, or its promise's); a throw is answered as an error. */
  handle<K extends keyof Local['requests'] & string>(name: K, fn: (params: ParamsOf<Local, K>) => ResultOf<Local, K> | Promise<ResultOf<Local, K>>): this {
    this.handlers.set(name, fn as (params: unknown) => unknown);
    return this;
  }

  /** Send event `name`. */
  emit<K extends keyof Local['events'] & string>(name: K, payload: Local['events'][K]): void {
    if (this.closedWhy === undefined) this.endpoint.postMessage({ k: 'evt', name, payload } satisfies WireMessage);
  }

  /** Listen to the other side's event `name`. */
  on<K extends keyof Remote['events'] & string>(name: K, fn: (payload: Remote['events'][K]) => void): this {
    const list = this.listeners.get(name) ?? [];
    list.push(fn as (payload: unknown) => void);
    this.listeners.set(name, list);
    return this;
  }

  /**
   * Ask the other side: resolves with its answer, rejects with a RemoteError (its handler failed),
   * ChannelTimeout (no answer within `timeoutMs`; Infinity waits for ever) or ChannelClosed.
   */
  request<K extends keyof Remote['requests'] & string>(name: K, params: ParamsOf<Remote, K>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ResultOf<Remote, K>> {
    if (this.closedWhy !== undefined) return Promise.reject(new ChannelClosed(name, this.closedWhy));
    const id = this.nextId++;
    return new Promise<ResultOf<Remote, K>>((resolve, reject) => {
      const p: Pending = { name, resolve: resolve as (v: unknown) => void, reject };
      if (Number.isFinite(timeoutMs)) {
        p.timer = setTimeout(() => { this.pending.delete(id); reject(new ChannelTimeout(name, timeoutMs)); }, timeoutMs);
      }
      this.pending.set(id, p);
      this.endpoint.postMessage({ k: 'req', id, name, params } satisfies WireMessage);
    });
  }

  /** Requests sent and not answered yet. */
  get pendingCount(): number { return this.pending.size; }

  /** Stop listening; pending requests reject with ChannelClosed(`why`). Idempotent. */
  close(why = 'channel closed'): void {
    if (this.closedWhy !== undefined) return;
    this.closedWhy = why;
    this.endpoint.off('message', this.listener);
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(new ChannelClosed(p.name, why)); }
    this.pending.clear();
  }

  private receive(m: WireMessage): void {
    if (this.closedWhy !== undefined) return;
    switch (m.k) {
      case 'req': void this.answer(m.id, m.name, m.params); break;
      case 'res': {
        const p = this.pending.get(m.id);
        if (!p) return; // timed out already
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.result);
        else p.reject(new RemoteError(m.error.name, m.error.message, m.error.data, m.error.stack));
        break;
      }
      case 'evt':
        for (const fn of this.listeners.get(m.name) ?? []) fn(m.payload);
        break;
      default: break;
    }
  }

  private async answer(id: number, name: string, params: unknown): Promise<void> {
    let reply: WireMessage;
    try {
      const fn = this.handlers.get(name);
      if (!fn) throw new Error(`no handler for request ${JSON.stringify(name)}`);
      reply = { k: 'res', id, ok: true, result: await fn(params) };
    } catch (e) {
      reply = { k: 'res', id, ok: false, error: serializeError(e) };
    }
    if (this.closedWhy === undefined) this.endpoint.postMessage(reply);
  }
}
