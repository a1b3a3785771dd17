import { describe, expect, it } from '@jest/globals';
import { MemoryLdapConnection } from '../ldap-common/index.js';
import type { ReadSummary, SourceBatch } from '../source.js';
import { ActiveDirectorySource } from './ad-source.js';
import { guidToBytes } from './object-guid.js';

const DOMAIN = 'DC=corp,DC=example';
const ntds = (dc: string) => `CN=NTDS Settings,CN=${dc},CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,${DOMAIN}`;
const INVOCATION = { DC1: '1f23c275-5431-4bfb-abf0-87f1b46836aa', DC2: '455ef7d6-4476-43a6-b192-8acfe6228c6a' };

/** A domain served by two DCs with the same data; the root DSE answers for DC1, then for `after`. */
function domain(after: 'DC1' | 'DC2') {
  const conn = new MemoryLdapConnection([
    ...(['DC1', 'DC2'] as const).map((dc) => ({ dn: ntds(dc), attributes: { objectclass: ['nTDSDSA'], invocationid: [guidToBytes(INVOCATION[dc])] } })),
    {
      dn: `CN=Ann Lee,OU=People,${DOMAIN}`,
      attributes: {
        objectclass: ['top', 'person', 'user'],
        objectcategory: ['person'],
        objectguid: [guidToBytes('0b8f2c58-6f0a-4a55-9d5c-6ad7a9c1e001')],
        mail: ['ann.lee@corp.example'],
        displayname: ['Ann Lee'],
        usnchanged: ['4100'],
      },
    },
  ]);
  let reads = 0;
  conn.readRootDse = async () => {
    const dc = reads++ === 0 ? 'DC1' : after;
    return { dn: '', attributes: { highestcommittedusn: ['5000'], dsservicename: [ntds(dc)], defaultnamingcontext: [DOMAIN] } };
  };
  return conn;
}

async function pass(conn: MemoryLdapConnection): Promise<{ batches: SourceBatch[]; summary: ReadSummary }> {
  const source = new ActiveDirectorySource({ connection: conn, baseDn: `OU=People,${DOMAIN}` });
  const gen = source.read({ full: true, watermark: null, signal: new AbortController().signal });
  const batches: SourceBatch[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { batches, summary: next.value };
    batches.push(next.value);
  }
}

describe('ActiveDirectorySource', () => {
  it('keeps a full pass that stayed on one DC, with that DC in its watermark', async () => {
    const { batches, summary } = await pass(domain('DC1'));
    expect(batches.flatMap((b) => b.upserts).map((e) => e.primaryEmail)).toEqual(['ann.lee@corp.example']);
    expect(summary).toMatchObject({ complete: true, watermark: { usn: 5000, dsServiceName: ntds('DC1'), invocationId: INVOCATION.DC1 } });
  });

  it('does not let a pass that ended on another DC (a reconnect through a round-robin name) stand', async () => {
    const { summary } = await pass(domain('DC2'));
    expect(summary.complete).toBe(false);
    expect(summary.watermark).toBeUndefined();
    expect(summary.needsFull).toMatch(/moved to another domain controller/);
  });
});
