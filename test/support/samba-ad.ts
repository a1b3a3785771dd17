import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';
import { settleWithin } from './settle-within.js';

/**
 * A throwaway Samba Active Directory domain controller for tests: provisioned into a temp dir
 * (`samba-tool domain provision --dns-backend=NONE`), run in the foreground (`samba -i -M single`,
 * no systemd), LDAP only (`server services = ldap`), on the loopback interface only.
 *
 * Ports: Samba has no setting for the DC's LDAP ports, so it binds 127.0.0.1 and ::1 on 389
 * (LDAP) and 636 (LDAPS) — one DC per machine at a time. start() refuses with a clear error when
 * those ports are taken. Samba generates a self-signed CA + certificate for `DC1.<realm>` on its
 * first start; `caFile` (private/tls/ca.pem) is what LDAP_CA_FILE points at, and `tlsServerName`
 * is the name on the certificate (the URL names the DC by IP address).
 *
 * The child is started with a stdin pipe: `samba -i` exits on EOF, so even a test process that dies
 * without stop() leaves no DC behind.
 */
export interface SambaAdOptions {
  /** Kerberos realm, upper case; the DNS domain and base DN follow from it. */
  readonly realm?: string;
  /** NetBIOS domain name. */
  readonly domain?: string;
  readonly adminPassword?: string;
  /** Milliseconds to wait for LDAPS to answer after starting. */
  readonly startTimeoutMs?: number;
}

/** Samba's own Python bindings live in the system interpreter (not in a pyenv/venv one). */
const SYSTEM_PYTHON = '/usr/bin/python3';
export const SAMBA_LDAP_PORT = 389;
export const SAMBA_LDAPS_PORT = 636;

export class SambaAd {
  readonly dir: string;
  readonly realm: string;
  readonly domain: string;
  readonly dnsDomain: string;
  readonly baseDn: string;
  readonly adminPassword: string;
  readonly hostName = 'dc1';
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private output = '';

  private constructor(dir: string, options: SambaAdOptions) {
    this.dir = dir;
    this.realm = (options.realm ?? 'AD.AURORA.TEST').toUpperCase();
    this.domain = options.domain ?? 'AURORA';
    this.dnsDomain = this.realm.toLowerCase();
    this.baseDn = this.dnsDomain
      .split('.')
      .map((p) => `DC=${p}`)
      .join(',');
    this.adminPassword = options.adminPassword ?? 'Adm1n-Passw0rd!';
  }

  /** Provisions a new domain in a fresh temp dir and starts the DC (about 5 s on 2 cores). */
  static async create(options: SambaAdOptions = {}): Promise<SambaAd> {
    const dc = new SambaAd(mkdtempSync(path.join(tmpdir(), 'samba-ad-')), options);
    try {
      dc.provision();
      await dc.start(options.startTimeoutMs);
      return dc;
    } catch (err) {
      await dc.destroy();
      throw err;
    }
  }

  get smbConf(): string {
    return path.join(this.dir, 'etc/smb.conf');
  }
  get privateDir(): string {
    return path.join(this.dir, 'private');
  }
  /** Samba's self-signed CA, generated on the first start: what LDAP_CA_FILE points at. */
  get caFile(): string {
    return path.join(this.privateDir, 'tls/ca.pem');
  }
  /** The host name on Samba's certificate (CN=DC1.<dns domain>, no subjectAltName). */
  get tlsServerName(): string {
    return `${this.hostName}.${this.dnsDomain}`.toUpperCase();
  }
  get ldapsUrl(): string {
    return `ldaps://127.0.0.1:${SAMBA_LDAPS_PORT}`;
  }
  get ldapUrl(): string {
    return `ldap://127.0.0.1:${SAMBA_LDAP_PORT}`;
  }
  /** Bind name of the domain administrator (a UPN: AD accepts it for simple binds). */
  get adminBindDn(): string {
    return `Administrator@${this.dnsDomain}`;
  }
  get running(): boolean {
    return this.child !== undefined;
  }
  /** What samba printed so far (for failure messages). */
  get log(): string {
    return this.output;
  }

  private provision(): void {
    const target = this.dir;
    const r = spawnSync(
      'samba-tool',
      [
        'domain',
        'provision',
        `--targetdir=${target}`,
        `--realm=${this.realm}`,
        `--domain=${this.domain}`,
        '--server-role=dc',
        '--dns-backend=NONE',
        `--adminpass=${this.adminPassword}`,
        `--host-name=${this.hostName}`,
        '--option=interfaces=lo',
        '--option=bind interfaces only=yes',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (r.status !== 0) throw new Error(`samba-tool domain provision failed (${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
    // provision does not write every --option to smb.conf: set what the sandbox needs by hand.
    // Only the LDAP service (no smbd, KDC, NBT, DNS…): fewer ports, faster start. Pid and log files
    // inside the temp dir, so nothing under /run or /var/log is touched.
    mkdirSync(path.join(target, 'run'), { recursive: true });
    mkdirSync(path.join(target, 'log'), { recursive: true });
    const conf = readFileSync(this.smbConf, 'utf8')
      .replace(/^\s*server services = .*$/m, '\tserver services = ldap')
      .replace(/^\s*log file = .*$/m, `\tlog file = ${path.join(target, 'log/log.%m')}`)
      .replace(
        /^\[global\]$/m,
        `[global]\n\tpid directory = ${path.join(target, 'run')}\n\tldap server require strong auth = no\n\tpanic action = \n\tlog level = 0\n\tldb:nosync = true`,
      );
    writeFileSync(this.smbConf, conf);
  }

  /** Starts the DC (again, on the same data) and waits until LDAPS answers a bind. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child) return;
    for (const port of [SAMBA_LDAP_PORT, SAMBA_LDAPS_PORT]) {
      if (await portInUse(port))
        throw new Error(`127.0.0.1:${port} is already in use: another LDAP server or Samba DC runs on this machine (Samba's LDAP ports are fixed)`);
    }
    this.output = '';
    const child = spawn('samba', ['-i', '-M', 'single', '-s', this.smbConf], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        // Our ends of the pipes would keep the test process alive.
        child.stdin?.destroy();
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve();
      }),
    );
    void this.exited.then(() => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`samba exited during start:\n${this.output}`);
      try {
        if (existsSync(this.caFile)) {
          const client = this.adminClient();
          try {
            await client.bind(this.adminBindDn, this.adminPassword);
            return;
          } finally {
            await client.unbind().catch(() => {});
          }
        }
      } catch (err) {
        lastError = err;
      }
      await sleep(200);
    }
    await this.stop();
    throw new Error(`Samba's LDAPS did not answer within ${timeoutMs} ms: ${String(lastError)}\n${this.output}`);
  }

  /** Stops the DC: SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    signalGroup(child, 'SIGTERM');
    if (!(await settleWithin(this.exited, graceMs))) {
      signalGroup(child, 'SIGKILL');
      await this.exited;
    }
    this.child = undefined;
    // The listening sockets close with the process; wait until a new start could bind them.
    for (let i = 0; i < 50 && (await portInUse(SAMBA_LDAPS_PORT)); i++) await sleep(100);
  }

  /** Kills the DC at once (SIGKILL), as a crash or a pulled cable would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    signalGroup(child, 'SIGKILL');
    await this.exited;
    this.child = undefined;
    for (let i = 0; i < 50 && (await portInUse(SAMBA_LDAPS_PORT)); i++) await sleep(100);
  }

  /**
   * Simulates a DC restored from a backup: the DC keeps its name (dsServiceName) but gets a new
   * invocationId, which is what Windows does on a restore (USN rollback protection). Samba has no
   * command for that alone (`samba-tool domain backup restore` also renames the DC), so the DC is
   * stopped, the NTDS Settings object's invocationId is replaced through Samba's own SamDB
   * bindings (system session, relax control), and the DC is started again. Returns the new id.
   */
  async changeInvocationId(): Promise<{ before: string; after: string }> {
    const wasRunning = this.running;
    await this.stop();
    const script = [
      'import sys, uuid, ldb',
      'from samba.samdb import SamDB',
      'from samba.auth import system_session',
      'from samba.param import LoadParm',
      'from samba.ndr import ndr_pack, ndr_unpack',
      'from samba.dcerpc import misc',
      'lp = LoadParm(); lp.load(sys.argv[1])',
      "db = SamDB(url=lp.private_path('sam.ldb'), session_info=system_session(), lp=lp)",
      'dn = db.get_dsServiceName()',
      "read = lambda: str(ndr_unpack(misc.GUID, db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=['invocationId'])[0]['invocationId'][0]))",
      'before = read()',
      'after = str(uuid.uuid4())',
      'm = ldb.Message(); m.dn = ldb.Dn(db, dn)',
      "m['invocationId'] = ldb.MessageElement(ndr_pack(misc.GUID(after)), ldb.FLAG_MOD_REPLACE, 'invocationId')",
      "db.modify(m, controls=['relax:0'])",
      'check = read()',
      'assert check == after, (check, after)',
      'print(before, after)',
    ].join('\n');
    const r = spawnSync(SYSTEM_PYTHON, ['-c', script, this.smbConf], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`changing the invocationId failed:\n${r.stderr}`);
    const [before, after] = r.stdout.trim().split(/\s+/);
    if (wasRunning) await this.start();
    return { before: before!, after: after! };
  }

  /**
   * `samba-tool user show <sam>` against the running DC over LDAPS: an independent reading of an
   * account (objectGUID in Samba's own string form, among others), as "attr: value" pairs.
   */
  sambaToolUserShow(samAccountName: string): Record<string, string[]> {
    const r = spawnSync(
      'samba-tool',
      ['user', 'show', samAccountName, '-H', `ldap://127.0.0.1:${SAMBA_LDAP_PORT}`, `-U`, `Administrator%${this.adminPassword}`, '-s', this.smbConf],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (r.status !== 0) throw new Error(`samba-tool user show ${samAccountName} failed:\n${r.stderr}`);
    const out: Record<string, string[]> = {};
    for (const line of r.stdout.split('\n')) {
      const m = /^([A-Za-z0-9-]+):(:?) ?(.*)$/.exec(line);
      if (m) (out[m[1]!] ??= []).push(m[2] === ':' ? `base64:${m[3]}` : m[3]!);
    }
    return out;
  }

  /** An unbound ldapts client to the DC over LDAPS, trusting Samba's CA. Caller binds and unbinds. */
  adminClient(): Client {
    return new Client({
      url: this.ldapsUrl,
      timeout: 60_000,
      connectTimeout: 5_000,
      tlsOptions: { ca: [readFileSync(this.caFile, 'utf8')], servername: this.tlsServerName },
    });
  }

  /** Runs `fn` with a client bound as the domain administrator. */
  async withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = this.adminClient();
    await client.bind(this.adminBindDn, this.adminPassword);
    try {
      return await fn(client);
    } finally {
      await client.unbind().catch(() => {});
    }
  }

  /** Stops the DC and removes every file it had. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // detached: the child leads its own process group; signal the group, then the child itself.
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
  try {
    child.kill(signal);
  } catch {
    /* already gone */
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
