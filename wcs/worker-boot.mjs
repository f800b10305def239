/**
 * Entry of the project's worker threads (the simulation: wcs/server/sim-client.ts; the order store's
 * writer: wcs/orders/sqlite-store.ts): imports the worker module named by
 * `workerData.entry`. When that is TypeScript (the sources run under tsx: `npm start`, the tests, the
 * benchmarks), tsx's loader is registered in this thread first, through its documented API
 * (`register()` of `tsx/esm/api`). Starting the worker from the .ts file directly does not work on Node
 * 20: the worker does not get the loader of the thread that starts it, whether it inherits that thread's
 * execArgv or is given `--import tsx` in its own (both fail with ERR_UNKNOWN_FILE_EXTENSION; tried on
 * Node 20.20 with tsx 4.23, under tsx and under vitest). This file is plain JavaScript so that Node can
 * load it without help.
 */
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
