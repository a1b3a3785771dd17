// A real API process for the chat loss test and the chat benchmark: configured by the usual
// environment variables, plus CHAT_TEST_TUNING and CHAT_TEST_GATEWAY_LIMITS (JSON). Prints one
// line `{"url": …}` on stdout once it listens; SIGTERM closes it cleanly, SIGKILL is a crash.
import { startServer } from '../../../api/server.js';
import { loadConfig } from '../../../core/config/index.js';
import { createLogger } from '../../../core/log/index.js';

const config = loadConfig(process.env, { dotEnvFile: false });
const tuning = JSON.parse(process.env.CHAT_TEST_TUNING ?? '{}') as Record<string, number>;
const gatewayLimits = JSON.parse(process.env.CHAT_TEST_GATEWAY_LIMITS ?? '{}') as Record<string, number>;
const server = await startServer(config, { tuning, gatewayLimits, logger: createLogger(config.logLevel, { pretty: false }) });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
