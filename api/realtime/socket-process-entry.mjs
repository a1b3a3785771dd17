// Entry of the socket process (see socket-process.ts): a forked process does not inherit the
// parent's TypeScript loader. tsx's CommonJS hook starts much faster than its ESM loader.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
require('./socket-process.ts');
