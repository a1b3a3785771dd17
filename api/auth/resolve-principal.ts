import type { JWTPayload } from 'jose';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import { unauthorized } from '../http/index.js';
import type { Principal } from './principal.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Finds the person a verified token speaks for; a token for someone outside the directory is a 401. */
export async function resolvePrincipal(
  payload: JWTPayload,
  directory: DirectoryReader,
  adminGroup: string | undefined,
  groupsOf: (personId: string) => Promise<readonly string[]>,
): Promise<Principal> {
  const upn = str(payload.upn) ?? str(payload.preferred_username);
  const email = str(payload.email) ?? (upn?.includes('@') ? upn : undefined);
  const person = await directory.findForLogin({ oid: str(payload.oid), upn, email });
  if (!person || !person.email) throw unauthorized('The token does not belong to a person in the directory');
  let isAdmin = false;
  if (adminGroup) {
    const wanted = adminGroup.toLowerCase();
    const claimed = [...asArray(payload.groups), ...asArray(payload.roles)].map((g) => g.toLowerCase());
    isAdmin = claimed.includes(wanted) || (await groupsOf(person.id)).some((g) => g.toLowerCase() === wanted);
  }
  return Object.freeze({ personId: person.id, email: person.email, displayName: person.displayName, isAdmin });
}

function asArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
