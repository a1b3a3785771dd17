import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, 'dist');

/** Marks a finished build so scripts/ensure-addin-build.mjs can skip rebuilding unchanged sources. */
function buildStamp(): Plugin {
  return {
    name: 'build-stamp',
    apply: 'build',
    closeBundle() {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(path.join(outDir, '.build-stamp'), new Date().toISOString() + '\n');
    },
  };
}

/**
 * Multi-page build of the task panes (outlook.html, word.html) and the demo host (demo/index.html).
 * The server serves addin/dist at /addin/ and addin/dist/demo at /demo/, so every asset URL starts
 * with /addin/ and resolves from all pages.
 */
export default defineConfig({
  root: here,
  base: '/addin/',
  // public/office-loader.js is copied as is: a classic script that must run before the modules.
  publicDir: path.join(here, 'public'),
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      // Fluent's icon chunks carry "use client" (a React Server Components hint): meaningless in a pane.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
      input: {
        outlook: path.join(here, 'outlook.html'),
        word: path.join(here, 'word.html'),
        demo: path.join(here, 'demo/index.html'),
      },
    },
  },
  plugins: [buildStamp()],
});
