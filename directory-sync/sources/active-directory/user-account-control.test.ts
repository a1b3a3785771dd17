import { describe, expect, it } from '@jest/globals';
import { isAccountDisabled } from './user-account-control.js';

describe('isAccountDisabled', () => {
  it('reads the ACCOUNTDISABLE bit (0x2)', () => {
    expect(isAccountDisabled('512')).toBe(false); // NORMAL_ACCOUNT
    expect(isAccountDisabled('514')).toBe(true); // NORMAL_ACCOUNT | ACCOUNTDISABLE
    expect(isAccountDisabled('546')).toBe(true); // ... | PASSWD_NOTREQD
    expect(isAccountDisabled('66048')).toBe(false); // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
    expect(isAccountDisabled('66050')).toBe(true);
    expect(isAccountDisabled(' 2 ')).toBe(true);
  });

  it('a 32-bit signed value with the top bit set still works', () => {
    expect(isAccountDisabled(String((0x80000000 | 0x202) >> 0))).toBe(true);
    expect(isAccountDisabled(String((0x80000000 | 0x200) >> 0))).toBe(false);
  });

  it('absent or garbage means enabled (contacts have no userAccountControl)', () => {
    expect(isAccountDisabled(undefined)).toBe(false);
    expect(isAccountDisabled('')).toBe(false);
    expect(isAccountDisabled('0x2')).toBe(false);
  });
});
