/**
 * `npm start` (wcs/server/main.ts) as a process: it serves with the simulation in its worker thread
 * (started from TypeScript under tsx), and what it says, and its exit code, when it cannot listen.
 * Each test spawns tsx, so the timeouts are generous for loaded CI machines.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Run { code: number | null; stdout: string; stderr: string }

/** Run main.ts with `args` and extra environment; killed if still running after 50 s. */
function start(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    delete base.PORT;
    delete base.OMNICUBE_TOKEN;
    const child = spawn('node_modules/.bin/tsx', ['wcs/server/main.ts', ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += String(d); });
    child.stderr.on('data', (d: Buffer) => { stderr += String(d); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe('npm start', () => {
  it('serves: the simulation runs in its worker thread, health answers, SIGTERM stops it (exit 0)', async () => {
    const base = { ...process.env };
    delete base.PORT;
    delete base.OMNICUBE_TOKEN;
    const child = spawn('node_modules/.bin/tsx', ['wcs/server/main.ts', '--port', '0', '--speed', '100', '--scenario', 'smoke'],
      { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += String(d); });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += String(d);
          const m = /open (http:\/\/\S+\/)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const health = async () => (await (await fetch(`${url}api/health`)).json()) as { status: string; scenario: string; tick: number };
      const h1 = await health();
      expect(h1).toMatchObject({ status: 'ok', scenario: 'smoke' });
      await new Promise((r) => setTimeout(r, 1000));
      // 100x real time: about 1,000 ticks a second.
      expect((await health()).tick).toBeGreaterThan(h1.tick + 100);
      const robot = await fetch(`${url}api/robots/0`);
      expect(robot.status).toBe(200);
      expect(await robot.json()).toMatchObject({ id: 0 });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('npm start when it cannot listen', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => { blocker.close(); });

  it('a port in use (--port) is named, with how to choose another; exit 2, no stack trace', async () => {
    const r = await start(['--port', String(port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} is already in use`);
    expect(r.stderr).toContain('--port N or PORT=N');
    expect(r.stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
  }, 60_000);

  it('a port in use (PORT) is reported the same way', async () => {
    const r = await start([], { PORT: String(port) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} is already in use`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('a --host that is not an address of this machine is named; exit 2', async () => {
    // 203.0.113.0/24 is TEST-NET-3: never assigned to a machine.
    const r = await start(['--host', '203.0.113.7', '--port', String(port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--host: cannot listen on "203.0.113.7"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
