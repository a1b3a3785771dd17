/** userAccountControl flags the sync looks at (MS-ADTS 2.2.16). */
export const UF_ACCOUNTDISABLE = 0x2;

/**
 * True when the ACCOUNTDISABLE bit is set. The attribute is a 32-bit signed integer in decimal;
 * an absent or unparsable value (contacts have none) means "not disabled".
 */
export function isAccountDisabled(userAccountControl: string | undefined): boolean {
  if (userAccountControl === undefined || !/^-?\d+$/.test(userAccountControl.trim())) return false;
  return (Number(userAccountControl.trim()) & UF_ACCOUNTDISABLE) !== 0;
}
