// A real OpenLDAP slapd for tests and benchmarks: started as a user process on random loopback
// ports from a temporary slapd.conf (mdb backend, the project schema, LDAPS + StartTLS with a CA
// made for the run), seeded with slapadd (offline) or ldapadd/ldapmodify (online).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'ldapts';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PROJECT_SCHEMA = path.join(ROOT, 'directory-sync/test-schema/project.schema');
const SLAPD = '/usr/sbin/slapd';

export interface SlapdOptions {
  readonly baseDn?: string;
  /** LDIF text loaded with slapadd before the first start (fast, offline). Default: the base tree. */
  readonly ldif?: string;
  /** An LDIF file loaded with slapadd before the first start, after `ldif` (without `ldif`: it must hold the base entries). */
  readonly ldifFile?: string;
  /** Load the memberof overlay (memberOf on members of groupOfNames). Default false. */
  readonly memberOf?: boolean;
  /** Extra `index` lines, e.g. ['sn eq']. */
  readonly indexes?: readonly string[];
  /** slapd.conf lines after the main database (more databases, overlays); given this server's plain URL. */
  readonly extraConfig?: (url: string) => readonly string[];
}

export interface Slapd {
  /** ldap://127.0.0.1:PORT (StartTLS offered) */
  readonly url: string;
  /** ldaps://127.0.0.1:PORT */
  readonly ldapsUrl: string;
  readonly baseDn: string;
  readonly peopleDn: string;
  readonly groupsDn: string;
  readonly adminDn: string;
  readonly adminPassword: string;
  /** PEM of the CA that signed the server certificate (for LDAP_CA_FILE). */
  readonly caFile: string;
  readonly dir: string;
  readonly pid: number | undefined;
  /** The LDAP_* variables for a config that syncs this server as its admin. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** ldapadd / ldapmodify over the plain URL, bound as the admin. */
  ldapadd(ldif: string): Promise<void>;
  ldapmodify(ldif: string): Promise<void>;
  /** A fresh ldapts client bound as the admin (close it with unbind()). */
  admin(): Promise<Client>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: the server vanishes mid-conversation. */
  kill(): Promise<void>;
  /** Start again on the same ports with the same data. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and remove every file. Always call it (afterAll). */
  cleanup(): Promise<void>;
}

/** The suffix entry plus ou=people and ou=groups. */
export function baseLdif(baseDn = 'dc=example,dc=com'): string {
  const dc = /^dc=([^,]+)/i.exec(baseDn)?.[1] ?? 'example';
  return [
    `dn: ${baseDn}`,
    'objectClass: dcObject',
    'objectClass: organization',
    `dc: ${dc}`,
    `o: ${dc}`,
    '',
    `dn: ou=people,${baseDn}`,
    'objectClass: organizationalUnit',
    'ou: people',
    '',
    `dn: ou=groups,${baseDn}`,
    'objectClass: organizationalUnit',
    'ou: groups',
    '',
    '',
  ].join('\n');
}

/** The low end of the kernel's ephemeral range: ports below it are never taken by outgoing connections. */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/** Ports handed out by this process: two servers of one test never get the same one. */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 for slapd to bind a moment later. Chosen below the ephemeral
 * range: a port the kernel hands out (listen(0)) can be taken in between as the local port of an
 * outgoing connection by another test process, and slapd then exits at start.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  const low = Math.max(1024, high - 12_000);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

/** A CA and a server certificate for 127.0.0.1/localhost, made with openssl for one run. */
export async function makeTestCa(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const f = (n: string) => path.join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=office-presence test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
  ]);
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') };
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/**
 * Starts slapd. Always pair with `cleanup()`.
 * @example const ldap = await startSlapd({ ldif: baseLdif() + people }); … await ldap.cleanup();
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  if (!existsSync(SLAPD)) throw new Error('slapd is not installed: apt-get install -y slapd ldap-utils');
  const baseDn = options.baseDn ?? 'dc=example,dc=com';
  const adminDn = `cn=admin,${baseDn}`;
  const adminPassword = 'secret';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slapd-'));
  const dbDir = path.join(dir, 'db');
  mkdirSync(dbDir);
  const tls = await makeTestCa(dir);
  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  const url = `ldap://127.0.0.1:${ldapPort}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  const conf = path.join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      `include ${PROJECT_SCHEMA}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      ...(options.memberOf ? ['moduleload memberof'] : []),
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      `argsfile ${path.join(dir, 'slapd.args')}`,
      'sizelimit unlimited',
      `TLSCACertificateFile ${tls.caFile}`,
      `TLSCertificateFile ${tls.certFile}`,
      `TLSCertificateKeyFile ${tls.keyFile}`,
      'database mdb',
      `suffix "${baseDn}"`,
      `rootdn "${adminDn}"`,
      `rootpw ${adminPassword}`,
      `directory ${dbDir}`,
      'maxsize 4294967296',
      'index objectClass eq',
      'index entryUUID eq',
      'index mail,proxyAddresses eq',
      'index member eq',
      ...(options.indexes ?? []).map((i) => `index ${i}`),
      ...(options.memberOf ? ['overlay memberof'] : []),
      ...(options.extraConfig?.(url) ?? []),
      '',
    ].join('\n'),
  );

  // An LDIF file alone brings its own base entries.
  const seedText = options.ldif ?? (options.ldifFile ? undefined : baseLdif(baseDn));
  if (seedText !== undefined) {
    const seed = path.join(dir, 'seed.ldif');
    writeFileSync(seed, seedText);
    await run('slapadd', ['-q', '-f', conf, '-l', seed], { maxBuffer: 16 << 20 });
  }
  if (options.ldifFile) await run('slapadd', ['-q', '-f', conf, '-l', options.ldifFile], { maxBuffer: 16 << 20 });

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    if (child) return;
    // -d 0: stay in the foreground as our child, so kill() and the exit handler reach it.
    const c = spawn(SLAPD, ['-f', conf, '-h', `${url}/ ${ldapsUrl}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child = c;
    live.add(c);
    exited = new Promise((resolve) =>
      c.once('exit', () => {
        live.delete(c);
        if (child === c) child = undefined;
        resolve();
      }),
    );
    // Ready when it answers a rootDSE read (bounded: 15 s).
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (!child) throw new Error(`slapd exited at start: ${stderr}`);
      const ok = await run('ldapsearch', ['-x', '-H', url, '-s', 'base', '-b', '', '-LLL', '1.1'], { timeout: 2000 }).then(
        () => true,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`slapd did not answer on ${url} within 15 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const signal = async (sig: NodeJS.Signals) => {
    const c = child;
    if (!c) return;
    c.kill(sig);
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const ldapTool = async (tool: 'ldapadd' | 'ldapmodify', ldif: string) => {
    const file = path.join(dir, `change-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
    writeFileSync(file, ldif);
    try {
      await run(tool, ['-x', '-H', url, '-D', adminDn, '-w', adminPassword, '-f', file], { maxBuffer: 64 << 20 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${e.stderr || e.message}`, { cause: err });
    } finally {
      rmSync(file, { force: true });
    }
  };

  await start();

  return {
    url,
    ldapsUrl,
    baseDn,
    peopleDn: `ou=people,${baseDn}`,
    groupsDn: `ou=groups,${baseDn}`,
    adminDn,
    adminPassword,
    caFile: tls.caFile,
    dir,
    get pid() {
      return child?.pid;
    },
    env: (extra = {}) => ({
      LDAP_URL: url,
      LDAP_KIND: 'ldap',
      LDAP_BASE_DN: baseDn,
      LDAP_BIND_DN: adminDn,
      LDAP_BIND_PASSWORD: adminPassword,
      LDAP_TIMEOUT_SECONDS: '10',
      ...extra,
    }),
    ldapadd: (ldif) => ldapTool('ldapadd', ldif),
    ldapmodify: (ldif) => ldapTool('ldapmodify', ldif),
    async admin() {
      const c = new Client({ url, timeout: 10_000, connectTimeout: 5_000 });
      await c.bind(adminDn, adminPassword);
      return c;
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start,
    async restart() {
      await signal('SIGTERM');
      await start();
    },
    async cleanup() {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
