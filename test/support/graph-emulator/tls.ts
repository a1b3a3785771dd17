import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestTls {
  /** PEM of the test CA: what GRAPH_CA_FILE points at. */
  readonly caFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  dispose(): void;
}

/**
 * A throw-away CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI.
 * MSAL refuses a non-HTTPS authority, so the emulator is served over TLS and the product trusts
 * this CA through GRAPH_CA_FILE.
 */
export function createTestTls(): TestTls {
  const dir = mkdtempSync(path.join(tmpdir(), 'graph-tls-'));
  const p = (f: string) => path.join(dir, f);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Graph Emulator Test CA',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('server.key'), '-out', p('server.csr'));
  writeFileSync(
    p('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    p('server.pem'),
    '-extfile',
    p('ext.cnf'),
  );
  return {
    caFile: p('ca.pem'),
    ca: readFileSync(p('ca.pem'), 'utf8'),
    cert: readFileSync(p('server.pem'), 'utf8'),
    key: readFileSync(p('server.key'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
