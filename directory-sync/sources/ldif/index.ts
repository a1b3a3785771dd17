export { LdifSource, type LdifSourceOptions } from './ldif-source.js';
export { parseLdif, fileLines, LdifError, type LdifRecord } from './ldif-parser.js';
export { recordToEntry, recordKind, rdnValue, LdifGroupIndex } from './ldif-mapping.js';
