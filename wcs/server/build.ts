/** Builds the viewer (vite) when dist/viewer is missing or older than its sources. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Build dist/viewer when it is missing or older than viewer/ or the protocol. */
export function buildViewerIfNeeded(): void {
  const index = join(root, 'dist', 'viewer', 'index.html');
  const sources = Math.max(newest(join(root, 'viewer')), statSync(join(root, 'wcs', 'protocol.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  process.stderr.write('building the viewer...\n');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', join(root, 'viewer', 'vite.config.ts'), '--logLevel', 'warn'],
    { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error('viewer build failed');
}

