/**
 * A port's queue of robots: admitted robots (at most queueLimit, one per port and buffer cell) and robots
 * waiting in line to be admitted. Part of step(): the only writer of World state.
 */
import { Phase } from './robots.ts';
import type { World } from './world.ts';

/** Queue robot r for port p: admitted if the queue has room, else waiting in line. */
export function admit(w: World, r: number, p: number): void {
  const port = w.ports[p]!;
  if (port.queue.length < port.queueLimit && port.waiting.length === 0) {
    port.queue.push(r);
    w.robots.progressAt[r] = w.tick;
  } else port.waiting.push(r);
}

/** Robot r left port p's queue: everyone moves up and the first in line is admitted. */
export function leaveQueue(w: World, r: number, p: number): void {
  const port = w.ports[p]!;
  const i = port.queue.indexOf(r);
  if (i < 0) return;
  port.queue.splice(i, 1);
  while (port.queue.length < port.queueLimit && port.waiting.length > 0) {
    // First come first served among robots already waiting near the port; else the first in line.
    let k = port.waiting.findIndex((q) => w.robots.phase[q] === Phase.Hold);
    if (k < 0) k = 0;
    port.queue.push(port.waiting.splice(k, 1)[0]!);
  }
  // Everyone moved up a slot (progress); those standing still re-plan to their new slot.
  for (const q of port.queue) {
    w.robots.progressAt[q] = w.tick;
    if (w.robots.phase[q] === Phase.Hold) { w.robots.phase[q] = Phase.Plan; w.robots.retryAt[q] = w.tick; }
  }
}
