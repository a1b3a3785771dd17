import type { Config } from '../../core/config/index.js';
import type { Logger } from '../../core/log/index.js';
import type { DirectorySource } from '../sources/source.js';

export interface SourceContext {
  readonly config: Config;
  readonly log: Logger;
}

/** Builds a source from the configuration, or returns null when it is not configured. */
export type SourceFactory = (ctx: SourceContext) => Promise<DirectorySource | null> | DirectorySource | null;

/** The directory sources the product knows, by name; sync, the CLI and the admin API use it. */
export class SourceRegistry {
  readonly #factories = new Map<string, SourceFactory>();

  register(name: string, factory: SourceFactory): this {
    this.#factories.set(name, factory);
    return this;
  }

  names(): string[] {
    return [...this.#factories.keys()];
  }

  /** The configured sources, in registration order. A factory that throws is a configuration error. */
  async create(ctx: SourceContext): Promise<DirectorySource[]> {
    const out: DirectorySource[] = [];
    for (const [name, factory] of this.#factories) {
      let source: DirectorySource | null;
      try {
        source = await factory(ctx);
      } catch (err) {
        throw new Error(`source ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (source) out.push(source);
    }
    return out;
  }
}
