export { ActiveDirectorySource, createActiveDirectorySource, type ActiveDirectorySourceOptions } from './ad-source.js';
export { guidToString, guidToBytes, immutableIdOf } from './object-guid.js';
export { parseProxyAddresses, type SmtpAddresses } from './proxy-addresses.js';
export { isAccountDisabled, UF_ACCOUNTDISABLE } from './user-account-control.js';
export { readDcIdentity, incrementalBlocker, type DcIdentity } from './dc-identity.js';
export { GroupIndex, DEFAULT_RANGE_STEP, type GroupIndexStats } from './group-index.js';
export { SHOW_DELETED_OID, showDeletedControl } from './ad-controls.js';
