import {
  FilterParser,
  MessageResponseStatus,
  PagedResultsControl,
  SearchRequest,
  StatusCodeParser,
  type Client,
  type Control,
  type Entry,
  type SearchOptions,
  type SearchResponse,
} from 'ldapts';

/**
 * The two ldapts Client internals this module leans on. ldapts 8.2 has no public way to send
 * a search with a paging cookie of our choosing and read the controls of its answer, so we
 * reach for them; test/directory-sync-ldap/empty-pages.test.ts fails if they change.
 */
interface ClientInternals {
  _send(message: SearchRequest): Promise<SearchResponse>;
  _nextMessageId(): number;
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
 * The caller hands a connected, bound client. Yields each page's entries, empty pages too.
 */
export async function* pagedSearch(
  client: Client,
  base: string,
  options: SearchOptions & { filter: string },
  controls: readonly Control[],
  pageSize: number,
): AsyncGenerator<Entry[], void, void> {
  const paging = new PagedResultsControl({ value: { size: pageSize } });
  const request = new SearchRequest({
    messageId: 0,
    baseDN: base,
    scope: options.scope,
    filter: FilterParser.parseString(options.filter),
    attributes: options.attributes,
    explicitBufferAttributes: options.explicitBufferAttributes,
    sizeLimit: options.sizeLimit,
    timeLimit: options.timeLimit,
    controls: [...controls, paging],
  });
  const internals = client as unknown as ClientInternals;
  for (;;) {
    request.messageId = internals._nextMessageId();
    const response = await internals._send(request);
    // As ldapts: sizeLimitExceeded is the expected end of a search the caller itself limited.
    const limited = response.status === MessageResponseStatus.SizeLimitExceeded && request.sizeLimit > 0;
    if (response.status !== MessageResponseStatus.Success && !limited) throw StatusCodeParser.parse(response);
    yield response.searchEntries.map((e) => e.toObject(request.attributes, request.explicitBufferAttributes));
    if (limited) return;
    const answer = response.controls?.find((c): c is PagedResultsControl => c instanceof PagedResultsControl);
    const cookie = answer?.value?.cookie;
    if (!cookie?.length) return;
    paging.value = { size: pageSize, cookie };
  }
}
