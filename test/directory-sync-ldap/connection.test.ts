// The shared LDAP connection layer against a real slapd: TLS with the run's own CA, typed
// errors, paging, reconnect after the server went away.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import {
  MatchedValuesControl,
  attrValues,
  LdapConnectionError,
  LdapCredentialsError,
  LdapTimeoutError,
  LdapTlsError,
  LdaptsConnection,
  attrBuffer,
  attrString,
  type LdapConnectionOptions,
} from '../../directory-sync/sources/ldap-common/index.js';
import { loadConfig } from '../../core/config/index.js';
import { ldapConnectionOptionsFromConfig } from '../../directory-sync/sources/ldap-common/index.js';
import { baseLdif, startSlapd, type Slapd } from '../support/slapd.js';

let ldap: Slapd;
const N = 250;

function peopleLdif(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    out += `dn: uid=p${i},ou=people,dc=example,dc=com\nobjectClass: inetOrgPerson\nobjectClass: projectAdUser\nuid: p${i}\ncn: Person ${i}\nsn: ${i}\nmail: p${i}@example.com\n`;
    if (i === 7) out += `objectGUID:: ${Buffer.from('0011223344556677889900aabbccddee', 'hex').toString('base64')}\n`;
    out += '\n';
  }
  return out;
}

beforeAll(async () => {
  ldap = await startSlapd({ ldif: baseLdif() + peopleLdif(N) });
});
afterAll(async () => {
  await ldap?.cleanup();
});

const opts = (over: Partial<LdapConnectionOptions> = {}): LdapConnectionOptions => ({
  ...ldapConnectionOptionsFromConfig(loadConfig(ldap.env(), { dotEnvFile: false })),
  reconnectDelayMs: 50,
  ...over,
});

async function countPaged(conn: LdaptsConnection, pageSize: number): Promise<{ entries: number; pages: number; maxPage: number }> {
  let entries = 0;
  let pages = 0;
  let maxPage = 0;
  for await (const page of conn.searchPages(ldap.peopleDn, { filter: '(objectClass=inetOrgPerson)', pageSize, attributes: ['uid'] })) {
    entries += page.length;
    pages++;
    maxPage = Math.max(maxPage, page.length);
  }
  return { entries, pages, maxPage };
}

describe('LdaptsConnection against slapd', () => {
  it('streams a paged search page by page (RFC 2696)', async () => {
    const conn = new LdaptsConnection(opts());
    try {
      expect(await countPaged(conn, 40)).toEqual({ entries: N, pages: Math.ceil(N / 40), maxPage: 40 });
    } finally {
      await conn.close();
    }
  });

  it('reads the root DSE (paged results advertised) and binary attributes as Buffers', async () => {
    const conn = new LdaptsConnection(opts());
    try {
      const root = await conn.readRootDse(['supportedControl', 'namingContexts']);
      expect(root.attributes.supportedcontrol).toContain('1.2.840.113556.1.4.319');
      expect(attrString(root, 'namingContexts')).toBe('dc=example,dc=com');
      const [p7] = await conn.search('uid=p7,ou=people,dc=example,dc=com', {
        scope: 'base',
        attributes: ['objectGUID', 'entryUUID'],
        binaryAttributes: ['objectGUID'],
      });
      expect(attrBuffer(p7!, 'objectGUID')!.toString('hex')).toBe('0011223344556677889900aabbccddee');
      expect(Buffer.isBuffer(p7!.attributes.objectguid![0])).toBe(true);
      expect(attrString(p7!, 'entryUUID')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await conn.close();
    }
  });

  it('passes request controls through: matched values (RFC 3876) trims a big group to the members asked about', async () => {
    const members = Array.from({ length: N }, (_, i) => `member: uid=p${i},ou=people,dc=example,dc=com`).join('\n');
    await ldap.ldapadd(`dn: cn=big,ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: big\n${members}\n\n`);
    const conn = new LdaptsConnection(opts());
    try {
      const root = await conn.readRootDse(['supportedControl']);
      expect(root.attributes.supportedcontrol).toContain(MatchedValuesControl.type);
      const asked = ['uid=p3,ou=people,dc=example,dc=com', 'uid=p200,ou=people,dc=example,dc=com'];
      const filter = `(&(objectClass=groupOfNames)(|${asked.map((d) => `(member=${d})`).join('')}))`;
      const all = await conn.search(ldap.groupsDn, { filter, attributes: ['member'] });
      expect(attrValues(all[0]!, 'member')).toHaveLength(N);
      const trimmed = await conn.search(ldap.groupsDn, {
        filter,
        attributes: ['member'],
        controls: [new MatchedValuesControl(asked.map((value) => ({ attribute: 'member', value })))],
      });
      expect(attrValues(trimmed[0]!, 'member').sort()).toEqual(asked.sort());
    } finally {
      await conn.close();
    }
  });

  it('LDAPS with the custom CA works; without it the TLS failure is typed', async () => {
    const good = new LdaptsConnection(opts({ url: ldap.ldapsUrl, ca: readFileSync(ldap.caFile, 'utf8') }));
    try {
      expect((await countPaged(good, 100)).entries).toBe(N);
    } finally {
      await good.close();
    }
    const bad = new LdaptsConnection(opts({ url: ldap.ldapsUrl, ca: undefined }));
    await expect(bad.connect()).rejects.toBeInstanceOf(LdapTlsError);
    await bad.close();
  });

  it('StartTLS with the custom CA works; an untrusted StartTLS is a typed TLS error', async () => {
    const good = new LdaptsConnection(opts({ startTls: true, ca: readFileSync(ldap.caFile, 'utf8') }));
    try {
      expect((await countPaged(good, 100)).entries).toBe(N);
    } finally {
      await good.close();
    }
    const bad = new LdaptsConnection(opts({ startTls: true, ca: undefined }));
    await expect(bad.connect()).rejects.toBeInstanceOf(LdapTlsError);
    await bad.close();
  });

  it('a server that accepts the connection and never answers: a typed timeout, in bounded time', async () => {
    const silent: net.Socket[] = [];
    const server = net.createServer((sock) => silent.push(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const conn = new LdaptsConnection(opts({ url: `ldap://127.0.0.1:${(server.address() as net.AddressInfo).port}`, timeoutMs: 300, connectTimeoutMs: 300 }));
    try {
      const t0 = Date.now();
      await expect(conn.connect()).rejects.toBeInstanceOf(LdapTimeoutError);
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      await conn.close();
      for (const s of silent) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('config wires LDAP_STARTTLS and LDAP_CA_FILE', async () => {
    const o = ldapConnectionOptionsFromConfig(loadConfig(ldap.env({ LDAP_STARTTLS: 'true', LDAP_CA_FILE: ldap.caFile }), { dotEnvFile: false }));
    expect(o.startTls).toBe(true);
    expect(o.ca).toContain('BEGIN CERTIFICATE');
    expect(o.timeoutMs).toBe(10_000);
    const conn = new LdaptsConnection(o);
    try {
      expect((await countPaged(conn, 500)).entries).toBe(N);
    } finally {
      await conn.close();
    }
  });

  it('a wrong password is a typed credentials error', async () => {
    const conn = new LdaptsConnection(opts({ bindPassword: 'wrong' }));
    const err = await conn.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LdapCredentialsError);
    expect((err as LdapCredentialsError).code).toBe(49);
    await conn.close();
  });

  it('reconnects and rebinds after the server restarted; fails typed while it is down', async () => {
    const conn = new LdaptsConnection(opts({ reconnectAttempts: 1 }));
    try {
      expect((await countPaged(conn, 100)).entries).toBe(N);
      await ldap.kill();
      await expect(countPaged(conn, 100)).rejects.toBeInstanceOf(LdapConnectionError);
      await ldap.start();
      // Same connection object: it opens a fresh socket and binds again by itself.
      expect((await countPaged(conn, 100)).entries).toBe(N);
    } finally {
      await conn.close();
    }
  });

  it('a connection lost in the middle of a paged search fails that search (never a short success)', async () => {
    const conn = new LdaptsConnection(opts({ reconnectAttempts: 0 }));
    let seen = 0;
    const read = (async () => {
      for await (const page of conn.searchPages(ldap.peopleDn, { filter: '(objectClass=inetOrgPerson)', pageSize: 10, attributes: ['uid'] })) {
        seen += page.length;
        if (seen === 50) await ldap.kill();
      }
    })();
    await expect(read).rejects.toBeInstanceOf(LdapConnectionError);
    // A page already on the wire when the server died may still arrive; the search must fail anyway.
    expect(seen).toBeGreaterThanOrEqual(50);
    expect(seen).toBeLessThan(N);
    await conn.close();
    await ldap.start();
  });
});
