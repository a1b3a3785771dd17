#!/usr/bin/env node
// `npm test`: make sure the real servers and browser the suites need are here (installing them
// with apt-get when we are root on Debian/Ubuntu), build the panes if stale, then run jest.
// Never skips a suite: a missing prerequisite stops the run with the exact command to fix it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NEEDS = [
  { what: 'OpenLDAP slapd', file: '/usr/sbin/slapd', pkg: 'slapd' },
  { what: 'ldap-utils', file: '/usr/bin/ldapsearch', pkg: 'ldap-utils' },
  // The slapd harness makes a CA and a server certificate for LDAPS/StartTLS with it.
  { what: 'openssl', file: '/usr/bin/openssl', pkg: 'openssl' },
  { what: 'Samba AD DC', file: '/usr/bin/samba-tool', pkg: 'samba' },
  { what: 'Samba AD DC daemon', file: '/usr/sbin/samba', pkg: 'samba-ad-dc' },
  // Only a Recommends of samba-ad-dc: without it `samba-tool domain provision` has no setup data.
  { what: 'Samba AD provisioning data', file: '/usr/share/samba/setup', pkg: 'samba-ad-provision' },
  { what: 'Chromium', file: '/usr/bin/chromium', pkg: 'chromium' },
];

function installCommand(pkgs) {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkgs.join(' ')}`;
}

const missing = NEEDS.filter((n) => !existsSync(n.file));
if (missing.length) {
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log(`npm test: installing ${pkgs.join(', ')} (missing: ${missing.map((m) => m.what).join(', ')})`);
    const r = spawnSync('bash', ['-c', installCommand(pkgs)], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  } else {
    console.error(`npm test: missing ${missing.map((m) => m.what).join(', ')}. Install with:\n  sudo ${installCommand(pkgs)}`);
    process.exit(1);
  }
}

function reachable(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}
const services = [
  { what: 'PostgreSQL', port: 5432, start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' },
  { what: 'Redis', port: 6379, start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no' },
];
for (const s of services) {
  if (await reachable(s.port)) continue;
  console.log(`npm test: ${s.what} is not answering on 127.0.0.1:${s.port}; starting it`);
  spawnSync('bash', ['-c', s.start], { stdio: 'inherit' });
  if (!(await reachable(s.port))) {
    console.error(`npm test: ${s.what} is needed on 127.0.0.1:${s.port}. Start it with:\n  ${s.start}`);
    process.exit(1);
  }
}

const build = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-addin-build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

mkdirSync(path.join(root, 'test/.tmp'), { recursive: true });
const resultsFile = path.join(root, 'test/.tmp/jest-results.json');
const jest = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/jest/bin/jest.js'), '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim() },
  },
);
process.exit(jest.status ?? 1);
