// Placeholder until the LDIF source lands (next commit).
import type { DirectorySource, ReadSummary, SourceBatch } from '../source.js';
export class LdifSource implements DirectorySource {
  readonly name = 'ldif';
  constructor(readonly file: string) {}
  // eslint-disable-next-line require-yield
  async *read(): AsyncGenerator<SourceBatch, ReadSummary, void> {
    return { complete: false };
  }
}
