import { Fragment, type ReactNode } from 'react';

/**
 * Markdown-lite for chat: **bold**, *italics* or _italics_, `code`, [text](url) and bare
 * http(s) links. The result is React elements built from the text: HTML in a message is
 * never interpreted (no innerHTML anywhere), and only http, https and mailto links are made.
 */
export type MdNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'break' }
  | { readonly kind: 'bold' | 'italic'; readonly children: readonly MdNode[] }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'link'; readonly href: string; readonly children: readonly MdNode[] };

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const MAX_DEPTH = 4;

/** The URL if it is an absolute http, https or mailto URL; otherwise null. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// Earliest of: `code` | **bold** | *italic* | _italic_ | [text](url) | bare URL
const TOKEN =
  /`([^`\n]+)`|\*\*([^*\n](?:[^\n]*?[^*\n])?)\*\*|\*([^*\s](?:[^*\n]*?[^*\s])?)\*|(?<![A-Za-z0-9])_([^_\s](?:[^_\n]*?[^_\s])?)_(?![A-Za-z0-9])|\[([^\]\n]{1,500})\]\(([^()\s]{1,2000})\)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]'])/;

function inline(text: string, depth: number): MdNode[] {
  const out: MdNode[] = [];
  let rest = text;
  while (rest.length) {
    const m = depth < MAX_DEPTH ? TOKEN.exec(rest) : null;
    if (!m) {
      out.push({ kind: 'text', text: rest });
      break;
    }
    if (m.index > 0) out.push({ kind: 'text', text: rest.slice(0, m.index) });
    const [whole, code, bold, star, under, label, url, bare] = m;
    if (code !== undefined) out.push({ kind: 'code', text: code });
    else if (bold !== undefined) out.push({ kind: 'bold', children: inline(bold, depth + 1) });
    else if (star !== undefined || under !== undefined) out.push({ kind: 'italic', children: inline((star ?? under)!, depth + 1) });
    else if (label !== undefined) {
      const href = safeHref(url!);
      // An unsafe link (javascript:, data:, relative) stays exactly as typed.
      out.push(href ? { kind: 'link', href, children: inline(label, depth + 1) } : { kind: 'text', text: whole });
    } else if (bare !== undefined) {
      const href = safeHref(bare);
      out.push(href ? { kind: 'link', href, children: [{ kind: 'text', text: bare }] } : { kind: 'text', text: bare });
    }
    rest = rest.slice(m.index + whole.length);
  }
  return out;
}

/** Parses message text into nodes; line breaks are kept. */
export function parseMarkdownLite(text: string): MdNode[] {
  const out: MdNode[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) out.push({ kind: 'break' });
    out.push(...inline(line, 0));
  });
  return out;
}

function render(nodes: readonly MdNode[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.kind) {
      case 'text':
        return <Fragment key={i}>{n.text}</Fragment>;
      case 'break':
        return <br key={i} />;
      case 'bold':
        return <strong key={i}>{render(n.children)}</strong>;
      case 'italic':
        return <em key={i}>{render(n.children)}</em>;
      case 'code':
        return (
          <code
            key={i}
            style={{
              fontFamily: 'Consolas, ui-monospace, monospace',
              fontSize: '0.92em',
              padding: '0 3px',
              borderRadius: 3,
              background: 'rgba(127,127,127,0.15)',
            }}
          >
            {n.text}
          </code>
        );
      case 'link':
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {render(n.children)}
          </a>
        );
    }
  });
}

/** Renders a chat message as Markdown-lite, safely (text nodes and a few known elements only). */
export function MarkdownLite({ text }: { text: string }) {
  return <>{render(parseMarkdownLite(text))}</>;
}
