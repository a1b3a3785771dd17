#!/usr/bin/env node
// Builds the task panes with Vite when addin/dist is missing or older than any source file,
// so `npm start` and `npm test` always serve what the sources say.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const addin = path.join(root, 'addin');
const stamp = path.join(addin, 'dist/.build-stamp');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (!existsSync(path.join(addin, 'vite.config.ts'))) process.exit(0);
const sources = Math.max(newest(addin), statSync(path.join(root, 'api/contract')).mtimeMs, newest(path.join(root, 'api/contract')));
if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) process.exit(0);
console.log('building the task panes (addin/dist)…');
const r = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(addin, 'vite.config.ts'), '--logLevel', 'warn'],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
