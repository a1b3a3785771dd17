/**
 * `open` + the items joined by commas + `close`, as one UTF-8 buffer. For responses assembled from
 * JSON texts kept as bytes: one copy of each, where joining strings would walk every kept text's
 * rope again and encode the result to UTF-8 twice (once for Content-Length, once for the socket).
 */
export function jsonArrayBytes(open: string, items: readonly Buffer[], close: string): Buffer {
  let length = Buffer.byteLength(open) + Buffer.byteLength(close) + Math.max(0, items.length - 1);
  for (const item of items) length += item.length;
  const out = Buffer.allocUnsafe(length);
  let at = out.write(open, 0);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out[at++] = 0x2c;
    const item = items[i]!;
    out.set(item, at);
    at += item.length;
  }
  out.write(close, at);
  return out;
}
