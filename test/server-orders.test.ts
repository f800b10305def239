/**
 * The order layer in the live server: an order placed over HTTP is released to the WCS in the
 * simulation's thread, picked at a port, confirmed back and shipped; a restart over the same SQLite file
 * keeps every order and releases unfinished lines again; a server killed with kill -9 under load keeps
 * every order it acknowledged.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededSkuCode } from '../wcs/orders/catalogue.ts';
import { MemoryStore } from '../wcs/orders/memory-store.ts';
import { SqliteStore } from '../wcs/orders/sqlite-store.ts';
import { buildApp } from '../wcs/server/app.ts';
import type { OrdersMessage } from '../wcs/protocol.ts';
import WebSocket from 'ws';

const TIMEOUT = 120_000;

async function site(openStore: () => MemoryStore | SqliteStore) {
  const built = await buildApp({ scenario: 'smoke', speed: 100, paused: true, inline: true, orders: { openStore, demand: 'none' } });
  const { app, state } = built;
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
  /** Runs `seconds` of simulated time with a frame before (releases) and after (confirmations). */
  const run = async (seconds: number) => {
    await state.hub.tick();
    const r = await post('/api/control', { action: 'step', ticks: Math.round(seconds * 10) });
    expect(r.statusCode).toBe(200);
    await state.hub.tick();
  };
  return { app, state, post, run };
}

describe('orders through the live server', () => {
  it('an order placed over HTTP is picked in the simulation, confirmed back and shipped', async () => {
    const { app, post, run } = await site(() => new MemoryStore());
    try {
      const placed = await post('/api/orders', { id: 'web-1', channel: 'web', lines: [{ sku: seededSkuCode(0), qty: 1 }, { sku: seededSkuCode(7), qty: 2 }] });
      expect(placed.statusCode).toBe(201);
      const before = (await app.inject(`/api/inventory/${seededSkuCode(7)}`)).json();
      await run(600);
      const o = (await app.inject('/api/orders/web-1')).json();
      expect(o.status).toBe('complete');
      expect(o.lines.map((l: { state: string; picked: number }) => [l.state, l.picked])).toEqual([['picked', 1], ['picked', 2]]);
      const after = (await app.inject(`/api/inventory/${seededSkuCode(7)}`)).json();
      expect(after.onHand).toBe(before.onHand - 2);
      expect(after.reserved).toBe(before.reserved - 2);
      expect((await post('/api/orders/web-1/ship', {})).json().status).toBe('shipped');
      const events = (await app.inject('/api/orders/web-1/events')).json().events.map((e: { to: string }) => e.to);
      expect(events).toEqual(expect.arrayContaining(['released', 'picking', 'picked', 'complete', 'shipped']));
    } finally { await app.close(); }
  }, TIMEOUT);

  it('says where an order\'s lines are in the grid (bin, stack, robot, port), and which bins hold a SKU', async () => {
    const { app, post, run } = await site(() => new MemoryStore());
    try {
      const sku = seededSkuCode(3);
      const inv = (await app.inject(`/api/inventory/${sku}`)).json() as { onHand: number; reserved: number; bins: { bin: number; at: string; x: number; y: number; depth: number; onHand: number; reserved: number }[] };
      // The bins are the grid's: their units add up to the SKU's on hand, each in a stack with its depth.
      expect(inv.bins.length).toBeGreaterThan(0);
      expect(inv.bins.reduce((n, b) => n + b.onHand, 0)).toBe(inv.onHand);
      for (const b of inv.bins) {
        expect(b.at).toBe('stack');
        expect(b.depth).toBeGreaterThanOrEqual(0);
        expect(b.x).toBeGreaterThanOrEqual(0);
      }
      expect((await post('/api/orders', { id: 'where-1', channel: 'web', lines: [{ sku, qty: 1 }] })).statusCode).toBe(201);
      // Not released yet: the line is not in the grid.
      let w = (await app.inject('/api/orders/where-1/where')).json();
      expect(w.lines[0]).toMatchObject({ n: 1, sku, state: 'reserved', inWcs: false, picks: [] });
      // Released and taken by the WCS: its bin is one of the SKU's, where the inventory said.
      await run(0.1);
      w = (await app.inject('/api/orders/where-1/where')).json();
      expect(w.lines[0].inWcs).toBe(true);
      const pick = w.lines[0].picks[0];
      expect(pick.qty).toBe(1);
      const known = inv.bins.find((b) => b.bin === pick.bin.bin);
      expect(known).toBeDefined();
      expect(pick.bin).toMatchObject({ at: 'stack', x: known!.x, y: known!.y });
      // The reservation shows on that bin now.
      const held = (await app.inject(`/api/inventory/${sku}`)).json().bins.find((b: { bin: number }) => b.bin === pick.bin.bin);
      expect(held.reserved).toBe(1);
      // Some seconds on, the bin has left its stack for a robot or a port, and the task names the port.
      let moved;
      for (let i = 0; i < 60 && !moved; i++) {
        await run(2);
        const p = (await app.inject('/api/orders/where-1/where')).json().lines[0].picks[0];
        if (p && p.bin.at !== 'stack') moved = p;
      }
      expect(moved).toBeDefined();
      expect(['robot', 'port']).toContain(moved.bin.at);
      if (moved.bin.at === 'robot') expect(moved.bin.robot).toBeGreaterThanOrEqual(0);
      else expect(typeof moved.bin.port).toBe('string');
      await run(600);
      w = (await app.inject('/api/orders/where-1/where')).json();
      expect(w.lines[0]).toMatchObject({ state: 'picked', inWcs: false });
      expect((await app.inject('/api/orders/nobody/where')).statusCode).toBe(404);
    } finally { await app.close(); }
  }, TIMEOUT);

  it('stream clients that subscribe get every order event; others get none', async () => {
    const { app, post, run } = await site(() => new MemoryStore());
    try {
      const url = `${(await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws')}/ws`;
      const open = () => new Promise<WebSocket>((res, rej) => { const ws = new WebSocket(url); ws.once('open', () => res(ws)); ws.once('error', rej); });
      const sub = await open(), other = await open();
      const got: OrdersMessage[] = [], otherGot: string[] = [];
      sub.on('message', (d) => { const m = JSON.parse(String(d)) as { type: string }; if (m.type === 'orders') got.push(m as OrdersMessage); });
      other.on('message', (d) => { otherGot.push((JSON.parse(String(d)) as { type: string }).type); });
      sub.send('{"subscribe":"orders"}');
      await new Promise((r) => setTimeout(r, 50));
      await post('/api/orders', { id: 'ws-1', channel: 'marketplace', lines: [{ sku: seededSkuCode(4), qty: 1 }] });
      await run(600);
      await new Promise((r) => setTimeout(r, 100));
      const events = got.flatMap((m) => m.events).filter((e) => e.orderId === 'ws-1');
      expect(events.map((e) => `${e.type}:${e.to}`)).toEqual(['order.created:received', 'line.state:reserved', 'order.status:reserved',
        'line.state:released', 'order.status:released', 'line.state:picking', 'order.status:picking', 'line.state:picked', 'order.status:complete']);
      expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
      expect((await app.inject('/api/orders/ws-1/events')).json().events).toEqual(events);
      expect(otherGot).not.toContain('orders');
      sub.close(); other.close();
    } finally { await app.close(); }
  }, TIMEOUT);

  it('the WCS holds at most its release window of lines; the rest wait reserved and go as the grid picks', async () => {
    const { app, post, state, run } = await site(() => new MemoryStore());
    try {
      const window = state.orders!.releaseWindow;
      expect(window).toBe(2000); // smoke: 4 x its first look-ahead (228 tasks) is below the minimum
      // 2,500 one-unit orders over the SKUs, as far as each has stock.
      const orders: { id: string; channel: string; lines: { sku: string; qty: number }[] }[] = [];
      for (let sku = 0; sku < 60 && orders.length < 2500; sku++) {
        const available = (await app.inject(`/api/inventory/${seededSkuCode(sku)}`)).json().available as number;
        for (let k = 0; k < available && orders.length < 2500; k++) orders.push({ id: `w-${orders.length}`, channel: 'web', lines: [{ sku: seededSkuCode(sku), qty: 1 }] });
      }
      expect(orders.length).toBe(2500);
      const r = await post('/api/orders/batch', { orders });
      expect(r.json().created).toBe(2500);
      const count = async (status: string) => {
        let n = 0;
        for (let after: string | undefined; ;) {
          const page = (await app.inject(`/api/orders?status=${status}&limit=1000${after ? `&after=${after}` : ''}`)).json() as { orders: unknown[]; next?: string };
          n += page.orders.length;
          if (!page.next) return n;
          after = page.next;
        }
      };
      await state.hub.tick();
      // The release goes on in chunks, one per turn of the event loop, until the window is full.
      for (let i = 0; i < 100 && (await count('reserved')) > 500; i++) await new Promise((res) => setTimeout(res, 20));
      expect(await count('released')).toBe(window);
      expect(await count('reserved')).toBe(500);
      await run(600);
      await new Promise((res) => setTimeout(res, 100));
      expect(await count('complete')).toBeGreaterThan(0);
      // What the grid picked made room: waiting lines went to the WCS, which still holds no more than its window.
      expect(await count('reserved')).toBeLessThan(500);
      expect((await count('released')) + (await count('picking'))).toBeLessThanOrEqual(window);
    } finally { await app.close(); }
  }, TIMEOUT);

  it('reloading the scenario restarts the grid and keeps the orders; their lines are released again', async () => {
    const store = new MemoryStore();
    const { app, post, state, run } = await site(() => store);
    try {
      for (let i = 0; i < 6; i++) await post('/api/orders', { id: `r-${i}`, channel: 'app', lines: [{ sku: seededSkuCode(i), qty: 1 }] });
      await state.hub.tick(); // released to the WCS
      expect((await post('/api/scenario', { name: 'smoke' })).statusCode).toBe(200);
      await run(900);
      for (let i = 0; i < 6; i++) expect((await app.inject(`/api/orders/r-${i}`)).json().status).toBe('complete');
    } finally { await app.close(); }
  }, TIMEOUT);

  it('a restart over the same SQLite file has every order, with stock that agrees with the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnicube-site-'));
    const file = join(dir, 'smoke.sqlite');
    const a = await site(() => new SqliteStore(file));
    await a.post('/api/orders', { id: 'keep-1', channel: 'web', lines: [{ sku: seededSkuCode(2), qty: 3 }] });
    await a.post('/api/orders', { id: 'keep-2', channel: 'store', lines: [{ sku: seededSkuCode(3), qty: 1 }] });
    await a.run(600);
    expect((await a.app.inject('/api/orders/keep-1')).json().status).toBe('complete');
    await a.post('/api/orders', { id: 'keep-3', channel: 'web', lines: [{ sku: seededSkuCode(2), qty: 1 }] });
    const inv = (await a.app.inject(`/api/inventory/${seededSkuCode(2)}`)).json();
    await a.app.close();
    const b = await site(() => new SqliteStore(file));
    try {
      expect((await b.app.inject('/api/orders/keep-1')).json().status).toBe('complete');
      expect((await b.app.inject('/api/orders/keep-3')).json().status).toBe('reserved');
      const again = (await b.app.inject(`/api/inventory/${seededSkuCode(2)}`)).json();
      expect([again.onHand, again.reserved]).toEqual([inv.onHand, inv.reserved]);
      const journal = (await b.app.inject(`/api/inventory/${seededSkuCode(2)}/journal?limit=1000`)).json().movements as { onHand: number; reserved: number }[];
      expect(journal.reduce((s, m) => s + m.onHand, 0)).toBe(again.onHand);
      expect(journal.reduce((s, m) => s + m.reserved, 0)).toBe(again.reserved);
      await b.run(600);
      expect((await b.app.inject('/api/orders/keep-3')).json().status).toBe('complete');
    } finally { await b.app.close(); }
  }, TIMEOUT);
});

function freePort(): Promise<number> {
  return new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
}

async function startServer(port: number, data: string) {
  // Its own process group: tsx runs the server in a child process, and kill -9 must reach that one.
  const child = spawn('node_modules/.bin/tsx', ['wcs/server/main.ts', '--port', String(port), '--scenario', 'smoke', '--data', data, '--speed', '50', '--no-viewer'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  child.stderr!.on('data', (c) => { err += String(c); });
  for (let i = 0; i < 900; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child; } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`server exited: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not come up: ${err}`);
}

describe('kill -9 under load', () => {
  it('every order the server acknowledged is there after a restart', async () => {
    const data = mkdtempSync(join(tmpdir(), 'omnicube-kill-'));
    const port = await freePort();
    const child = await startServer(port, data);
    const acked: string[] = [];
    let stop = false;
    let n = 0;
    const buyer = async () => {
      while (!stop) {
        const id = `k-${n++}`;
        try {
          const r = await fetch(`http://127.0.0.1:${port}/api/orders`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id, channel: 'web', lines: [{ sku: seededSkuCode(n % 50), qty: 1 }, { sku: seededSkuCode(50 + (n % 10)), qty: 1 }] }),
          });
          if (r.status === 201) acked.push(id);
        } catch { return; } // the server is gone
      }
    };
    const buyers = Array.from({ length: 16 }, buyer);
    while (acked.length < 300) await new Promise((r) => setTimeout(r, 20));
    process.kill(-child.pid!, 'SIGKILL');
    stop = true;
    await Promise.all(buyers);
    const again = await startServer(port, data);
    try {
      const missing: string[] = [];
      for (const id of acked) if ((await fetch(`http://127.0.0.1:${port}/api/orders/${id}`)).status !== 200) missing.push(id);
      expect(missing).toEqual([]);
      for (const sku of [seededSkuCode(1), seededSkuCode(51)]) {
        const inv = await (await fetch(`http://127.0.0.1:${port}/api/inventory/${sku}`)).json() as { onHand: number; reserved: number };
        const j = await (await fetch(`http://127.0.0.1:${port}/api/inventory/${sku}/journal?limit=1000`)).json() as { movements: { onHand: number; reserved: number }[] };
        expect(j.movements.reduce((s, m) => s + m.onHand, 0)).toBe(inv.onHand);
        expect(j.movements.reduce((s, m) => s + m.reserved, 0)).toBe(inv.reserved);
        expect(inv.reserved).toBeLessThanOrEqual(inv.onHand);
      }
    } finally {
      process.kill(-again.pid!, 'SIGKILL');
    }
  }, TIMEOUT);
});
