import { loadConfig } from '../../core/config/index.js';
import { devSecret } from './dev-secret.js';
import { mintDevToken } from './dev-token.js';

// Prints the token alone so scripts can do TOKEN=$(npm run -s dev-token -- alice@example.com).
const email = process.argv[2];
if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
  process.stderr.write('usage: npm run dev-token -- <email>\n');
  process.exit(2);
}
try {
  const config = loadConfig();
  if (config.auth.mode !== 'dev') {
    process.stderr.write('dev-token: AUTH_MODE is not dev; dev tokens would be refused\n');
    process.exit(2);
  }
  process.stdout.write(`${await mintDevToken(email, devSecret(config.auth.secret))}\n`);
} catch (err) {
  process.stderr.write(`dev-token: ${(err as Error).message}\n`);
  process.exit(2);
}
