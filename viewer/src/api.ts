/**
 * The REST calls the viewer makes (types from the wire protocol). Errors come back as thrown Errors
 * carrying the server's ApiError message when there is one. Writes carry the server's access token, when
 * the page was opened with one (`?token=`, as the server prints it), as `Authorization: Bearer`; reads
 * need none.
 */
import type { ApiError, ControlRequest, PortDetail, RobotDetail } from '../../wcs/protocol.ts';

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
