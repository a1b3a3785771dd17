import {
  FilterParser,
  MessageResponseStatus,
  PagedResultsControl,
  SearchRequest,
  StatusCodeParser,
  type Client,
  type Control,
  type SearchOptions,
  type SearchResponse,
} from 'ldapts';
import { DecodedSearchEntry } from './entry-decoder.js';
import type { LdapEntry } from './ldap-entry.js';

/**
 * The two ldapts Client internals this module leans on. ldapts 8.2 has no public way to send
 * a search with a paging cookie of our choosing and read the controls of its answer, so we
 * reach for them; test/directory-sync-ldap/empty-pages.test.ts fails if they change.
 */
interface ClientInternals {
  _send(message: SearchRequest): Promise<SearchResponse>;
  _nextMessageId(): number;
}

/** LDAP resultCode protocolError (RFC 4511). */
const PROTOCOL_ERROR = 2;
/** A refused cookie is asked again this many times (after 20, 40, 80 ms) before the search fails. */
const COOKIE_RETRIES = 3;

/** The request of one search of `base` (its messageId is set when it is sent). */
export function searchRequest(base: string, options: SearchOptions & { filter: string }, controls: readonly Control[]): SearchRequest {
  return new SearchRequest({
    messageId: 0,
    baseDN: base,
    scope: options.scope,
    filter: FilterParser.parseString(options.filter),
    attributes: options.attributes,
    explicitBufferAttributes: options.explicitBufferAttributes,
    sizeLimit: options.sizeLimit,
    timeLimit: options.timeLimit,
    controls: [...controls],
  });
}

/** The entries of a response, decoded by the client's entry decoder (see entry-decoder). */
export function entriesOf(response: SearchResponse): LdapEntry[] {
  return response.searchEntries.map((e) => {
    if (!(e instanceof DecodedSearchEntry)) throw new Error('ldap client without the entry decoder');
    return e.entry;
  });
}

/** Throws the error of a response that failed (as ldapts: sizeLimitExceeded is the expected end of a search the caller itself limited). */
export function checkStatus(request: SearchRequest, response: SearchResponse): { limited: boolean } {
  const limited = response.status === MessageResponseStatus.SizeLimitExceeded && request.sizeLimit > 0;
  if (response.status !== MessageResponseStatus.Success && !limited) throw StatusCodeParser.parse(response);
  return { limited };
}

/** One unpaged search: sends `request` and returns its entries. */
export async function searchOnce(client: Client, request: SearchRequest): Promise<LdapEntry[]> {
  const internals = client as unknown as ClientInternals;
  request.messageId = internals._nextMessageId();
  const response = await internals._send(request);
  checkStatus(request, response);
  return entriesOf(response);
}

/**
 * A paged search (RFC 2696) that ends only on an empty paging cookie.
 *
 * Not ldapts' Client.searchPaginated: in ldapts 8.2 it asks for the next page only when the
 * current one held entries or references, so a page with none but a cookie (RFC 2696 lets a
 * server send fewer entries than asked, down to zero: an OpenLDAP proxy whose ACLs hide a run
 * of entries does, AD near its time limit may) ends the search as though it were complete, and a
 * full pass would then take everyone after that page for deleted.
 *
 * The caller hands a connected, bound client with the entry decoder. Yields each page's entries, empty pages too.
 */
export async function* pagedSearch(
  client: Client,
  base: string,
  options: SearchOptions & { filter: string },
  controls: readonly Control[],
  pageSize: number,
): AsyncGenerator<LdapEntry[], void, void> {
  const paging = new PagedResultsControl({ value: { size: pageSize } });
  const request = searchRequest(base, options, [...controls, paging]);
  const internals = client as unknown as ClientInternals;
  for (let refused = 0; ;) {
    request.messageId = internals._nextMessageId();
    const response = await internals._send(request);
    // An OpenLDAP proxy (back-ldap) records the cookie it just passed on only after the page has
    // left: a request for the next page sent at once (we ask while the caller works on this one)
    // can find it not recorded yet and be refused as protocolError, "cookie is invalid". The same
    // request a moment later is answered; a cookie that stays refused fails the pass as before.
    if (response.status === PROTOCOL_ERROR && paging.value?.cookie?.length && refused < COOKIE_RETRIES) {
      await new Promise((r) => setTimeout(r, 20 << refused++));
      continue;
    }
    refused = 0;
    const { limited } = checkStatus(request, response);
    yield entriesOf(response);
    if (limited) return;
    const answer = response.controls?.find((c): c is PagedResultsControl => c instanceof PagedResultsControl);
    const cookie = answer?.value?.cookie;
    if (!cookie?.length) return;
    paging.value = { size: pageSize, cookie };
  }
}
