/**
 * The viewer end to end, in Debian's Chromium through playwright-core: the real server in-process on a
 * free port, the built viewer, real WebSocket frames. The server has an access token, as when exposed
 * with --host: the page is opened with it (`/?token=`) and its controls send it. Writes test-artifacts/
 * (a screenshot of the live Thalia grid, and the measured frame rates and stream bandwidth).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ServerState } from '../wcs/server/app.ts';
import { buildViewerIfNeeded } from '../wcs/server/build.ts';
import { runScenario } from '../wcs/run/runner.ts';
import { loadScenarioFile } from '../wcs/scenario/load.ts';

const ARTIFACTS = 'test-artifacts';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader'];

interface Hooks {
  mode: 'live' | 'replay'; tick: number; robotsDrawn: number; framesReceived: number; fps: number; renderedFrames: number;
  kpiPoints: number; inspectedRobot: number | null; inspectedPort: string | null; replayTime: number; replayDuration: number;
  ready: boolean;
}

let app: FastifyInstance;
let state: ServerState;
let browser: Browser;
let page: Page;
let url: string;
const TOKEN = 'browser-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const measured: Record<string, unknown> = {};

const hooks = () => page.evaluate(() => {
  const h = (globalThis as unknown as { __omnicube: Hooks }).__omnicube;
  return { mode: h.mode, tick: h.tick, robotsDrawn: h.robotsDrawn, framesReceived: h.framesReceived, fps: h.fps,
    renderedFrames: h.renderedFrames, kpiPoints: h.kpiPoints, inspectedRobot: h.inspectedRobot, inspectedPort: h.inspectedPort,
    replayTime: h.replayTime, replayDuration: h.replayDuration, ready: h.ready };
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting; last value ${JSON.stringify(v)}`);
    await sleep(100);
  }
}
const control = (body: object) => app.inject({ method: 'POST', url: '/api/control', payload: body, headers: auth });

beforeAll(async () => {
  buildViewerIfNeeded();
  mkdirSync(ARTIFACTS, { recursive: true });
  ({ app, state } = await buildApp({ scenario: 'polaris', speed: 10, token: TOKEN }));
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  state.hub.start();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => { throw e; });
  await page.goto(`${url}/?token=${TOKEN}`);
  await until(hooks, (h) => h.ready);
}, 120_000);

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'viewer-measurements.json'), `${JSON.stringify(measured, null, 2)}\n`);
  await browser?.close();
  await app?.close();
});

describe('live viewer', () => {
  it('draws as many robots as the server reports', async () => {
    const scenario = (await app.inject('/api/scenario')).json();
    const h = await until(hooks, (v) => v.robotsDrawn > 0);
    expect(h.mode).toBe('live');
    expect(h.robotsDrawn).toBe(scenario.robots);
    expect(h.robotsDrawn).toBe(74);
  });

  it('pause stops the tick counter and resume restarts it', async () => {
    await page.click('#pause');
    await until(async () => (await app.inject('/api/health')).json().tick, () => state.sim.control.paused);
    await sleep(400);
    const t1 = (await hooks()).tick;
    await sleep(1000);
    const t2 = (await hooks()).tick;
    expect(t2).toBe(t1);
    await page.click('#resume');
    await sleep(1200);
    expect((await hooks()).tick).toBeGreaterThan(t2);
    expect(await page.textContent('#tick')).toMatch(/\d/);
  });

  it('a speed change shows in the tick rate', async () => {
    const rate = async () => {
      const a = await hooks();
      await sleep(2000);
      const b = await hooks();
      return (b.tick - a.tick) / 2;
    };
    await page.fill('#speed', '2');
    if (await page.$('#speed-apply')) await page.click('#speed-apply'); else await page.press('#speed', 'Enter');
    await until(async () => state.sim.control.speed, (s) => s === 2);
    await sleep(300);
    const slow = await rate();
    await page.fill('#speed', '20');
    if (await page.$('#speed-apply')) await page.click('#speed-apply'); else await page.press('#speed', 'Enter');
    await until(async () => state.sim.control.speed, (s) => s === 20);
    await sleep(300);
    const fast = await rate();
    // 2x real time is about 20 ticks per second, 20x about 200.
    expect(slow).toBeGreaterThan(10);
    expect(slow).toBeLessThan(30);
    expect(fast / slow).toBeGreaterThan(5);
    await control({ action: 'speed', speed: 10 });
  }, 30_000);

  it('the KPI chart updates', async () => {
    const a = await hooks();
    await sleep(2500);
    const b = await hooks();
    expect(b.kpiPoints).toBeGreaterThan(a.kpiPoints);
  });

  it('clicking a robot opens its inspector with the right id', async () => {
    await control({ action: 'pause' });
    await sleep(500);
    for (const id of [7, 42]) {
      const pos = await page.evaluate((r) => (globalThis as unknown as { __omnicube: { robotScreen(id: number): { x: number; y: number } | null } }).__omnicube.robotScreen(r), id);
      expect(pos).not.toBeNull();
      const box = (await (await page.$('#grid canvas'))!.boundingBox())!;
      await page.mouse.click(box.x + pos!.x, box.y + pos!.y);
      await until(async () => page.getAttribute('#inspector', 'data-robot-id'), (v) => v === String(id));
      expect((await hooks()).inspectedRobot).toBe(id);
    }
    await control({ action: 'resume' });
  });

  it('a page opened without the token shows the stream, but its controls are refused (401) and say why', async () => {
    const other = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    try {
      await other.goto(url);
      await until(() => other.evaluate(() => (globalThis as unknown as { __omnicube: Hooks }).__omnicube.ready), (v) => v);
      expect(state.sim.control.paused).toBe(false);
      await other.click('#pause');
      await until(async () => other.textContent('#banner'), (t) => /UNAUTHORIZED/.test(t ?? ''));
      expect(await other.textContent('#banner')).toMatch(/token/);
      expect(state.sim.control.paused).toBe(false);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('measures frames per second and stream bytes per client (Polaris)', async () => {
    await control({ action: 'speed', speed: 10 });
    await sleep(3000);
    const h = await hooks();
    const stats = state.hub.stats();
    measured.polaris = { fps: h.fps, bytesPerSecondPerClient: Math.round(stats[0]!.bytes / stats[0]!.seconds), speed: 10 };
    expect(h.fps).toBeGreaterThan(5);
  });

  it('the live Thalia grid: all 530 robots drawn, a screenshot saved, fps measured', async () => {
    await app.inject({ method: 'POST', url: '/api/scenario', payload: { name: 'thalia' }, headers: auth });
    await until(hooks, (v) => v.robotsDrawn === 530, 30_000);
    await sleep(4000);
    const h = await hooks();
    const stats = state.hub.stats();
    measured.thalia = { fps: h.fps, bytesPerSecondPerClient: Math.round(stats[0]!.bytes / stats[0]!.seconds), speed: 10 };
    await page.screenshot({ path: join(ARTIFACTS, 'thalia-live.png') });
    expect(h.robotsDrawn).toBe(530);
    expect(h.fps).toBeGreaterThan(2);
  }, 60_000);
});

describe('replay', () => {
  it('a recorded trace opens and plays', async () => {
    const lines: string[] = [];
    runScenario(loadScenarioFile('scenarios/smoke.json'), { seconds: 120, trace: (l) => lines.push(l) });
    const file = join(ARTIFACTS, 'smoke-trace.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await page.setInputFiles('#replay-file', file);
    // The page draws the replay's first frame a moment after the file is read: wait for it.
    const h = await until(hooks, (v) => v.mode === 'replay' && v.replayDuration > 0 && v.robotsDrawn === 4);
    expect(h.replayDuration).toBeGreaterThanOrEqual(119);
    // The trace header names the scenario (and carries its cell kinds and port ids).
    await until(async () => page.textContent('#scenario-name'), (v) => (v ?? '').startsWith('smoke (replay)'));
    const t0 = h.replayTime;
    await page.click('#replay-play');
    await sleep(1500);
    expect((await hooks()).replayTime).toBeGreaterThan(t0);
    // Scrub with the slider.
    await page.$eval('#replay-slider', (el) => {
      const s = el as HTMLInputElement;
      s.value = String(Number(s.max) / 2);
      s.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await until(hooks, (v) => Math.abs(v.replayTime - v.replayDuration / 2) < v.replayDuration * 0.1 + 2);
  }, 60_000);
});
