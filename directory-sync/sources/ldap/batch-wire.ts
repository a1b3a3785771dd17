// A SourceBatch as the read worker posts it to the engine's thread. Structured clone of thousands
// of small objects costs more on the receiving side than parsing the same data as JSON text, and
// every photo would be copied twice: each entry goes as its JSON text, the photos as one
// transferred buffer. Each entry's JSON is exactly what contentHash hashes, so the worker hashes
// the text it just made: since the worker decodes entries itself (ldap-common/entry-decoder), the
// engine's thread is the pass's critical path and the worker has time to spare. The texts stay apart
// rather than joined into one JSON array: a page's array (about 250 KB) is a large object to V8,
// allocated on fresh pages each time, and it was built, flattened and copied once more by
// postMessage, each time paying page faults (10 % of the reader thread's CPU).
import { contentHashOf } from '../../directory/directory-writer.js';
import type { DirectoryEntry } from '../../model/directory-entry.js';
import type { SourceBatch, Watermark } from '../source.js';

/** photoLengths value of an entry whose photo is null (it has none). */
const NO_PHOTO = -1;
/** photoLengths value of an entry whose photo is undefined (the source says nothing). */
const PHOTO_UNSAID = -2;

export interface WireBatch {
  /** JSON of each upsert without its photo. */
  readonly entries: readonly string[];
  /** contentHash of each upsert. */
  readonly hashes: readonly string[];
  /** The photos of the batch back to back. */
  readonly photos: ArrayBuffer;
  /** Per upsert: its photo's length in `photos`, NO_PHOTO or PHOTO_UNSAID. */
  readonly photoLengths: Int32Array;
  readonly deletes: readonly string[];
  readonly warnings?: readonly string[];
  readonly watermark?: Watermark;
}

/** The message and the buffers to transfer with it (postMessage(message, transfer)). */
export function packBatch(batch: SourceBatch): { message: WireBatch; transfer: ArrayBuffer[] } {
  const n = batch.upserts.length;
  const parts = new Array<string>(n);
  const hashes = new Array<string>(n);
  const photoLengths = new Int32Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    // The photo is left out of the text by setting it undefined (JSON omits it) for the call: a
    // copy of the entry without it ({ photo, ...rest }) cost a quarter of the packing.
    const e = batch.upserts[i]! as { photo?: Uint8Array | null };
    const photo = e.photo;
    e.photo = undefined;
    parts[i] = JSON.stringify(e);
    e.photo = photo;
    hashes[i] = contentHashOf(parts[i]!, photo);
    photoLengths[i] = photo ? photo.byteLength : photo === null ? NO_PHOTO : PHOTO_UNSAID;
    if (photo) bytes += photo.byteLength;
  }
  const photos = new ArrayBuffer(bytes);
  const into = new Uint8Array(photos);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const photo = batch.upserts[i]!.photo;
    if (!photo) continue;
    into.set(photo, at);
    at += photo.byteLength;
  }
  const message: WireBatch = {
    entries: parts,
    hashes,
    photos,
    photoLengths,
    deletes: batch.deletes,
    ...(batch.warnings?.length ? { warnings: batch.warnings } : {}),
    ...(batch.watermark ? { watermark: batch.watermark } : {}),
  };
  return { message, transfer: [photos, photoLengths.buffer as ArrayBuffer] };
}

/** Packed batches back as one batch, in order: photos as views into the transferred buffers, the last watermark given. */
export function unpackBatches(parts: readonly WireBatch[]): SourceBatch {
  const upserts: { photo?: Uint8Array | null }[] = [];
  const hashes: string[] = [];
  const deletes: string[] = [];
  const warnings: string[] = [];
  let watermark: Watermark | undefined;
  for (const m of parts) {
    let at = 0;
    for (let i = 0; i < m.entries.length; i++) {
      const json = m.entries[i]!;
      const e = JSON.parse(json) as { photo?: Uint8Array | null };
      const len = m.photoLengths[i]!;
      if (len >= 0) {
        e.photo = new Uint8Array(m.photos, at, len);
        at += len;
      } else if (len === NO_PHOTO) e.photo = null;
      upserts.push(e);
      hashes.push(m.hashes[i]!);
    }
    deletes.push(...m.deletes);
    if (m.warnings) warnings.push(...m.warnings);
    if (m.watermark) watermark = m.watermark;
  }
  return {
    upserts: upserts as DirectoryEntry[],
    hashes,
    deletes,
    ...(warnings.length ? { warnings } : {}),
    ...(watermark ? { watermark } : {}),
  };
}
