import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Middleware } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.xml': 'application/xml',
  '.map': 'application/json',
};

/**
 * Serves a built folder under a URL prefix. Paths are resolved inside the folder only;
 * hashed assets are cached long, HTML never (so a deploy reaches panes at once).
 */
export function staticFiles(prefix: string, dir: string): Middleware {
  const root = path.resolve(dir);
  return async function serveStatic(ctx, next) {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.path.startsWith(prefix)) return next();
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path.slice(prefix.length));
    } catch {
      return next();
    }
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
    if (!file.startsWith(root + path.sep) || rel.includes('\0')) return next();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return next();
    const ext = path.extname(file);
    ctx.type = TYPES[ext] ?? 'application/octet-stream';
    ctx.length = info.size;
    ctx.set(
      'Cache-Control',
      ext === '.html' ? 'no-cache' : /[-.][A-Za-z0-9_-]{8,}\.\w+$/.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    );
    // HEAD: headers only. A null body would make it 204 without type or length; an unread stream would hold a file open.
    if (ctx.method === 'HEAD') ctx.status = 200;
    else ctx.body = createReadStream(file);
  };
}
