import { z } from 'zod';
import { LdapError, normalizeFilter } from '../ldap-common/index.js';

const names = z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v));
const optionalNames = z.union([names, z.literal(''), z.array(z.never()).length(0)]).transform((v) => (v === '' || v.length === 0 ? [] : v));

/**
 * Which LDAP attribute feeds which field. Each field lists attributes in order of preference
 * (the first one present wins); LDAP_ATTRIBUTE_MAP (JSON) overrides any of them, e.g.
 * `{"department":"businessCategory","personFilter":"(objectClass=person)"}`.
 */
const attributeMapSchema = z.strictObject({
  id: names.default(['entryUUID']),
  modifyTimestamp: names.default(['modifyTimestamp']),
  /** Primary address; further values of the same attribute become aliases. */
  mail: names.default(['mail']),
  /** `SMTP:` = primary, `smtp:` = alias, other prefixes ignored. */
  proxyAddresses: optionalNames.default(['proxyAddresses']),
  displayName: names.default(['displayName', 'cn']),
  givenName: optionalNames.default(['givenName']),
  surname: optionalNames.default(['sn']),
  title: optionalNames.default(['title']),
  department: optionalNames.default(['departmentNumber', 'ou']),
  company: optionalNames.default(['o']),
  office: optionalNames.default(['physicalDeliveryOfficeName', 'l']),
  businessPhone: optionalNames.default(['telephoneNumber']),
  mobilePhone: optionalNames.default(['mobile']),
  homePhone: optionalNames.default(['homePhone']),
  fax: optionalNames.default(['facsimileTelephoneNumber']),
  manager: optionalNames.default(['manager']),
  photo: optionalNames.default(['jpegPhoto', 'thumbnailPhoto']),
  upn: optionalNames.default(['userPrincipalName']),
  /** An integer (AD userAccountControl: bit 0x2 = disabled) or a boolean (TRUE = disabled). */
  disabled: optionalNames.default(['userAccountControl']),
  /** Group DNs on the person (memberof overlay); nested groups are expanded from the group search. */
  memberOf: optionalNames.default(['memberOf']),
  /** Which entries are people. LDAP_FILTER narrows it further. */
  personFilter: z.string().default('(objectClass=inetOrgPerson)'),
  /** Which entries are groups; '' turns the group search off (memberOf alone is then used). */
  groupFilter: z.string().default('(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))'),
  groupMember: names.default(['member', 'uniqueMember']),
  groupName: names.default(['cn']),
});

export type AttributeMap = z.infer<typeof attributeMapSchema>;

/** The inetOrgPerson defaults with LDAP_ATTRIBUTE_MAP applied; a bad map is a config error. */
export function parseAttributeMap(json: string | undefined): AttributeMap {
  let raw: unknown = {};
  if (json) {
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw new LdapError('config', `LDAP_ATTRIBUTE_MAP is not JSON: ${(err as Error).message}`);
    }
  }
  const parsed = attributeMapSchema.safeParse(raw);
  if (!parsed.success)
    throw new LdapError('config', `LDAP_ATTRIBUTE_MAP: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const map = parsed.data;
  return { ...map, personFilter: normalizeFilter(map.personFilter), groupFilter: map.groupFilter.trim() ? normalizeFilter(map.groupFilter) : '' };
}
