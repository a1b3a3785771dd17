import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Repository root, so defaults do not depend on the current directory. */
export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEMO_LDIF_FILE = path.join(ROOT_DIR, 'directory-sync/demo/demo-directory.ldif');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const isLoopbackHost = (host: string): boolean => LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();
const optionalUrl = (protocols: string[]) =>
  optionalString.refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), `must start with ${protocols.join(' or ')}`);
/** A blank value (`PORT=` in a .env file) is unset, so the default applies: coerced, it would be 0. */
const blankIsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);
/** The longest delay a Node.js timer takes (2^31−1 ms); a longer one fires after 1 ms instead. */
const MAX_TIMER_SECONDS = 2_147_483;
/** Seconds; `max` for those that become a timer's delay (MAX_TIMER_SECONDS). */
const seconds = (def: number, max = Number.MAX_SAFE_INTEGER) =>
  blankIsUnset(
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .int()
      .min(0)
      .max(max, `must be at most ${max} (about ${Math.floor(max / 86400)} days)`)
      .default(def),
  );
const timerSeconds = (def: number) => seconds(def, MAX_TIMER_SECONDS);
/** Asymmetric JWS algorithms jose verifies; HS* and none are never accepted for OIDC. */
const OIDC_ALGORITHM_NAMES = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every environment variable the product reads. This is the only place that reads process.env;
 * everything else gets the frozen Config.
 */
const envSchema = z.object({
  PORT: blankIsUnset(z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000)),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: optionalUrl(['http://', 'https://']),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^(postgres(ql)?:\/\/|sqlite:|file:|\.|\/)/.test(v),
    'must be postgres://… or a SQLite path (sqlite:path, file:path, ./path or /path)',
  ),
  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  REDIS_KEY_PREFIX: z.string().default('op:'),
  AUTH_MODE: z.enum(['oidc', 'dev']).optional(),
  OIDC_ISSUER: optionalUrl(['https://', 'http://']),
  OIDC_AUDIENCE: optionalString,
  OIDC_JWKS_URL: optionalUrl(['https://', 'http://']),
  OIDC_ALGORITHMS: z.string().default('RS256,ES256,PS256'),
  // Panes in Office with AUTH_MODE=oidc sign in by nested app authentication: the add-in's app id and the API scope.
  ADDIN_CLIENT_ID: optionalString,
  ADDIN_API_SCOPE: optionalString,
  DEV_AUTH_SECRET: optionalString,
  ADMIN_GROUP: optionalString,
  CORS_ORIGINS: z.string().default(''),
  /** Bearer token a Prometheus scraper sends for /metrics; without it /metrics answers this machine only. */
  METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  LDAP_URL: optionalUrl(['ldap://', 'ldaps://']),
  LDAP_KIND: z.enum(['ad', 'ldap']).default('ldap'),
  LDAP_BIND_DN: optionalString,
  LDAP_BIND_PASSWORD: optionalString,
  LDAP_BASE_DN: optionalString,
  LDAP_FILTER: optionalString,
  LDAP_CA_FILE: optionalString,
  /** Host name expected on the LDAP server's certificate when LDAP_URL names it by IP address or an alias. */
  LDAP_TLS_SERVER_NAME: optionalString,
  LDAP_STARTTLS: flag,
  LDAP_TIMEOUT_SECONDS: timerSeconds(30),
  LDAP_ATTRIBUTE_MAP: optionalString,
  LDIF_FILE: optionalString,
  GRAPH_TENANT_ID: optionalString,
  GRAPH_CLIENT_ID: optionalString,
  GRAPH_CLIENT_SECRET: optionalString,
  GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com/v1.0'),
  GRAPH_AUTHORITY: z.string().url().default('https://login.microsoftonline.com'),
  GRAPH_CA_FILE: optionalString,
  GRAPH_CONTACTS: flag,
  GRAPH_TEAMS_PRESENCE: flag,
  GRAPH_MISSED_MESSAGE_MAIL: flag,
  GRAPH_CONVERSATION_HISTORY: flag,
  GRAPH_OOF_REFRESH_SECONDS: timerSeconds(300),
  GRAPH_CALENDAR_REFRESH_SECONDS: timerSeconds(300),
  GRAPH_TEAMS_REFRESH_SECONDS: timerSeconds(60),
  GRAPH_PHOTO_REFRESH_SECONDS: timerSeconds(3600),
  GRAPH_MAIL_SENDER: optionalString,
  SYNC_INTERVAL: timerSeconds(0),
  SYNC_FULL_INTERVAL: seconds(86400),
  SYNC_DELETE_CAP: blankIsUnset(z.coerce.number().int().min(0).default(500)),
  SYNC_DELETE_CAP_PERCENT: blankIsUnset(z.coerce.number().min(0).max(100).default(10)),
  SYNC_DELETE_GRACE_SECONDS: seconds(0),
  DOC_SESSION_TTL_SECONDS: seconds(30),
  /** Where the realtime WebSockets live: the API process (default) or a socket process beside it. */
  REALTIME_SOCKETS: z.enum(['inline', 'process']).default('inline'),
  CHAT_MISSED_AFTER_SECONDS: seconds(600),
  DEMO_SIMULATOR: flag,
  /** How long a silent API process keeps its endpoints' presence alive in Redis (scale-out). */
  // A dead process's people go Offline within 4/3 of this (expiry, then the next reap): at most 60 s.
  PRESENCE_NODE_TTL_SECONDS: blankIsUnset(z.coerce.number().int().min(1).max(45).default(30)),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicBaseUrl: string | undefined;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly database: { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly redis: { readonly url: string; readonly keyPrefix: string } | undefined;
  readonly auth:
    | { readonly mode: 'dev'; readonly secret: string | undefined }
    | {
        readonly mode: 'oidc';
        readonly issuer: string;
        readonly audience: string;
        readonly jwksUrl: string | undefined;
        readonly algorithms: readonly string[];
      };
  readonly adminGroup: string | undefined;
  readonly corsOrigins: readonly string[];
  /** True when nothing was configured and the product runs on the demo directory. */
  readonly demo: boolean;
  readonly env: Readonly<Env>;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses KEY=VALUE lines; values already in the environment win, as with dotenv. */
export function readDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) continue;
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[line.slice(0, eq).trim()] = value;
  }
  return out;
}

/**
 * Parses configuration once, at start. Throws ConfigError naming every bad variable.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(source: Record<string, string | undefined> = process.env, options: { dotEnvFile?: string | false } = {}): Config {
  const dotEnv = options.dotEnvFile === false ? {} : readDotEnv(options.dotEnvFile ?? path.join(process.cwd(), '.env'));
  const merged = { ...dotEnv, ...source };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}=${JSON.stringify(merged[String(i.path[0])] ?? '')}: ${i.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];

  const noDirectorySource = !env.LDAP_URL && !env.LDIF_FILE && !env.GRAPH_TENANT_ID;
  const demo = noDirectorySource && !env.AUTH_MODE && !env.OIDC_ISSUER;
  const authMode = env.AUTH_MODE ?? (env.OIDC_ISSUER ? 'oidc' : 'dev');
  let auth: Config['auth'];
  if (authMode === 'oidc') {
    if (!env.OIDC_ISSUER) problems.push('OIDC_ISSUER: required when AUTH_MODE=oidc');
    if (!env.OIDC_AUDIENCE) problems.push('OIDC_AUDIENCE: required when AUTH_MODE=oidc');
    auth = {
      mode: 'oidc',
      issuer: env.OIDC_ISSUER ?? '',
      audience: env.OIDC_AUDIENCE ?? '',
      jwksUrl: env.OIDC_JWKS_URL,
      algorithms: Object.freeze(
        env.OIDC_ALGORITHMS.split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      ),
    };
    if (auth.algorithms.some((a) => a === 'none' || a.startsWith('HS')))
      problems.push('OIDC_ALGORITHMS: only asymmetric algorithms (RS*, PS*, ES*) are allowed');
    else if (auth.algorithms.length === 0 || auth.algorithms.some((a) => !OIDC_ALGORITHM_NAMES.has(a)))
      problems.push(`OIDC_ALGORITHMS: a comma-separated list of ${[...OIDC_ALGORITHM_NAMES].join(', ')}; got ${JSON.stringify(env.OIDC_ALGORITHMS)}`);
  } else {
    if (!isLoopbackHost(env.HOST)) problems.push(`AUTH_MODE: dev auth is refused on a non-loopback HOST (${env.HOST}); set AUTH_MODE=oidc`);
    auth = { mode: 'dev', secret: env.DEV_AUTH_SECRET };
  }
  if (env.LDAP_URL && !env.LDAP_BASE_DN) problems.push('LDAP_BASE_DN: required when LDAP_URL is set');
  if (env.GRAPH_TENANT_ID && (!env.GRAPH_CLIENT_ID || !env.GRAPH_CLIENT_SECRET))
    problems.push('GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET: required when GRAPH_TENANT_ID is set');
  const corsOrigins = env.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  // Matched exactly against the Origin header: anything but a bare origin could never match.
  for (const o of corsOrigins) {
    let origin: string | undefined;
    try {
      const u = new URL(o);
      origin = u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
    } catch {
      origin = undefined;
    }
    if (origin !== o)
      problems.push(
        `CORS_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path, no wildcard)${origin ? `; did you mean ${origin}?` : ''}`,
      );
  }
  if (problems.length) throw new ConfigError(problems);

  const dbUrl = env.DATABASE_URL;
  const database: Config['database'] =
    dbUrl && /^postgres(ql)?:\/\//.test(dbUrl)
      ? { kind: 'postgres', url: dbUrl }
      : { kind: 'sqlite', file: path.resolve(dbUrl ? dbUrl.replace(/^(sqlite|file):/, '') : path.join(ROOT_DIR, 'data/office-presence.sqlite')) };

  return deepFreeze({
    port: env.PORT,
    host: env.HOST,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    logLevel: env.LOG_LEVEL,
    database,
    redis: env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX } : undefined,
    auth,
    // The demo directory has a "Presence Admins" group so an admin can be tried out of the box.
    adminGroup: env.ADMIN_GROUP ?? (demo ? 'Presence Admins' : undefined),
    corsOrigins,
    demo,
    env: { ...env, LDIF_FILE: env.LDIF_FILE ?? (demo ? DEMO_LDIF_FILE : undefined) },
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
