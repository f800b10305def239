/**
 * The simulation's worker thread: a SimHost (./sim-host.ts) serving the main thread over `parentPort`,
 * paced as `workerData.host` says. Started by SimClient (./sim-client.ts) through
 * ../worker-boot.mjs, which lets Node load this TypeScript file.
 *
 * The thread lowers its own scheduling priority by `workerData.nice` (on Linux, where a priority can be
 * set per thread): it runs flat out whenever the simulation is behind, and the server's thread, which
 * only ever needs a moment for a request or a frame, should get the CPU the moment it wants it, even on
 * a machine with more busy threads than cores.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Channel } from './sim-channel.ts';
import { SimHost } from './sim-host.ts';
import type { HostOptions, HostSide, MainSide } from './sim-protocol.ts';

if (!parentPort) throw new Error('sim-worker.ts runs as a worker thread (see SimClient)');
const { host, nice } = workerData as { host: Partial<HostOptions>; nice: number };

/** Lower this thread's priority (not the process's): Linux only, best effort. */
function lowerPriority(by: number): void {
  if (process.platform !== 'linux' || by <= 0) return;
  try {
    // /proc/thread-self is "<pid>/task/<tid>"; setpriority(PRIO_PROCESS, tid) sets that thread only.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, by);
  } catch { /* not allowed or not supported: run at the normal priority */ }
}

lowerPriority(nice);
new SimHost(host).serve(new Channel<HostSide, MainSide>(parentPort));
