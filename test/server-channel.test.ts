/**
 * The typed channel between the server's thread and the simulation's (wcs/server/sim-channel.ts):
 * requests answered by id, errors carried with their data, timeouts, events in order, closing; over a
 * MessageChannel, as between threads (structured cloning included).
 */
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Channel, ChannelClosed, ChannelTimeout, RemoteError } from '../wcs/server/sim-channel.ts';

interface Far {
  requests: {
    add(p: { a: number; b: number }): number;
    slow(p: { ms: number }): string;
    fail(p: { code: string }): never;
  };
  events: { tick: { n: number } };
}
interface Near {
  requests: Record<never, never>;
  events: { hello: { who: string } };
}

class Refusal extends Error {
  constructor(readonly code: string, readonly statusCode: number, message: string) { super(message); this.name = 'Refusal'; }
}

const opened: (() => void)[] = [];
afterEach(() => { for (const close of opened.splice(0)) close(); });

function pair() {
  const { port1, port2 } = new MessageChannel();
  const near = new Channel<Near, Far>(port1);
  const far = new Channel<Far, Near>(port2);
  opened.push(() => { near.close(); far.close(); port1.close(); port2.close(); });
  return { near, far };
}

describe('sim-channel', () => {
  it('answers requests by id, several in flight, in any order', async () => {
    const { near, far } = pair();
    far.handle('add', ({ a, b }) => a + b)
      .handle('slow', async ({ ms }) => { await new Promise((r) => setTimeout(r, ms)); return `slept ${ms}`; });
    const slow = near.request('slow', { ms: 30 });
    const sums = await Promise.all([near.request('add', { a: 1, b: 2 }), near.request('add', { a: 40, b: 2 })]);
    expect(sums).toEqual([3, 42]);
    expect(near.pendingCount).toBe(1);
    expect(await slow).toBe('slept 30');
    expect(near.pendingCount).toBe(0);
  });

  it('a handler that throws is answered as a RemoteError with the error\'s name, message and data', async () => {
    const { near, far } = pair();
    far.handle('fail', ({ code }) => { throw new Refusal(code, 409, `refused: ${code}`); });
    const e = await near.request('fail', { code: 'STEP_RUNNING' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteError);
    expect(e).toMatchObject({ remoteName: 'Refusal', message: 'refused: STEP_RUNNING', data: { code: 'STEP_RUNNING', statusCode: 409 } });
    // No handler for a request is an error too, not a request left hanging.
    const none = await (near as unknown as Channel<Near, { requests: { nope(p: object): void }; events: Record<never, never> }>)
      .request('nope', {}).catch((x: unknown) => x);
    expect(none).toBeInstanceOf(RemoteError);
    expect((none as Error).message).toMatch(/no handler/);
  });

  it('a request without an answer in time rejects with ChannelTimeout; the late answer is dropped', async () => {
    const { near, far } = pair();
    far.handle('slow', async ({ ms }) => { await new Promise((r) => setTimeout(r, ms)); return 'late'; })
      .handle('add', ({ a, b }) => a + b);
    await expect(near.request('slow', { ms: 80 }, 20)).rejects.toBeInstanceOf(ChannelTimeout);
    expect(near.pendingCount).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(await near.request('add', { a: 2, b: 2 })).toBe(4);
  });

  it('events arrive in order, both ways, and before answers sent after them', async () => {
    const { near, far } = pair();
    const got: number[] = [];
    const hellos: string[] = [];
    near.on('tick', ({ n }) => got.push(n));
    far.on('hello', ({ who }) => hellos.push(who));
    far.handle('add', ({ a, b }) => {
      for (let n = 0; n < 5; n++) far.emit('tick', { n });
      return a + b;
    });
    near.emit('hello', { who: 'main' });
    expect(await near.request('add', { a: 0, b: 0 })).toBe(0);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(hellos).toEqual(['main']);
  });

  it('closing rejects what is pending with ChannelClosed, and later requests at once', async () => {
    const { near, far } = pair();
    far.handle('slow', async ({ ms }) => { await new Promise((r) => setTimeout(r, ms)); return 'done'; });
    const pending = near.request('slow', { ms: 50 }, Infinity);
    near.close('the other thread stopped');
    await expect(pending).rejects.toBeInstanceOf(ChannelClosed);
    await expect(pending).rejects.toThrow(/the other thread stopped/);
    await expect(near.request('add', { a: 1, b: 1 })).rejects.toBeInstanceOf(ChannelClosed);
  });
});
