import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout (what log shippers expect); pretty only when a person watches a terminal. */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY && !process.env.CI);
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
