/**
 * Finds the document links in a message body (plain text or HTML): SharePoint and OneDrive
 * addresses, Office files on any web server, Office URI schemes (ms-word:ofe|u|…) and the
 * product's own document links (…?docKey=…). The server decides which of them name documents
 * it knows; this only keeps ordinary web pages out of the request.
 */
export const MAX_LINKS = 50;

const URL_IN_TEXT = /\b(?:ms-(?:word|excel|powerpoint):(?:[a-z]+\|[a-z]+\|)?)?https?:\/\/[^\s"'<>()[\]{}]+/gi;
const HREF = /href\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const OFFICE_EXT = /\.(docx?|docm|dotx?|dotm|rtf|odt|xlsx?|xlsm|xlsb|ods|pptx?|pptm|odp|vsdx?|one)$/i;
const DOC_HOSTS = /(^|\.)(sharepoint(-df)?\.(com|us|de|cn)|onedrive\.live\.com|d\.docs\.live\.net|1drv\.ms)$/i;

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/gi, '&')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&#x([0-9a-f]{1,6});/gi, (entity: string, h: string) => codePoint(parseInt(h, 16)) ?? entity);

/**
 * The character of a numeric entity, or undefined for one that is not a character (past U+10FFFF,
 * or a lone surrogate): a mail from anyone can carry `&#x110000;`, on which String.fromCodePoint
 * throws, and this runs while the pane renders.
 */
function codePoint(n: number): string | undefined {
  if (!(n >= 0 && n <= 0x10ffff) || (n >= 0xd800 && n <= 0xdfff)) return undefined;
  return String.fromCodePoint(n);
}

/** Trailing punctuation that ends a sentence rather than the URL. */
const trimTrailing = (s: string) => s.replace(/[.,;:!?'"»)\]]+$/, '');

export function isDocumentLink(raw: string): boolean {
  const text = raw.replace(/^ms-(?:word|excel|powerpoint):(?:[a-z]+\|[a-z]+\|)?/i, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (/^[A-Za-z0-9_-]{22}$/.test(url.searchParams.get('docKey') ?? '')) return true;
  if (DOC_HOSTS.test(url.hostname.replace(/\.$/, ''))) return true;
  if (/\/_layouts\/1[56]\//i.test(url.pathname) || /^\/:[a-z]:\//i.test(url.pathname)) return true;
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path
  }
  return OFFICE_EXT.test(path);
}

/** Distinct document links of a body, in order of appearance, at most MAX_LINKS. */
export function extractDocumentLinks(body: string): string[] {
  const found: string[] = [];
  const add = (candidate: string) => {
    const url = trimTrailing(decodeEntities(candidate.trim()));
    if (url && !found.includes(url) && isDocumentLink(url)) found.push(url);
  };
  for (const m of body.matchAll(HREF)) add(m[2] ?? m[3] ?? m[4] ?? '');
  for (const m of body.matchAll(URL_IN_TEXT)) add(m[0]);
  return found.slice(0, MAX_LINKS);
}

/** A short label for a linked document: its file name, else the host. */
export function documentLabel(url: string): string {
  try {
    const u = new URL(url.replace(/^ms-(?:word|excel|powerpoint):(?:[a-z]+\|[a-z]+\|)?/i, ''));
    const file = u.searchParams.get('file') ?? u.pathname.split('/').filter(Boolean).pop() ?? '';
    const name = decodeURIComponent(file);
    return name && /\.[a-z]{3,4}$/i.test(name) ? name : u.hostname;
  } catch {
    return url.slice(0, 60);
  }
}
