// The benchmark directory as LDIF for slapadd: N inetOrgPerson people with the project schema's
// AD-like attributes (10% with a 4 KB photo, a manager hierarchy, 2% disabled) and groups of
// members. modifyTimestamp values are spread over the past 30 days, as in a directory that has
// lived for a while (slapadd would otherwise stamp every entry "now").
import { closeSync, openSync, writeSync } from 'node:fs';

export interface BenchDirectory {
  readonly people: number;
  readonly groups: number;
  readonly groupSize: number;
  readonly photoEvery: number;
  readonly photoBytes: number;
}

export const BASE_DN = 'dc=example,dc=com';
export const uidOf = (i: number) => `user${String(i).padStart(6, '0')}`;
export const dnOf = (i: number) => `uid=${uidOf(i)},ou=people,${BASE_DN}`;

const DAY = 86_400_000;

function gt(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** Writes the LDIF file; returns the entry count. */
export function writeBenchLdif(file: string, d: BenchDirectory, now = Date.now()): number {
  const fd = openSync(file, 'w');
  let buf = '';
  const flush = (force = false) => {
    if (force || buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  };
  const start = now - 30 * DAY;
  const stamp = (i: number, n: number) => gt(start + Math.floor(((now - DAY - start) * i) / n));
  buf += `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n`;
  buf += `dn: ou=people,${BASE_DN}\nobjectClass: organizationalUnit\nou: people\n\n`;
  buf += `dn: ou=groups,${BASE_DN}\nobjectClass: organizationalUnit\nou: groups\n\n`;
  const photo = Buffer.alloc(d.photoBytes);
  const departments = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Legal', 'Operations', 'Research'];
  const offices = ['Paris', 'London', 'Berlin', 'Madrid', 'Rome', 'Dublin'];
  for (let i = 0; i < d.people; i++) {
    const uid = uidOf(i);
    const ts = stamp(i, d.people);
    let e =
      `dn: uid=${uid},ou=people,${BASE_DN}\nobjectClass: inetOrgPerson\nobjectClass: projectAdUser\nuid: ${uid}\n` +
      `cn: User ${i}\nsn: ${i}\ngivenName: User\ndisplayName: User ${i}\nmail: ${uid}@example.com\n` +
      `proxyAddresses: SMTP:${uid}@example.com\nproxyAddresses: smtp:u${i}@example.com\nproxyAddresses: X500:/o=Example/cn=${uid}\n` +
      `userPrincipalName: ${uid}@example.com\ntitle: Engineer ${i % 7}\ndepartmentNumber: ${departments[i % departments.length]}\no: Example Corp\n` +
      `physicalDeliveryOfficeName: ${offices[i % offices.length]}\ntelephoneNumber: +33 1 ${String(i).padStart(8, '0')}\nmobile: +33 6 ${String(i).padStart(8, '0')}\n` +
      `userAccountControl: ${i % 50 === 49 ? 514 : 512}\ncreateTimestamp: ${ts}\nmodifyTimestamp: ${ts}\n`;
    if (i > 0) e += `manager: ${dnOf(Math.floor((i - 1) / 10))}\n`;
    if (d.photoEvery && i % d.photoEvery === 0) {
      photo.fill(i % 251);
      photo[0] = 0xff;
      photo[1] = 0xd8;
      photo[2] = 0xff;
      photo[3] = 0xe0;
      photo.writeUInt32BE(i, 4);
      e += `jpegPhoto:: ${photo.toString('base64')}\n`;
    }
    buf += `${e}\n`;
    flush();
  }
  for (let g = 0; g < d.groups; g++) {
    const ts = gt(start);
    let e = `dn: cn=group-${g},ou=groups,${BASE_DN}\nobjectClass: groupOfNames\ncn: group-${g}\ncreateTimestamp: ${ts}\nmodifyTimestamp: ${ts}\n`;
    for (let k = 0; k < d.groupSize; k++) e += `member: ${dnOf((g * d.groupSize + k) % d.people)}\n`;
    buf += `${e}\n`;
    flush();
  }
  flush(true);
  closeSync(fd);
  return 3 + d.people + d.groups;
}
