import { attrBuffer, attrString, LdapError, type LdapConnection } from '../ldap-common/index.js';
import type { Watermark } from '../source.js';
import { guidToString } from './object-guid.js';

/**
 * Which DC (and which incarnation of its database) a pass reads, and how far that DC's changes
 * go: the uSNChanged rules of "Polling for Changes Using USNChanged" (Microsoft): read
 * highestCommittedUSN before the pass, store it with dsServiceName and invocationId.
 */
export interface DcIdentity {
  /** rootDSE highestCommittedUSN, read before the pass: the next pass asks for uSNChanged > usn. */
  readonly usn: number;
  /** DN of the DC's NTDS Settings object (rootDSE dsServiceName). */
  readonly dsServiceName: string;
  /** invocationId of that NTDS Settings object: changes when the DC's database is restored. */
  readonly invocationId: string;
  readonly defaultNamingContext: string;
}

/** Reads the rootDSE and the DC's NTDS Settings object. */
export async function readDcIdentity(connection: LdapConnection): Promise<DcIdentity> {
  const root = await connection.readRootDse(['highestCommittedUSN', 'dsServiceName', 'defaultNamingContext']);
  const usnText = attrString(root, 'highestCommittedUSN');
  const dsServiceName = attrString(root, 'dsServiceName');
  const defaultNamingContext = attrString(root, 'defaultNamingContext');
  if (!usnText || !/^\d+$/.test(usnText) || !dsServiceName || !defaultNamingContext)
    throw new LdapError(
      'operation',
      `${connection.url}: the root DSE has no highestCommittedUSN/dsServiceName/defaultNamingContext; is this an Active Directory DC? (LDAP_KIND=ad)`,
    );
  const [ntds] = await connection.search(dsServiceName, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['invocationId'],
    binaryAttributes: ['invocationId'],
  });
  const raw = ntds ? attrBuffer(ntds, 'invocationId') : undefined;
  if (!raw || raw.length !== 16) throw new LdapError('operation', `${connection.url}: cannot read invocationId of ${dsServiceName}`);
  return { usn: Number(usnText), dsServiceName, invocationId: guidToString(raw), defaultNamingContext };
}

/** The watermark stored after a pass that read everything up to `dc.usn`. */
export function watermarkOf(dc: DcIdentity, scope: string): Watermark {
  return { usn: dc.usn, dsServiceName: dc.dsServiceName, invocationId: dc.invocationId, scope };
}

/**
 * Why an incremental pass from `watermark` against `dc` is not possible (→ a full pass), or null
 * when it is. USNs are per DC and per database incarnation, so any change of either invalidates
 * the watermark; so does a changed base DN or filter (entries that came into scope would be missed).
 */
export function incrementalBlocker(watermark: Watermark | null, dc: DcIdentity, scope: string): string | null {
  if (!watermark || typeof watermark.usn !== 'number') return 'no watermark yet';
  if (watermark.dsServiceName !== dc.dsServiceName) return `the domain controller changed (${String(watermark.dsServiceName)} → ${dc.dsServiceName})`;
  if (watermark.invocationId !== dc.invocationId)
    return `the domain controller's invocationId changed (${String(watermark.invocationId)} → ${dc.invocationId}): its database was restored`;
  if (watermark.scope !== undefined && watermark.scope !== scope) return 'the base DN or LDAP_FILTER changed';
  if (watermark.usn > dc.usn) return `highestCommittedUSN went back (${watermark.usn} → ${dc.usn}): USN rollback`;
  return null;
}
