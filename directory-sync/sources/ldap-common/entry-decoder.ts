import { isUtf8 } from 'node:buffer';
import { MessageParser, MessageParserError, ProtocolOperation, SearchEntry, type Client, type Entry, type SearchRequest } from 'ldapts';
import type { LdapEntry } from './ldap-entry.js';

/**
 * Search result entries decoded straight into LdapEntry, in one pass over the message's bytes.
 *
 * ldapts decodes each entry into an Attribute object per attribute (a Buffer view per value, each
 * value checked by a fatal TextDecoder), then toObject() copies that into a plain object, and we
 * copied it once more to lower-case the names. For a 100,000-person full pass that was about half
 * of the reader thread's CPU and most of its garbage. Everything else (connection, TLS, bind,
 * requests, controls, the result and its status) stays ldapts'.
 *
 * Same output as before: names lower-cased with their options (`member;range=0-1499`), an
 * attribute without values left out, values of the request's binary attributes as Buffers (own
 * copies, not views into a 64 KB socket chunk), other values as strings, and, as ldapts does, all
 * values of an attribute as Buffers when one of them is not valid UTF-8.
 */
export class DecodedSearchEntry extends SearchEntry {
  /** Set by parseMessage, which ldapts calls right after construction. */
  entry!: LdapEntry;

  constructor(
    messageId: number,
    private readonly names: Names,
  ) {
    super({ messageId });
  }

  override parseMessage(reader: { buffer: Buffer; offset: number; length: number }): void {
    const b = reader.buffer;
    const end = reader.offset + reader.length;
    if (end > b.length) throw malformed('entry longer than its message');
    let at = expect(b, reader.offset, end, OCTET_STRING);
    const dn = b.toString('utf8', at, valueEnd);
    at = expect(b, valueEnd, end, SEQUENCE);
    const attrsEnd = valueEnd;
    const attributes: Record<string, (string | Buffer)[]> = {};
    while (at < attrsEnd) {
      at = expect(b, at, attrsEnd, SEQUENCE);
      const attrEnd = valueEnd;
      at = expect(b, at, attrEnd, OCTET_STRING);
      // Attribute descriptions are ASCII (RFC 4512 keystring and options).
      const { name, binary } = nameOf(b.toString('latin1', at, valueEnd), this.names);
      at = expect(b, valueEnd, attrEnd, SET);
      const setStart = at;
      const setEnd = valueEnd;
      let values: (string | Buffer)[] = [];
      let invalid = false;
      while (at < setEnd) {
        at = expect(b, at, setEnd, OCTET_STRING);
        if (binary) values.push(Buffer.from(b.subarray(at, valueEnd)));
        else {
          const text = b.toString('utf8', at, valueEnd);
          // toString replaces bad sequences with U+FFFD; only then is the strict check worth it.
          if (text.includes('\uFFFD') && !isUtf8(b.subarray(at, valueEnd))) invalid = true;
          values.push(text);
        }
        at = valueEnd;
      }
      if (invalid) values = rawValues(b, setStart, setEnd);
      if (values.length) attributes[name] = values;
      at = attrEnd;
    }
    this.name = dn;
    this.entry = { dn, attributes };
    reader.offset = end;
  }

  /** ldapts' shape, for a caller that goes through Client.search. */
  override toObject(): Entry {
    const out: Entry = { dn: this.entry.dn };
    for (const [name, values] of Object.entries(this.entry.attributes)) out[name] = values.length === 1 ? values[0]! : ([...values] as string[] | Buffer[]);
    return out;
  }
}

const OCTET_STRING = 0x04;
const SEQUENCE = 0x30;
const SET = 0x31;

/** End of the element whose contents `expect` just located (a module slot, not a tuple: no allocation per element). */
let valueEnd = 0;

/** Checks the tag at `at`, reads its definite length; returns where its contents start and sets valueEnd. */
function expect(b: Buffer, at: number, limit: number, tag: number): number {
  if (at + 2 > limit) throw malformed('truncated element');
  if (b[at] !== tag) throw malformed(`expected tag 0x${tag.toString(16)}, got 0x${b[at]!.toString(16)}`);
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // LDAP allows only the definite form (RFC 4511 section 5.1); 4 bytes is far beyond any message.
    if (n === 0 || n > 4 || start + n > limit) throw malformed('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  if (start + len > limit) throw malformed('element longer than its container');
  valueEnd = start + len;
  return start;
}

/** The values of a set again, as Buffer copies (an attribute with a value that is not UTF-8). */
function rawValues(b: Buffer, from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = from; at < to; at = valueEnd) {
    at = expect(b, at, to, OCTET_STRING);
    out.push(Buffer.from(b.subarray(at, valueEnd)));
  }
  return out;
}

function malformed(what: string): MessageParserError {
  return new MessageParserError(`malformed search result entry: ${what}`);
}

/** How the attributes of one search are handed out: which are binary, and each name as sent → lower-cased. */
interface Names {
  readonly binary: ReadonlySet<string>;
  readonly seen: Map<string, { name: string; binary: boolean }>;
}

function nameOf(key: string, names: Names): { name: string; binary: boolean } {
  let n = names.seen.get(key);
  if (!n) {
    const name = key.toLowerCase();
    const semi = name.indexOf(';');
    n = { name, binary: names.binary.has(semi < 0 ? name : name.slice(0, semi)) };
    // Ranged names (member;range=0-1499) vary; do not let them grow the cache without bound.
    if (names.seen.size < 1000) names.seen.set(key, n);
  }
  return n;
}

/** One Names per request: a paged search sends the same request object for every page. */
const namesByRequest = new WeakMap<object, Names>();
const NO_REQUEST: Names = { binary: new Set(), seen: new Map() };

function namesFor(request: SearchRequest | undefined): Names {
  if (!request) return NO_REQUEST;
  let n = namesByRequest.get(request);
  if (!n) namesByRequest.set(request, (n = { binary: new Set((request.explicitBufferAttributes ?? []).map((a) => a.toLowerCase())), seen: new Map() }));
  return n;
}

type GetMessage = (messageId: number, operation: number, reader: unknown, request: unknown) => unknown;
const ldaptsGetMessage = (MessageParser.prototype as unknown as { _getMessageFromProtocolOperation: GetMessage })._getMessageFromProtocolOperation;

/**
 * Makes `client` decode its search result entries as DecodedSearchEntry. Reaches into ldapts 8.2
 * internals (the client's MessageParser and its per-operation factory); the directory tests
 * against slapd and Samba fail if they change.
 */
export function decodeEntriesOn(client: Client): void {
  decodeEntriesWith((client as unknown as { messageParser: MessageParser }).messageParser);
}

/** decodeEntriesOn for a MessageParser of one's own. */
export function decodeEntriesWith(messageParser: MessageParser): void {
  const parser = messageParser as unknown as { _getMessageFromProtocolOperation: GetMessage };
  parser._getMessageFromProtocolOperation = function (messageId, operation, reader, request) {
    if (operation !== ProtocolOperation.LDAP_RES_SEARCH_ENTRY) return ldaptsGetMessage.call(this, messageId, operation, reader, request);
    const entry = new DecodedSearchEntry(messageId, namesFor(request as SearchRequest | undefined));
    entry.parse(reader as never, (request as SearchRequest | undefined)?.controls ?? []);
    return entry;
  };
}
