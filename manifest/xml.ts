/** A tiny XML builder: enough for manifests, with escaping done in one place. */
export type XmlNode = { name: string; attrs?: Record<string, string | undefined>; children?: (XmlNode | string)[] };

export const el = (name: string, attrs: Record<string, string | undefined> = {}, ...children: (XmlNode | string | false | undefined)[]): XmlNode => ({
  name,
  attrs,
  children: children.filter((c): c is XmlNode | string => c !== false && c !== undefined),
});

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderXml(node: XmlNode, indent = ''): string {
  const attrs = Object.entries(node.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escape(v!)}"`)
    .join('');
  const kids = node.children ?? [];
  if (kids.length === 0) return `${indent}<${node.name}${attrs}/>`;
  if (kids.length === 1 && typeof kids[0] === 'string') return `${indent}<${node.name}${attrs}>${escape(kids[0])}</${node.name}>`;
  const inner = kids.map((k) => (typeof k === 'string' ? indent + '  ' + escape(k) : renderXml(k, indent + '  '))).join('\n');
  return `${indent}<${node.name}${attrs}>\n${inner}\n${indent}</${node.name}>`;
}

export const document = (root: XmlNode) => `<?xml version="1.0" encoding="UTF-8"?>\n${renderXml(root)}\n`;
