/**
 * Vite build of the browser viewer: `vite build --config viewer/vite.config.ts` writes a static site to
 * dist/viewer, which the live server (wcs/server) serves. Relative base so it works under any path.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const viewerDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: viewerDir,
  base: './',
  // The viewer imports the wire protocol from ../wcs/protocol.ts; let the dev server read it.
  server: { fs: { allow: [repoDir] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/viewer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // PixiJS alone is ~500 kB minified; one chunk is fine for a local tool.
    chunkSizeWarningLimit: 2000,
  },
});
