/**
 * The REST calls the viewer makes (types from the wire protocol). Errors come back as thrown Errors
 * carrying the server's ApiError message when there is one. Writes carry the server's access token, when
 * the page was opened with one (`?token=`, as the server prints it), as `Authorization: Bearer`; reads
 * need none.
 */
import type { ApiError, BinWhere, ControlRequest, PortDetail, RobotDetail } from '../../wcs/protocol.ts';

let token: string | null = null;

/** The `token` parameter of a page's query string (`location.search`), or null. Pure. */
export function tokenFromSearch(search: string): string | null {
  return new URLSearchParams(search).get('token') || null;
}

/** Send `t` with every write from now on (null: none). */
export function setToken(t: string | null): void {
  token = t;
}

/** Headers of a JSON write: the content type, and the token when there is one. */
export function writeHeaders(): Record<string, string> {
  return { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

async function send<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = undefined;
  try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = body as Partial<ApiError> | undefined;
    throw new Error(e?.message ? `${e.code ?? res.status}: ${e.message}` : `HTTP ${res.status}`);
  }
  return body as T;
}

/** POST /api/control with one action. */
export function postControl(req: ControlRequest): Promise<unknown> {
  return send('/api/control', { method: 'POST', headers: writeHeaders(), body: JSON.stringify(req) });
}

/** GET /api/robots/:id */
export function getRobot(id: number, signal?: AbortSignal): Promise<RobotDetail> {
  return send(`/api/robots/${id}`, signal ? { signal } : undefined);
}

/** GET /api/ports/:id (the port's string id). */
export function getPort(id: string, signal?: AbortSignal): Promise<PortDetail> {
  return send(`/api/ports/${encodeURIComponent(id)}`, signal ? { signal } : undefined);
}

// ---- The order layer (present only when the server runs one) ------------------------------------------

/** One order line as GET /api/orders/:id shows it. */
export interface OrderLineView { n: number; sku: string; qty: number; state: string; picked: number }
/** An order as the API shows it (the fields the viewer reads). */
export interface OrderView { id: string; channel: string; status: string; cursor: string; createdAt: number; updatedAt: number; lines: OrderLineView[] }
/** GET /api/orders/:id/where */
export interface OrderWhere {
  id: string;
  status: string;
  lines: { n: number; sku: string; qty: number; state: string; inWcs: boolean; picks: { qty: number; state: string; bin: BinWhere | null }[] }[];
}
/** GET /api/inventory/:sku (the fields the viewer reads). */
export interface InventoryView { sku: string; name: string; onHand: number; reserved: number; backordered: number; available: number }

/**
 * Whether the server has an order layer: GET /api/orders?limit=1 answers 200 (true) or 404 (false);
 * anything else (network error, 5xx) throws, so the caller can ask again later.
 */
export async function probeOrders(): Promise<boolean> {
  const res = await fetch('/api/orders?limit=1');
  await res.text();
  if (res.ok) return true;
  if (res.status === 404) return false;
  throw new Error(`HTTP ${res.status}`);
}

/** GET /api/orders?limit= (newest first). */
export function getOrders(limit: number): Promise<{ orders: OrderView[]; next?: string }> {
  return send(`/api/orders?limit=${limit}`);
}

/** GET /api/orders/:id */
export function getOrder(id: string, signal?: AbortSignal): Promise<OrderView> {
  return send(`/api/orders/${encodeURIComponent(id)}`, signal ? { signal } : undefined);
}

/** GET /api/orders/:id/where: each line with its WCS lines and where their bins are. */
export function getOrderWhere(id: string, signal?: AbortSignal): Promise<OrderWhere> {
  return send(`/api/orders/${encodeURIComponent(id)}/where`, signal ? { signal } : undefined);
}

/** GET /api/inventory/:sku */
export function getInventory(sku: string): Promise<InventoryView> {
  return send(`/api/inventory/${encodeURIComponent(sku)}`);
}
