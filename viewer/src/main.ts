/**
 * The viewer's entry point: builds the Pixi scene (grid, ports, path, robots in one camera-controlled
 * world), the DOM panels, the live connection or the replay, the frame loop and the test hooks, and wires
 * them together. Live by default; `?replay=URL` (or a file chosen in the replay panel) switches to
 * replaying a trace, and the live stream is then disconnected. `?token=` is the server's access token,
 * sent with the controls' requests.
 */
import { Application, Container } from 'pixi.js';
import { getPort, getRobot, setToken, tokenFromSearch } from './api.ts';
import { Camera } from './camera.ts';
import { LiveConnection, streamUrl, type ConnectionStatus } from './connection.ts';
import { Controls } from './controls.ts';
import { FrameLoop } from './frameLoop.ts';
import { GridLayer } from './gridLayer.ts';
import { installHooks } from './hooks.ts';
import { Inspector, type DetailSource } from './inspector.ts';
import { KpiPanel } from './kpiPanel.ts';
import { Legend } from './legend.ts';
import { OrdersPanel } from './ordersPanel.ts';
import { PathLayer } from './pathLayer.ts';
import { MarkLayer, type Mark } from './markLayer.ts';
import { PortLayer } from './portLayer.ts';
import type { ReplayPlayer } from './replayPlayer.ts';
import { ReplayPanel } from './replayPanel.ts';
import { RobotLayer } from './robotLayer.ts';
import { ViewStore } from './store.ts';
import { CELL_KINDS } from '../../wcs/protocol.ts';
import './styles.css';

const $ = (id: string) => document.getElementById(id)!;

/** Show a message over the grid for a few seconds. */
function banner(msg: string): void {
  const b = $('banner');
  b.textContent = msg;
  b.hidden = false;
  clearTimeout(Number(b.dataset.timer));
  b.dataset.timer = String(setTimeout(() => { b.hidden = true; }, 5000));
}

async function main(): Promise<void> {
  // A server that takes writes only with its token prints it in the URL it asks you to open.
  setToken(tokenFromSearch(location.search));
  const store = new ViewStore();
  const replayUrl = new URLSearchParams(location.search).get('replay');
  if (replayUrl) store.mode = 'replay';

  const gridEl = $('grid');
  const app = new Application();

  const world = new Container();
  app.stage.addChild(world);
  const grid = new GridLayer(store);
  const ports = new PortLayer(store);
  const path = new PathLayer();
  const marks = new MarkLayer();
  const robots = new RobotLayer(store.robots);
  world.addChild(grid.view, ports.view, marks.view, path.view, robots.view);

  const liveSource: DetailSource = {
    robot: (id, signal) => getRobot(id, signal),
    port: (id, signal) => getPort(id, signal),
  };
  const inspector = new Inspector(liveSource, path, (robot, port) => {
    robots.selectedId = robot;
    ports.selected = port;
  });

  const hover = $('hover-cell');
  const camera = new Camera(world, gridEl,
    (gx, gy) => {
      const slot = store.robots.nearest(gx, gy, 0.6, performance.now());
      if (slot >= 0) { inspector.inspectRobot(store.robots.ids[slot]!); return; }
      const p = ports.hit(gx, gy);
      if (p) inspector.inspectPort(p.id);
      else inspector.close();
    },
    (gx, gy) => {
      const x = Math.round(gx), y = Math.round(gy);
      if (x < 0 || y < 0 || x >= store.width || y >= store.depth) { hover.textContent = ''; return; }
      const c = y * store.width + x;
      hover.textContent = `(${x}, ${y}) ${CELL_KINDS[store.kinds[c]!] ?? ''} · ${store.heights[c]} bins`;
    });

  const loop = new FrameLoop(
    (now, dt) => update(now, dt),
    () => app.render(),
    () => { if (store.generation > 0) ready = true; },
  );

  let userMoved = false;
  let fitted = '';
  const fit = () => { camera.fit(store.width, store.depth); userMoved = false; loop.force = true; };
  gridEl.addEventListener('wheel', () => { userMoved = true; }, { passive: true });
  gridEl.addEventListener('pointermove', (e) => { if (e.buttons) userMoved = true; });
  $('fit').addEventListener('click', fit);
  window.addEventListener('keydown', (e) => {
    if ((e.key === 'f' || e.key === 'F') && !(e.target instanceof HTMLInputElement)) fit();
  });
  let rendererReady = false;
  const resize = () => {
    const w = Math.max(1, gridEl.clientWidth), h = Math.max(1, gridEl.clientHeight);
    if (rendererReady) app.renderer.resize(w, h);
    camera.resize(w, h);
    if (!userMoved && store.width > 0) camera.fit(store.width, store.depth);
    loop.force = true;
  };
  new ResizeObserver(resize).observe(gridEl);

  const controls = new Controls(store, banner);
  const kpis = new KpiPanel(store);
  const legend = new Legend();

  const conn = $('conn');
  const setStatus = (s: ConnectionStatus, detail?: string) => {
    conn.textContent = s === 'open' ? 'connected' : s === 'stopped' ? 'offline' : detail ?? s;
    conn.className = `pill ${s === 'open' ? 'ok' : s === 'stopped' ? '' : 'warn'}`;
    if (detail && s === 'stopped') banner(detail);
  };
  // The orders panel subscribes to the stream's order events once it knows the server has an order layer.
  const orders = new OrdersPanel(() => live.subscribeOrders(), (w) => {
    // The selected order's bins (where they are now) and the ports they are bound for.
    const m: Mark[] = [];
    for (const l of w?.lines ?? []) {
      for (const p of l.picks) {
        const b = p.bin;
        if (!b || b.x === null || b.y === null) continue;
        m.push({ x: b.x, y: b.y, kind: b.at === 'port' ? 'port' : b.at === 'robot' ? 'robot' : 'bin' });
        const to = b.task?.port ? store.ports.find((q) => q.id === b.task!.port) : undefined;
        if (to && b.at !== 'port') m.push({ x: to.x, y: to.y, kind: 'target' });
      }
    }
    marks.set(m);
  });
  const live = new LiveConnection(store, streamUrl(location), setStatus, {
    onOpen: () => orders.onOpen(),
    onOrders: (m) => orders.onOrders(m),
  });
  const modePill = $('mode');

  const replay = new ReplayPanel(store, (player: ReplayPlayer) => {
    live.stop();
    orders.hide();
    inspector.setSource(player);
    modePill.textContent = 'replay';
    modePill.className = 'pill warn';
    fitted = '';
  });

  let ready = false;
  let cameraVersion = -1;
  let scenarioShown = '';

  function update(now: number, dt: number): boolean {
    let dirty = replay.update(dt);
    const dims = `${store.generation > 0 ? store.width : 0}x${store.depth}`;
    if (store.generation > 0 && dims !== fitted) {
      // Fit on the first load and whenever the grid's size changes; a snapshot of the same grid keeps the view.
      fitted = dims;
      fit();
    }
    if (grid.update(camera.scale)) dirty = true;
    if (ports.update(camera.scale)) dirty = true;
    if (robots.update(now)) dirty = true;
    if (path.takeDirty()) dirty = true;
    if (marks.takeDirty()) dirty = true;
    if (camera.version !== cameraVersion) { cameraVersion = camera.version; dirty = true; }
    controls.update();
    kpis.update(now, replay.player && store.mode === 'replay' ? replay.player.t : Infinity);
    legend.update(store.maxHeight);
    if (store.scenarioName !== scenarioShown) {
      // Another scenario (or a replay) was loaded: what was inspected belongs to the old one.
      if (scenarioShown !== '') inspector.close();
      scenarioShown = store.scenarioName;
      $('scenario-name').textContent = store.mode === 'replay' && store.scenarioName === 'replay' ? 'replaying a trace' :
        `${store.scenarioName} · ${store.width}×${store.depth} cells · ${store.robots.count} robots`;
    }
    return dirty;
  }

  installHooks({
    get mode() { return store.mode; },
    get tick() { return store.tick; },
    get robotsDrawn() { return robots.drawn; },
    get framesReceived() { return store.framesReceived; },
    get fps() { return loop.fps; },
    get renderedFrames() { return loop.renderedFrames; },
    get kpiPoints() { return kpis.points; },
    get inspectedRobot() { return inspector.robotId; },
    get inspectedPort() { return inspector.portId; },
    get replayTime() { return replay.player?.t ?? 0; },
    get replayDuration() { return replay.player?.trace.duration ?? 0; },
    get ready() { return ready; },
    get ordersEnabled() { return orders.enabled; },
    get orders() { return orders.list; },
    get orderCounts() { return orders.counts; },
    get orderEventsReceived() { return orders.eventsReceived; },
    get skuLookup() { return orders.sku; },
    get selectedOrder() { return orders.selected; },
    get selectedOrderLines() { return orders.selectedLines; },
    get selectedOrderWhere() { return orders.selectedWhere; },
    get orderMarks() { return marks.marks; },
    robotScreen(id: number) {
      const s = store.robots.slot(id);
      if (s < 0) return null;
      const now = performance.now();
      return { x: camera.screenX(store.robots.x(s, now)), y: camera.screenY(store.robots.y(s, now)) };
    },
  });

  // The hooks above exist before anything async happens, so a test can poll them from page load on.
  // Now the renderer (async); the frame loop starts once it is ready.
  await app.init({
    preference: 'webgl',
    preserveDrawingBuffer: true,
    background: 0x0d1117,
    antialias: false,
    // The frame loop renders only when something changed, so Pixi's own ticker stays off.
    autoStart: false,
    sharedTicker: false,
    resolution: window.devicePixelRatio || 1,
    autoDensity: true,
    width: Math.max(1, gridEl.clientWidth),
    height: Math.max(1, gridEl.clientHeight),
  });
  app.ticker?.stop();
  // Pixi's batch shader picks a sampler with an if-chain over maxBatchableTextures (16 here). Software
  // WebGL (SwiftShader) runs every branch for every fragment, so the full-screen grid sprite paid for 16
  // texture reads per pixel: 27 fps with Thalia headless. We use three textures plus text, so 4 is plenty
  // and gives 60 fps. Set before anything is drawn, as batchers and shaders are built lazily from it.
  app.renderer.limits.maxBatchableTextures = Math.min(4, app.renderer.limits.maxBatchableTextures);
  gridEl.prepend(app.canvas);
  rendererReady = true;
  resize();

  loop.start();
  if (replayUrl) {
    modePill.textContent = 'replay';
    modePill.className = 'pill warn';
    setStatus('stopped');
    void replay.loadUrl(replayUrl);
  } else {
    live.start();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  banner(`viewer failed to start: ${e instanceof Error ? e.message : String(e)}`);
});
