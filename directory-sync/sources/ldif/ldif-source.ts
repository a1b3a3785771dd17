import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DirectoryEntry } from '../../model/directory-entry.js';
import type { DirectorySource, ReadOptions, ReadSummary, SourceBatch } from '../source.js';
import { LdifGroupIndex, recordKind, recordToEntry } from './ldif-mapping.js';
import { fileLines, parseLdif } from './ldif-parser.js';

export interface LdifSourceOptions {
  /** Source name in the store (default `ldif`). */
  readonly name?: string;
  /** Entries per batch. */
  readonly pageSize?: number;
}

/** SHA-256 of a file as it is now (hex), as the first read hashes it. */
async function digestOf(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * An LDIF export as a directory source, with full-replace semantics: every pass that reads the
 * file is complete, so entries no longer in it are deleted (two-phase, capped by the engine).
 * The watermark is the file's SHA-256: an unchanged file is a no-op unless a full pass is asked.
 * The file is parsed twice: first to validate it and index its groups (a broken line stops the
 * run before anything is applied), then to stream the entries.
 */
export class LdifSource implements DirectorySource {
  readonly name: string;
  readonly #pageSize: number;

  constructor(
    readonly file: string,
    options: LdifSourceOptions = {},
  ) {
    this.name = options.name ?? 'ldif';
    this.#pageSize = options.pageSize ?? 500;
  }

  async *read(options: ReadOptions): AsyncGenerator<SourceBatch, ReadSummary, void> {
    await stat(this.file).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`LDIF file ${this.file}: ${err.code === 'ENOENT' ? 'not found' : err.message}`);
    });
    const hash = createHash('sha256');
    const groups = new LdifGroupIndex();
    let total = 0;
    for await (const r of parseLdif(
      fileLines(this.file, (c) => hash.update(c)),
      this.file,
    )) {
      options.signal.throwIfAborted();
      const kind = recordKind(r);
      if (kind === 'group') groups.add(r);
      else if (kind !== 'other') total++;
    }
    const fileHash = hash.digest('hex');
    const watermark = { fileHash };
    if (!options.full && options.watermark?.fileHash === fileHash) return { complete: false, watermark, total };

    let page: DirectoryEntry[] = [];
    const warnings: string[] = [];
    const again = createHash('sha256');
    // An export rewritten while this second read goes on can cut it mid-record: the parser then
    // fails on what it got. That is the same rewrite as below, not a broken file, unless the file
    // is still the one validated by the first read.
    let cut = false;
    try {
      for await (const r of parseLdif(
        fileLines(this.file, (c) => again.update(c)),
        this.file,
      )) {
        const kind = recordKind(r);
        if (kind !== 'person' && kind !== 'contact') continue;
        try {
          page.push(recordToEntry(r, groups));
        } catch (err) {
          warnings.push(`${r.dn} (line ${r.line}): ${(err as Error).message}, skipped`);
        }
        if (page.length >= this.#pageSize) {
          options.signal.throwIfAborted();
          yield { upserts: page, deletes: [], warnings: warnings.splice(0) };
          page = [];
        }
      }
    } catch (err) {
      if (options.signal.aborted || (await digestOf(this.file)) === fileHash) throw err;
      cut = true;
    }
    // Read twice (groups first, then people): an export rewritten between the reads may have given
    // a cut-off second read. Its entries are applied, but nothing is deleted for what it lacked and
    // the old watermark stays, so the next run reads the file again.
    if (cut || again.digest('hex') !== fileHash) {
      warnings.push(`LDIF file ${this.file} changed while it was read: nothing deleted this time, it is read again on the next run`);
      yield { upserts: page, deletes: [], warnings: warnings.splice(0) };
      return { complete: false };
    }
    if (page.length || warnings.length) yield { upserts: page, deletes: [], warnings: warnings.splice(0) };
    // The hash commits only with the end of the pass: a pass cut short is read again next time.
    return { complete: true, watermark, total };
  }
}
