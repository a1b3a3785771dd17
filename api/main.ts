import { ConfigError, loadConfig } from '../core/config/index.js';
import { createLogger } from '../core/log/index.js';
import { startServer } from './server.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const log = createLogger(config.logLevel);
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));

const server = await startServer(config, { logger: log });
if (config.demo)
  log.info(
    { directory: config.env.LDIF_FILE },
    'demo mode: nothing configured, so the demo directory is loaded and dev auth is on (loopback only). Mint a token with: npm run dev-token -- <email>',
  );
log.info(
  { url: server.url, auth: config.auth.mode, store: config.database.kind, scaleOut: Boolean(config.redis) },
  `listening on ${server.url} (demo: ${server.url}/demo/)`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  });
}
