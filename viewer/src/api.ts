/**
 * The REST calls the viewer makes (types from the wire protocol). Errors come back as thrown Errors
 * carrying the server's ApiError message when there is one.
 */
import type { ApiError, ControlRequest, PortDetail, RobotDetail } from '../../wcs/protocol.ts';

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
  return send('/api/control', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
}

/** GET /api/robots/:id */
export function getRobot(id: number, signal?: AbortSignal): Promise<RobotDetail> {
  return send(`/api/robots/${id}`, signal ? { signal } : undefined);
}

/** GET /api/ports/:id (the port's string id). */
export function getPort(id: string, signal?: AbortSignal): Promise<PortDetail> {
  return send(`/api/ports/${encodeURIComponent(id)}`, signal ? { signal } : undefined);
}
