import { createHash } from 'node:crypto';

/** A deterministic GUID-shaped id from a name, so tests can refer to users by name. */
export function guidOf(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An Entra user as Graph returns it, for `state.users.put(...)`. */
export function graphUser(localPart: string, extra: Record<string, unknown> = {}, domain = 'contoso.test'): { id: string } & Record<string, unknown> {
  const mail = `${localPart}@${domain}`;
  const name = localPart.replace(/[._]/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
  const [givenName, surname] = name.split(' ');
  return {
    id: guidOf(`user:${localPart}`),
    displayName: name,
    givenName,
    surname: surname ?? null,
    mail,
    userPrincipalName: mail,
    proxyAddresses: [`SMTP:${mail}`],
    jobTitle: 'Engineer',
    department: 'Engineering',
    companyName: 'Contoso',
    officeLocation: 'Building 1',
    businessPhones: ['+1 555 0100'],
    mobilePhone: null,
    faxNumber: null,
    accountEnabled: true,
    onPremisesImmutableId: null,
    userType: 'Member',
    ...extra,
  };
}

/** An organisational (mail) contact as Graph returns it. */
export function graphOrgContact(address: string, extra: Record<string, unknown> = {}): { id: string } & Record<string, unknown> {
  return {
    id: guidOf(`contact:${address}`),
    displayName: address.split('@')[0],
    givenName: null,
    surname: null,
    mail: address,
    proxyAddresses: [`SMTP:${address}`],
    jobTitle: null,
    department: null,
    companyName: 'Partner',
    phones: [{ type: 'business', number: '+44 20 0000 0000' }],
    ...extra,
  };
}

/** An Outlook contact of a mailbox as Graph returns it. */
export function outlookContact(address: string, extra: Record<string, unknown> = {}): { id: string } & Record<string, unknown> {
  return {
    id: `AAMkAD${createHash('sha256').update(address).digest('base64url')}${'x'.repeat(80)}`,
    displayName: address.split('@')[0],
    givenName: null,
    surname: null,
    emailAddresses: [{ name: address, address }],
    jobTitle: null,
    department: null,
    companyName: 'Fabrikam',
    businessPhones: [],
    mobilePhone: null,
    homePhones: [],
    ...extra,
  };
}
