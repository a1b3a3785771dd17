export { loadConfig, readDotEnv, isLoopbackHost, ConfigError, ROOT_DIR, DEMO_LDIF_FILE, type Config, type Env } from './config.js';
