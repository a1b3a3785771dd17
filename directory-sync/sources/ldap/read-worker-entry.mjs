// Entry of the worker thread that runs a full LDAP pass. The worker is started without the parent's
// options (threaded-read.ts), so without its TypeScript loader: tsx's CommonJS hook (require, in
// this thread) starts much faster than its ESM loader, which runs module resolution through a
// hooks thread of its own.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
require('./read-worker.ts');
