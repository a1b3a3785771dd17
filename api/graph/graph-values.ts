/**
 * Graph's dateTimeTimeZone → epoch ms. Every request asks for UTC (Prefer: outlook.timezone="UTC"),
 * so a value without an offset is UTC.
 */
export function graphDateTime(v: { dateTime?: string; timeZone?: string } | null | undefined): number | null {
  if (!v?.dateTime) return null;
  const s = v.dateTime;
  const utc = /[zZ]$|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`;
  // Graph gives 7 fractional digits; Date.parse takes at most 3.
  const t = Date.parse(utc.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? null : t;
}

/** Exchange stores automatic replies as HTML; presence shows plain text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, '\n')
    .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

/** Escapes text for HTML bodies of mails we write. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
