/**
 * Document URL normalisation: the many ways Office, SharePoint and OneDrive spell one file's address
 * become a few canonical identity keys, so one file does not split into two documents.
 *
 * A URL can yield more than one key (e.g. a `/:w:/r/` link carries both the file path and the
 * document GUID in `d=w…`); the registry binds every key it sees to the same document, which is
 * how a path seen by Word and a `Doc.aspx?sourcedoc=` link in a mail end up on one document.
 * Pure functions: no I/O.
 */

export type DocumentLink =
  | { readonly kind: 'file'; readonly keys: readonly string[] }
  /** The product's own document link: carries the document key itself. */
  | { readonly kind: 'product'; readonly docKey: string };

const DOC_KEY = /^[A-Za-z0-9_-]{22}$/;
const GUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;
const SHAREPOINT_HOST = /(^|\.)sharepoint(-df)?\.(com|us|de|cn)$|(^|\.)sharepoint-mil\.us$/;
const ONEDRIVE_HOSTS = new Set(['onedrive.live.com', 'd.docs.live.net', 'docs.live.net', '1drv.ms', 'onedrive.com', 'www.onedrive.com']);
/** Office's own URI schemes (`ms-word:ofe|u|https://…`) wrap an ordinary URL. */
const OFFICE_SCHEME = /^ms-(word|excel|powerpoint|visio|access|project|publisher|spd|infopath):(?:[a-z]+\|[a-z]+\|)?(https?:\/\/.+)$/i;
/** WOPI viewer/editor pages whose `sourcedoc` names the file (a GUID or a server-relative path). */
const WOPI_PAGES = new Set([
  'doc.aspx',
  'doc2.aspx',
  'wopiframe.aspx',
  'wopiframe2.aspx',
  'xlviewer.aspx',
  'powerpoint.aspx',
  'visio.aspx',
  'wordviewer.aspx',
  'wordeditorframe.aspx',
]);
const OFFICE_EXT = /\.(docx?|docm|dotx?|dotm|rtf|odt|xlsx?|xlsm|xlsb|ods|pptx?|pptm|odp|vsdx?|one|pdf)$/i;

/** Lower-case GUID without braces, or null. */
export function normaliseGuid(value: string | null | undefined): string | null {
  const m = value ? GUID.exec(value.trim()) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() : null;
}

/** `d=w5b1c…` (SharePoint share links): the file's unique id as 32 hex digits after a type letter. */
function guidFromDParam(d: string | null): string | null {
  const m = d ? /^[a-z]([0-9a-f]{32})$/i.exec(d) : null;
  return m ? normaliseGuid(m[1]) : null;
}

function safeDecode(s: string): string {
  // Decode repeatedly so %2520 and %20 agree; stop when stable or malformed.
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(s);
    } catch {
      return s;
    }
    if (next === s) return s;
    s = next;
  }
  return s;
}

/** A server-relative path, decoded, with collapsed slashes and no trailing slash or dot segments. */
function canonicalPath(raw: string, lowerCase: boolean): string {
  const segments: string[] = [];
  for (const seg of raw.split('/')) {
    const s = safeDecode(seg).replace(/\+/g, ' ').trim();
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s.normalize('NFC'));
  }
  const path = '/' + segments.join('/');
  return lowerCase ? path.toLowerCase() : path;
}

function parseHttpUrl(input: string): URL | null {
  let text = input.trim().replace(/^<|>$/g, '');
  const office = OFFICE_SCHEME.exec(text);
  if (office) text = office[2];
  if (!/^https?:\/\//i.test(text)) return null;
  try {
    const url = new URL(text);
    return url.hostname ? url : null;
  } catch {
    return null;
  }
}

function hostOf(url: URL): string {
  // URL already lower-cases the host and drops default ports; trailing dots are the same host.
  return url.host.replace(/\.(?=(:\d+)?$)/, '');
}

const bareHostname = (url: URL): string => url.hostname.replace(/\.$/, '');

const isSharePointLike = (url: URL): boolean =>
  SHAREPOINT_HOST.test(bareHostname(url)) || /\/_layouts\/(15|16)\//i.test(url.pathname) || /^\/:[a-z]:\//i.test(url.pathname);

/**
 * Normalises one link. Returns null when it is not a link to a document we can identify
 * (not http(s), a plain web page, a folder listing without a file…).
 */
export function classifyDocumentUrl(input: string): DocumentLink | null {
  const url = parseHttpUrl(input);
  if (!url) return null;
  const productKey = url.searchParams.get('docKey');
  if (productKey && DOC_KEY.test(productKey)) return { kind: 'product', docKey: productKey };
  const host = hostOf(url);
  const keys = ONEDRIVE_HOSTS.has(bareHostname(url)) ? oneDriveKeys(url) : isSharePointLike(url) ? sharePointKeys(url, host) : genericKeys(url, host);
  return keys.length ? { kind: 'file', keys: [...new Set(keys)] } : null;
}

/** The identity keys of a document URL (empty when it names no identifiable document). */
export function documentUrlKeys(input: string): string[] {
  const link = classifyDocumentUrl(input);
  return link?.kind === 'file' ? [...link.keys] : [];
}

function sharePointKeys(url: URL, host: string): string[] {
  const keys: string[] = [];
  let path = url.pathname;
  const params = url.searchParams;

  // Sharing links: /:w:/r/<path> redirects to a path; /:w:/s|g|t|…/<site>/<token> is an opaque token.
  const share = /^\/:([a-z]):\/([a-z])(\/.*)?$/i.exec(path);
  if (share) {
    const rest = share[3] ?? '';
    const guid = guidFromDParam(params.get('d'));
    if (guid) keys.push(`sp-id:${host}/${guid}`);
    if (share[2].toLowerCase() === 'r') {
      path = rest;
    } else {
      const last = rest.split('/').filter(Boolean).pop() ?? '';
      if (OFFICE_EXT.test(safeDecode(last))) path = rest;
      else {
        // Opaque token: stable per link (the `e=` parameter varies per recipient), so key by token.
        if (last) keys.push(`sp-share:${host}${canonicalPath(rest, false)}`);
        return keys;
      }
    }
  }

  const page = path.split('/').pop()?.toLowerCase() ?? '';
  if (/\/_layouts\/(15|16)\//i.test(path) && WOPI_PAGES.has(page)) {
    const sourcedoc = params.get('sourcedoc') ?? params.get('SourceDoc') ?? params.get('id');
    const guid = normaliseGuid(sourcedoc);
    if (guid) keys.push(`sp-id:${host}/${guid}`);
    else if (sourcedoc && sourcedoc.startsWith('/')) keys.push(`sp-path:${host}${canonicalPath(sourcedoc.split('?')[0], true)}`);
    const d = guidFromDParam(params.get('d'));
    if (d) keys.push(`sp-id:${host}/${d}`);
    return keys;
  }
  if (/\/_layouts\//i.test(path)) return keys;

  // Library views: /Shared Documents/Forms/AllItems.aspx?id=/sites/x/Shared Documents/Budget.docx
  if (/\/forms\/[^/]+\.aspx$/i.test(path)) {
    const id = params.get('id');
    if (id && id.startsWith('/') && OFFICE_EXT.test(safeDecode(id))) keys.push(`sp-path:${host}${canonicalPath(id, true)}`);
    return keys;
  }

  const d = guidFromDParam(params.get('d'));
  if (d) keys.push(`sp-id:${host}/${d}`);
  const uniqueId = normaliseGuid(params.get('UniqueId') ?? params.get('uniqueid'));
  if (uniqueId) keys.push(`sp-id:${host}/${uniqueId}`);
  const cp = canonicalPath(path, true);
  // SharePoint paths are case-insensitive and every query on a file path is a view option.
  if (OFFICE_EXT.test(cp)) keys.push(`sp-path:${host}${cp}`);
  return keys;
}

function oneDriveKeys(url: URL): string[] {
  const params = url.searchParams;
  if (bareHostname(url) === '1drv.ms') {
    // Short sharing links (1drv.ms/w/s!Abc…): opaque, but stable.
    const cp = canonicalPath(url.pathname, false);
    return cp.length > 3 ? [`od-share:${cp}`] : [];
  }
  const resid = params.get('resid') ?? params.get('id');
  if (resid && /^[0-9a-f]{8,16}!\d+$/i.test(resid)) return [`od-id:${resid.toLowerCase()}`];
  if (bareHostname(url).endsWith('docs.live.net')) {
    // Word desktop's form for personal OneDrive: d.docs.live.net/<cid>/Documents/Budget.docx
    const cp = canonicalPath(url.pathname, true);
    return OFFICE_EXT.test(cp) ? [`od-path:${cp}`] : [];
  }
  return [];
}

function genericKeys(url: URL, host: string): string[] {
  const cp = canonicalPath(url.pathname, false);
  // An Office file on a plain web server: the path is the identity, view options are not.
  if (OFFICE_EXT.test(cp)) return [`url:${url.protocol === 'https:' ? 'https' : 'http'}://${host}${cp}`];
  return [];
}
