/**
 * Generates the demo directory of the fictional company "Aurora Works" (auroraworks.example):
 * about 300 people in 10 departments with a manager hierarchy, aliases, phones, offices, a few
 * photos, groups (nested, and "Presence Admins"), one disabled account and external contacts.
 * Deterministic (seeded PRNG): running it again rewrites the same file.
 *
 *   npx tsx directory-sync/demo/generate-demo-directory.ts [output.ldif]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pngAvatar, type Rgb } from './png-avatar.js';
import { seededRandom as prng } from '../../core/random/seeded-random.js';

export const DEMO_DOMAIN = 'auroraworks.example';
const BASE = 'dc=auroraworks,dc=example';
const PEOPLE = `ou=People,${BASE}`;
const GROUPS = `ou=Groups,${BASE}`;
const CONTACTS = `ou=Contacts,${BASE}`;

const FIRST = [
  'Aiden',
  'Amara',
  'Anna',
  'Arjun',
  'Beatriz',
  'Ben',
  'Carla',
  'Chloe',
  'Daniel',
  'Dara',
  'Elena',
  'Elif',
  'Emil',
  'Fatima',
  'Felix',
  'Freya',
  'Gabriel',
  'Grace',
  'Hana',
  'Hugo',
  'Ines',
  'Isaac',
  'Jonas',
  'Julia',
  'Kai',
  'Kenji',
  'Laila',
  'Leo',
  'Lucia',
  'Malik',
  'Maria',
  'Mateo',
  'Maya',
  'Nadia',
  'Nils',
  'Noah',
  'Olivia',
  'Omar',
  'Paula',
  'Rafael',
  'Rosa',
  'Ruth',
  'Sara',
  'Sofia',
  'Tariq',
  'Theo',
  'Uma',
  'Victor',
  'Yara',
  'Zoe',
];
const LAST = [
  'Adeyemi',
  'Andersen',
  'Bauer',
  'Bianchi',
  'Brennan',
  'Castro',
  'Costa',
  'Dubois',
  'Eriksen',
  'Ferreira',
  'Garcia',
  'Haddad',
  'Hansen',
  'Ivanova',
  'Jensen',
  'Kaur',
  'Khan',
  'Kowalski',
  'Larsen',
  'Lindqvist',
  'Lopez',
  'Mensah',
  'Meyer',
  'Moreau',
  'Nakamura',
  'Novak',
  'Oliveira',
  'Park',
  'Petrov',
  'Quinn',
  'Rossi',
  'Santos',
  'Schmidt',
  'Silva',
  'Suzuki',
  'Tan',
  'Torres',
  'Varga',
  'Wagner',
  'Walsh',
  'Weber',
  'Yilmaz',
  'Young',
  'Zhang',
];
const OFFICES = ['Oslo HQ', 'Berlin', 'Boston', 'Singapore', 'Remote'];

interface Dept {
  readonly name: string;
  readonly size: number;
  readonly head: string;
  readonly managerTitle: string;
  readonly titles: readonly string[];
}
const DEPTS: readonly Dept[] = [
  {
    name: 'Engineering',
    size: 88,
    head: 'VP Engineering',
    managerTitle: 'Engineering Manager',
    titles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'QA Engineer', 'Site Reliability Engineer'],
  },
  {
    name: 'Sales',
    size: 42,
    head: 'Sales Manager',
    managerTitle: 'Regional Sales Lead',
    titles: ['Account Executive', 'Sales Development Representative', 'Solutions Consultant'],
  },
  {
    name: 'Marketing',
    size: 26,
    head: 'Head of Marketing',
    managerTitle: 'Marketing Manager',
    titles: ['Content Strategist', 'Marketing Specialist', 'Brand Designer'],
  },
  { name: 'Design', size: 18, head: 'Head of Design', managerTitle: 'Design Lead', titles: ['Product Designer', 'UX Researcher'] },
  {
    name: 'Customer Success',
    size: 37,
    head: 'Head of Customer Success',
    managerTitle: 'Support Team Lead',
    titles: ['Customer Success Manager', 'Support Engineer'],
  },
  { name: 'IT', size: 16, head: 'IT Director', managerTitle: 'IT Operations Lead', titles: ['IT Administrator', 'Systems Engineer', 'Service Desk Analyst'] },
  { name: 'Finance', size: 20, head: 'CFO', managerTitle: 'Finance Manager', titles: ['Accountant', 'Financial Analyst', 'Payroll Specialist'] },
  { name: 'People', size: 18, head: 'Head of People', managerTitle: 'People Partner Lead', titles: ['People Partner', 'Recruiter', 'Learning Specialist'] },
  {
    name: 'Operations',
    size: 22,
    head: 'COO',
    managerTitle: 'Operations Manager',
    titles: ['Operations Analyst', 'Facilities Coordinator', 'Procurement Specialist'],
  },
  { name: 'Legal', size: 10, head: 'General Counsel', managerTitle: 'Senior Counsel', titles: ['Legal Counsel', 'Paralegal'] },
];

interface Person {
  uid: string;
  given: string;
  sn: string;
  title: string;
  department: string;
  office: string;
  managerUid?: string;
  aliases: string[];
  photo?: Rgb;
  disabled?: boolean;
  phone: string;
  mobile?: string;
  employeeNumber: number;
}

/** The people other parts of the product (tests, the demo host) rely on. Keep them stable. */
const FIXED: readonly Omit<Person, 'phone' | 'employeeNumber' | 'office'>[] = [
  { uid: 'alex.morgan', given: 'Alex', sn: 'Morgan', title: 'CEO', department: 'Executive', aliases: ['alex@auroraworks.example'], photo: [40, 70, 140] },
  {
    uid: 'priya.natarajan',
    given: 'Priya',
    sn: 'Natarajan',
    title: 'VP Engineering',
    department: 'Engineering',
    managerUid: 'alex.morgan',
    aliases: ['priya@auroraworks.example', 'p.natarajan@auroraworks.example'],
    photo: [120, 40, 90],
  },
  {
    uid: 'sam.okafor',
    given: 'Sam',
    sn: 'Okafor',
    title: 'Software Engineer',
    department: 'Engineering',
    managerUid: 'priya.natarajan',
    aliases: [],
    photo: [30, 110, 80],
  },
  {
    uid: 'lena.fischer',
    given: 'Lena',
    sn: 'Fischer',
    title: 'Sales Manager',
    department: 'Sales',
    managerUid: 'alex.morgan',
    aliases: ['lena@auroraworks.example'],
    photo: [150, 90, 20],
  },
  { uid: 'diego.ramos', given: 'Diego', sn: 'Ramos', title: 'IT Administrator', department: 'IT', aliases: [], photo: [70, 70, 70] },
  {
    uid: 'mei.chen',
    given: 'Mei',
    sn: 'Chen',
    title: 'Product Designer',
    department: 'Design',
    managerUid: 'priya.natarajan',
    aliases: [],
    photo: [160, 50, 60],
  },
];

const CONTACT_LIST = [
  { given: 'Jordan', sn: 'Blake', company: 'Partner Consulting', title: 'Engagement Lead' },
  { given: 'Aisha', sn: 'Rahman', company: 'Partner Consulting', title: 'Solutions Architect' },
  { given: 'Tomas', sn: 'Novak', company: 'Northwind Supplies', title: 'Account Manager' },
  { given: 'Grace', sn: 'Liu', company: 'Fabrikam Legal', title: 'Outside Counsel' },
  { given: 'Owen', sn: 'Price', company: 'Partner Consulting', title: 'Project Manager' },
];

/** A deterministic UUID (v4 layout) from a name, for entryUUID. */
function uuidFor(name: string): string {
  const h = createHash('sha256').update(`aurora-works:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** One `attr: value` line, base64 when RFC 2849 says the value is not SAFE-STRING, folded at 76. */
function line(attr: string, value: string | Buffer): string {
  // RFC 2849 SAFE-STRING: printable ASCII, not starting with space, ':' or '<', not ending with a space.
  const safe = typeof value === 'string' && /^[!-9;=-~][ -~]*$/.test(value) && !value.endsWith(' ');
  const raw = safe ? `${attr}: ${value}` : `${attr}:: ${Buffer.from(value).toString('base64')}`;
  const parts = [raw.slice(0, 76)];
  for (let i = 76; i < raw.length; i += 75) parts.push(` ${raw.slice(i, i + 75)}`);
  return parts.join('\n');
}

/** Builds the whole LDIF text. */
export function generateDemoDirectory(seed = 20261122): string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const used = new Set(FIXED.map((p) => p.uid));
  const usedAliases = new Set(FIXED.flatMap((p) => p.aliases));
  let employee = 1000;
  const phone = () => `+1 555 ${String(100 + Math.floor(rnd() * 900)).padStart(3, '0')} ${String(Math.floor(rnd() * 10000)).padStart(4, '0')}`;
  const people: Person[] = FIXED.map((p) => ({ ...p, office: p.uid === 'lena.fischer' ? 'Berlin' : 'Oslo HQ', phone: phone(), employeeNumber: employee++ }));
  const byUid = new Map(people.map((p) => [p.uid, p]));

  const newPerson = (department: string, title: string, managerUid: string): Person => {
    let given: string, sn: string, uid: string;
    do {
      given = pick(FIRST);
      sn = pick(LAST);
      uid = `${given}.${sn}`.toLowerCase();
    } while (used.has(uid));
    used.add(uid);
    const aliases: string[] = [];
    const alias = `${given[0]}.${sn}@${DEMO_DOMAIN}`.toLowerCase();
    if (rnd() < 0.25 && !usedAliases.has(alias)) {
      usedAliases.add(alias);
      aliases.push(alias);
    }
    const p: Person = {
      uid,
      given,
      sn,
      title,
      department,
      office: pick(OFFICES),
      managerUid,
      aliases,
      phone: phone(),
      mobile: rnd() < 0.5 ? phone() : undefined,
      employeeNumber: employee++,
    };
    people.push(p);
    byUid.set(uid, p);
    return p;
  };

  for (const dept of DEPTS) {
    const fixedHead = people.find((p) => p.department === dept.name && p.title === dept.head);
    const head = fixedHead ?? newPerson(dept.name, dept.head, 'alex.morgan');
    const inDept = () => people.filter((p) => p.department === dept.name).length;
    const managers: Person[] = [];
    const managerCount = Math.max(1, Math.round(dept.size / 12));
    for (let i = 0; i < managerCount; i++) managers.push(newPerson(dept.name, dept.managerTitle, head.uid));
    // Fixed people join their department under the head (Diego under the IT head).
    for (const p of people) if (p.department === dept.name && p !== head && !p.managerUid) p.managerUid = head.uid;
    while (inDept() < dept.size) newPerson(dept.name, pick(dept.titles), pick(managers).uid);
  }
  // A few executive assistants report to the CEO.
  newPerson('Executive', 'Executive Assistant', 'alex.morgan');
  newPerson('Executive', 'Chief of Staff', 'alex.morgan');

  // Photos: the fixed people plus a handful of others (15 in all).
  const palette: Rgb[] = [
    [20, 90, 160],
    [160, 60, 30],
    [40, 130, 90],
    [110, 60, 150],
    [150, 120, 30],
    [30, 120, 140],
    [140, 40, 90],
    [80, 80, 120],
    [60, 110, 40],
  ];
  for (const p of people.filter((x) => !x.photo && rnd() < 0.05).slice(0, 9)) p.photo = pick(palette);
  // One account that left: kept in the directory, disabled.
  const leaver = people.find((p) => p.department === 'Sales' && p.title === 'Account Executive' && !p.photo)!;
  leaver.disabled = true;

  const out: string[] = ['version: 1', '', '# Aurora Works demo directory (fictional). Generated by directory-sync/demo/generate-demo-directory.ts.', ''];
  const rec = (lines: string[]) => out.push(lines.join('\n'), '');
  rec([line('dn', BASE), 'objectClass: top', 'objectClass: dcObject', 'objectClass: organization', 'dc: auroraworks', 'o: Aurora Works']);
  for (const ou of ['People', 'Groups', 'Contacts']) rec([line('dn', `ou=${ou},${BASE}`), 'objectClass: top', 'objectClass: organizationalUnit', `ou: ${ou}`]);

  const dnOf = (uid: string) => `uid=${uid},${PEOPLE}`;
  for (const p of people) {
    const mail = `${p.uid}@${DEMO_DOMAIN}`;
    const lines = [
      line('dn', dnOf(p.uid)),
      'objectClass: top',
      'objectClass: person',
      'objectClass: organizationalPerson',
      'objectClass: inetOrgPerson',
      line('entryUUID', uuidFor(p.uid)),
      line('uid', p.uid),
      line('cn', `${p.given} ${p.sn}`),
      line('displayName', `${p.given} ${p.sn}`),
      line('givenName', p.given),
      line('sn', p.sn),
      line('mail', mail),
      line('proxyAddresses', `SMTP:${mail}`),
      ...p.aliases.map((a) => line('proxyAddresses', `smtp:${a}`)),
      ...(p.employeeNumber % 7 === 0 ? [line('proxyAddresses', `X500:/o=AuroraWorks/ou=Exchange/cn=Recipients/cn=${p.uid}`)] : []),
      line('userPrincipalName', mail),
      line('title', p.title),
      line('departmentNumber', p.department),
      line('o', 'Aurora Works'),
      line('physicalDeliveryOfficeName', p.office),
      line('telephoneNumber', p.phone),
      ...(p.mobile ? [line('mobile', p.mobile)] : []),
      line('employeeNumber', String(p.employeeNumber)),
      ...(p.managerUid ? [line('manager', dnOf(p.managerUid))] : []),
      line('userAccountControl', p.disabled ? '514' : '512'),
      ...(p.photo ? [line('thumbnailPhoto', pngAvatar(p.photo))] : []),
    ];
    rec(lines);
  }

  for (const c of CONTACT_LIST) {
    const domain = c.company === 'Partner Consulting' ? 'partner.example' : `${c.company.split(' ')[0].toLowerCase()}.example`;
    const mail = `${c.given}.${c.sn}@${domain}`.toLowerCase();
    rec([
      line('dn', `cn=${c.given} ${c.sn},${CONTACTS}`),
      'objectClass: top',
      'objectClass: person',
      'objectClass: organizationalPerson',
      'objectClass: contact',
      line('entryUUID', uuidFor(`contact:${mail}`)),
      line('cn', `${c.given} ${c.sn}`),
      line('displayName', `${c.given} ${c.sn}`),
      line('givenName', c.given),
      line('sn', c.sn),
      line('mail', mail),
      line('company', c.company),
      line('title', c.title),
      line('telephoneNumber', phone()),
    ]);
  }

  const group = (name: string, members: string[], description: string) =>
    rec([
      line('dn', `cn=${name},${GROUPS}`),
      'objectClass: top',
      'objectClass: groupOfNames',
      line('cn', name),
      line('description', description),
      ...members.map((m) => line('member', m)),
    ]);
  const deptNames = ['Executive', ...DEPTS.map((d) => d.name)];
  for (const d of deptNames)
    group(
      `${d} Team`,
      people.filter((p) => p.department === d).map((p) => dnOf(p.uid)),
      `Everyone in ${d}`,
    );
  group(
    'All Staff',
    deptNames.map((d) => `cn=${d} Team,${GROUPS}`),
    'Every employee (nested department groups)',
  );
  group(
    'People Managers',
    people.filter((p) => people.some((r) => r.managerUid === p.uid)).map((p) => dnOf(p.uid)),
    'Everyone with direct reports',
  );
  for (const o of OFFICES.filter((x) => x !== 'Remote'))
    group(
      `${o} Office`,
      people.filter((p) => p.office === o).map((p) => dnOf(p.uid)),
      `People based in ${o}`,
    );
  group('Presence Admins', [dnOf('diego.ramos')], 'Administrators of the presence product (ADMIN_GROUP in the demo)');
  return out.join('\n');
}

export const DEMO_LDIF = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo-directory.ldif');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2] ?? DEMO_LDIF;
  const text = generateDemoDirectory();
  writeFileSync(target, text);
  console.log(`wrote ${target} (${text.length} bytes)`);
}
