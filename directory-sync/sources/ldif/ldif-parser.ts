import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** A broken LDIF file: names the line so an admin can fix the export. */
export class LdifError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}line ${line}: ${reason}`);
    this.name = 'LdifError';
  }
}

/** One content record: attribute names lower-cased without options; base64 values as Buffers. */
export interface LdifRecord {
  readonly dn: string;
  /** Line number of the record's `dn:` line (1-based). */
  readonly line: number;
  readonly attributes: ReadonlyMap<string, readonly (string | Buffer)[]>;
}

const ATTR = /^([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)((?:;[A-Za-z0-9-]+(?:=[^:;]*)?)*)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface Logical {
  text: string;
  line: number;
}

/** Joins folded lines (RFC 2849: a line starting with one space continues the previous one). */
async function* logicalLines(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<Logical | null> {
  let current: Logical | null = null;
  let n = 0;
  for await (const raw of lines) {
    n++;
    const physical = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (physical.startsWith(' ')) {
      if (!current) throw new LdifError(n, 'a continuation line (starting with a space) with nothing to continue');
      current.text += physical.slice(1);
      continue;
    }
    if (current) yield current;
    if (physical === '') {
      current = null;
      yield null; // record separator
    } else current = { text: physical, line: n };
  }
  if (current) yield current;
}

function decodeValue(text: string, colon: number, line: number): string | Buffer {
  const rest = text.slice(colon + 1);
  if (rest.startsWith(':')) {
    const b64 = rest.slice(1).trim();
    if (!BASE64.test(b64) || b64.length % 4 === 1) throw new LdifError(line, 'invalid base64 value after "::"');
    return Buffer.from(b64, 'base64');
  }
  if (rest.startsWith('<')) throw new LdifError(line, 'URL values (":<") are not supported; inline the value as base64 ("::")');
  return rest.replace(/^ +/, '');
}

/**
 * Streams the content records of an LDIF file (RFC 2849), one at a time: line folding, comments,
 * `::` base64 values (binary photos stay bytes), `version: 1`. Change records (`changetype:`) and
 * anything malformed stop the parse with an LdifError naming the line.
 */
export async function* parseLdif(lines: AsyncIterable<string> | Iterable<string>, file?: string): AsyncGenerator<LdifRecord> {
  let dn: string | null = null;
  let dnLine = 0;
  let attributes = new Map<string, (string | Buffer)[]>();
  let first = true;
  const fail = (line: number, reason: string) => new LdifError(line, reason, file);
  try {
    for await (const l of logicalLines(lines)) {
      if (l === null) {
        if (dn !== null) yield { dn, line: dnLine, attributes };
        dn = null;
        attributes = new Map();
        continue;
      }
      if (l.text.startsWith('#')) continue;
      if (l.text === '-') throw fail(l.line, 'a "-" separator belongs to a change record; only content records are supported');
      const colon = l.text.indexOf(':');
      if (colon < 1) throw fail(l.line, `expected "attribute: value", got ${JSON.stringify(l.text.slice(0, 60))}`);
      const name = l.text.slice(0, colon);
      if (!ATTR.test(name)) throw fail(l.line, `invalid attribute name ${JSON.stringify(name.slice(0, 60))}`);
      const base = name.split(';')[0].toLowerCase();
      if (first && dn === null && base === 'version') {
        first = false;
        const v = decodeValue(l.text, colon, l.line);
        if (String(v).trim() !== '1') throw fail(l.line, `unsupported LDIF version ${String(v).trim()}`);
        continue;
      }
      first = false;
      if (dn === null) {
        if (base !== 'dn') throw fail(l.line, `a record must start with "dn:", got "${name}:"`);
        const v = decodeValue(l.text, colon, l.line);
        dn = (typeof v === 'string' ? v : v.toString('utf8')).trim();
        dnLine = l.line;
        continue;
      }
      if (base === 'changetype' || base === 'control')
        throw fail(l.line, `change records ("${base}:") are not supported; export the directory as content records (no changetype)`);
      const value = decodeValue(l.text, colon, l.line);
      const list = attributes.get(base);
      if (list) list.push(value);
      else attributes.set(base, [value]);
    }
  } catch (err) {
    if (err instanceof LdifError && !err.file && file) throw new LdifError(err.line, err.reason, file);
    throw err;
  }
  if (dn !== null) yield { dn, line: dnLine, attributes };
}

/** The lines of a file, streamed (handles CRLF). `onChunk` sees the raw bytes, e.g. for a hash. */
export function fileLines(file: string, onChunk?: (chunk: Buffer) => void): AsyncIterable<string> {
  const stream = createReadStream(file);
  if (onChunk) stream.on('data', (c) => onChunk(c as Buffer));
  return createInterface({ input: stream, crlfDelay: Infinity });
}
