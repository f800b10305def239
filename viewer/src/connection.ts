/**
 * The live stream: a WebSocket to `/ws` on the page's host. Snapshots rebuild the store, frames apply
 * diffs; a message of another protocol version reloads the page (the server was upgraded); a closed
 * socket reconnects with exponential back-off. Reports its status to one callback for the header pill.
 * The stream only sends (controls go through REST), so it needs no access token, and none is put in its
 * URL where it could end up in logs.
 */
import { PROTOCOL_VERSION, type OrdersMessage, type ServerMessage } from '../../wcs/protocol.ts';
import type { ViewStore } from './store.ts';

export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'stopped';

/** Optional listeners: every (re)opened socket, and the order events of a subscribed stream. */
export interface ConnectionListeners {
  onOpen?: () => void;
  onOrders?: (m: OrdersMessage) => void;
}

/** Where the stream lives for this page: ws(s)://<host>/ws. Pure apart from reading `loc`. */
export function streamUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export class LiveConnection {
  private ws: WebSocket | null = null;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private ordersWanted = false;

  constructor(
    private readonly store: ViewStore,
    private readonly url: string,
    private readonly onStatus: (s: ConnectionStatus, detail?: string) => void,
    private readonly listeners: ConnectionListeners = {},
  ) {}

  /**
   * Ask for the order events (`{"subscribe":"orders"}`): now if the socket is open, and again on every
   * reconnect (a new socket starts unsubscribed).
   */
  subscribeOrders(): void {
    this.ordersWanted = true;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send('{"subscribe":"orders"}');
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Disconnect for good (replay mode). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) { ws.onclose = null; ws.close(); }
    this.onStatus('stopped');
  }

  private connect(): void {
    if (this.stopped) return;
    this.onStatus('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      if (this.ordersWanted) ws.send('{"subscribe":"orders"}');
      this.onStatus('open');
      this.listeners.onOpen?.();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let m: ServerMessage | OrdersMessage;
      try { m = JSON.parse(ev.data) as ServerMessage | OrdersMessage; } catch { return; }
      if (m.v !== PROTOCOL_VERSION) { this.versionMismatch(m.v); return; }
      if (m.type === 'orders') { this.listeners.onOrders?.(m); return; }
      const now = performance.now();
      if (m.type === 'snapshot') this.store.applySnapshot(m, now);
      else if (m.type === 'frame') this.store.applyFrame(m, now);
    };
    ws.onerror = () => { /* onclose follows and reconnects */ };
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(10_000, this.retryMs * 2);
    this.onStatus('closed', `reconnecting in ${(delay / 1000).toFixed(1)} s`);
    this.timer = setTimeout(() => { this.timer = null; this.connect(); }, delay);
  }

  /**
   * The server speaks another protocol version: this page is stale, reload it. At most once a minute
   * (remembered across the reload) so a server that never matches cannot make the page reload for ever.
   */
  private versionMismatch(v: unknown): void {
    const key = 'omnicube.reloadedAt';
    const last = Number(sessionStorage.getItem(key) ?? 0);
    if (Date.now() - last > 60_000) {
      sessionStorage.setItem(key, String(Date.now()));
      location.reload();
      return;
    }
    this.stop();
    this.onStatus('stopped', `server protocol ${String(v)}, viewer ${PROTOCOL_VERSION}: rebuild the viewer`);
  }
}
