/**
 * Who may change the simulation. Reads (GET, the WebSocket stream) are open. Writes (every POST, PUT,
 * PATCH and DELETE) need `Authorization: Bearer <token>` when the server has a token: always when it
 * listens beyond the loopback interface (a random token made at start, printed in the URL as notebook
 * servers do, unless OMNICUBE_TOKEN gives one), and everywhere when OMNICUBE_TOKEN is set. On 127.0.0.1
 * without a token, writes are taken only with a loopback Host header, so a web page in the user's
 * browser cannot reach the server through a DNS-rebound name of its own.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiFault } from './errors.ts';

/** Methods that change something; they need the token. */
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Is this host name or address the loopback interface (127.0.0.0/8, ::1, localhost)? */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Where the token came from: the environment, made at start, or none (loopback only, no token set). */
export interface Access { token?: string; source: 'env' | 'generated' | 'none' }

/**
 * The token for a server listening on `host`: OMNICUBE_TOKEN when set (on any host); else a random one
 * when the host is not loopback; else none.
 */
export function decideAccess(host: string, env: NodeJS.ProcessEnv, random = () => randomBytes(24).toString('base64url')): Access {
  const fromEnv = env.OMNICUBE_TOKEN;
  if (fromEnv) return { token: fromEnv, source: 'env' };
  if (!isLoopback(host)) return { token: random(), source: 'generated' };
  return { source: 'none' };
}

/** The host name of a Host header, without the port. */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const m = /^\[([^\]]*)\]/.exec(header);
  return m ? m[1]! : header.split(':')[0]!;
}

/** Compare in constant time (over digests, so lengths may differ). */
function sameToken(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** An onRequest hook enforcing the rules above for `token` (undefined: loopback mode). */
export function writeGuard(token: string | undefined): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    if (!WRITES.has(req.method)) return;
    if (token === undefined) {
      if (!isLoopback(hostName(req.headers.host))) {
        throw new ApiFault(403, 'FORBIDDEN_HOST', `host: without a token, writes are taken only through localhost or 127.0.0.1, not ${JSON.stringify(req.headers.host ?? '')} (OMNICUBE_TOKEN sets a token)`, 'host');
      }
      return;
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new ApiFault(401, 'UNAUTHORIZED', 'authorization: this server needs its token for writes: open the URL it printed at start (…/?token=…) or send Authorization: Bearer <token>', 'authorization');
    if (!sameToken(m[1]!, token)) throw new ApiFault(401, 'UNAUTHORIZED', 'authorization: wrong token', 'authorization');
  };
}
