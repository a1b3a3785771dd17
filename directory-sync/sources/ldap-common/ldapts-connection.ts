import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { decodeEntriesOn } from './entry-decoder.js';
import type { LdapConnectionOptions } from './connection-options.js';
import type { LdapConnection, LdapSearchOptions } from './ldap-connection.js';
import type { LdapEntry } from './ldap-entry.js';
import { LdapConnectionError, LdapError, LdapTimeoutError, toLdapError } from './errors.js';
import { pagedSearch, searchOnce, searchRequest } from './paged-search.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * LdapConnection over ldapts 8.2. One ldapts Client at a time; when it has dropped (server
 * restart, idle timeout), the next operation opens a fresh one and redoes StartTLS and the bind
 * (ldapts' own autoRebind skips StartTLS sessions, so we do not rely on it).
 */
export class LdaptsConnection implements LdapConnection {
  private client: Client | undefined;
  private opening: Promise<Client> | undefined;
  private closed = false;
  private readonly host: string;
  private readonly secure: boolean;

  constructor(private readonly options: LdapConnectionOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') throw new LdapError('config', `LDAP_URL must be ldap:// or ldaps://, got ${options.url}`);
    this.host = url.hostname.replace(/^\[|\]$/g, '') || 'localhost';
    this.secure = url.protocol === 'ldaps:';
    if (options.bindDn && options.bindPassword === undefined) throw new LdapError('config', 'LDAP_BIND_PASSWORD is required with LDAP_BIND_DN');
  }

  get url(): string {
    return this.options.url;
  }

  async connect(): Promise<void> {
    await this.ready();
  }

  async *searchPages(base: string, options: LdapSearchOptions = {}): AsyncGenerator<LdapEntry[], void, void> {
    let pages: AsyncGenerator<LdapEntry[], void, void> | undefined;
    let first = true;
    try {
      for (let attempt = 0; ; attempt++) {
        const client = await this.ready();
        // Our own paging loop, not ldapts' searchPaginated: see pagedSearch for why.
        pages = pagedSearch(client, base, searchOptions(options), options.controls ?? [], options.pageSize ?? this.options.pageSize);
        try {
          let pending = pages.next();
          for (;;) {
            const next = await pending;
            if (next.done) return;
            first = false;
            // Ask for the next page before handing this one out: the server prepares it while
            // the caller works on this one. Its failure surfaces when awaited, not as unhandled.
            pending = pages.next();
            pending.catch(() => {});
            yield next.value;
          }
        } catch (err) {
          const e = toLdapError(err, `search ${base}`);
          // Before the first page nothing was handed out: a dropped connection may be retried.
          // After it, the server's paging cookie died with the connection: the pass is incomplete.
          if (!first || !(e instanceof LdapConnectionError) || attempt >= 1) throw e;
          this.drop();
        }
      }
    } finally {
      // Abandon a search the caller stopped early: ldapts has nothing to cancel, the next
      // operation on this connection simply goes on.
      await pages?.return(undefined).catch(() => {});
    }
  }

  async search(base: string, options: LdapSearchOptions = {}): Promise<LdapEntry[]> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.ready();
      try {
        return await searchOnce(client, searchRequest(base, searchOptions(options), options.controls ?? []));
      } catch (err) {
        const e = toLdapError(err, `search ${base}`);
        if (!(e instanceof LdapConnectionError) || attempt >= 1) throw e;
        this.drop();
      }
    }
  }

  async readRootDse(attributes: readonly string[] = ['*', '+']): Promise<LdapEntry> {
    const [entry] = await this.search('', { scope: 'base', filter: '(objectClass=*)', attributes });
    if (!entry) throw new LdapError('operation', `${this.options.url}: the server returned no root DSE`);
    return entry;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (client) await client.unbind().catch(() => {});
  }

  /** The current client when it is still connected and bound; otherwise a fresh one. */
  private async ready(): Promise<Client> {
    if (this.closed) throw new LdapConnectionError(`${this.options.url}: connection closed`);
    if (this.client?.isBound) return this.client;
    this.drop();
    this.opening ??= this.openWithRetries().finally(() => (this.opening = undefined));
    this.client = await this.opening;
    return this.client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    // unbind() also destroys the socket; its answer does not matter on a dead connection.
    if (client) void client.unbind().catch(() => {});
  }

  private async openWithRetries(): Promise<Client> {
    let delay = this.options.reconnectDelayMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.open();
      } catch (err) {
        const e = toLdapError(err, `connect to ${this.options.url}`);
        if (!e.retryable || attempt >= this.options.reconnectAttempts || this.closed) throw e;
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  private tlsOptions(): ConnectionOptions {
    return {
      ca: this.options.ca ? [this.options.ca] : undefined,
      // SNI takes host names only; the certificate is still checked against an IP address.
      servername: this.options.tlsServerName ?? (isIP(this.host) ? undefined : this.host),
      host: this.host,
      minVersion: 'TLSv1.2',
    };
  }

  private async open(): Promise<Client> {
    const o = this.options;
    const client = new Client({
      url: o.url,
      timeout: o.timeoutMs,
      connectTimeout: o.connectTimeoutMs,
      // Only for ldaps://: ldapts treats any tlsOptions as "connect with TLS right away".
      tlsOptions: this.secure ? this.tlsOptions() : undefined,
      strictDN: false,
    });
    decodeEntriesOn(client);
    const steps = async () => {
      if (o.startTls) await client.startTLS(this.tlsOptions());
      // An anonymous simple bind when no DN is configured: it also opens the connection.
      await client.bind(o.bindDn ?? '', o.bindPassword ?? '');
    };
    try {
      if (!o.connectTimeoutMs) await steps();
      else {
        // The TLS handshake of StartTLS has no timeout of its own in ldapts.
        let timer: NodeJS.Timeout | undefined;
        const limit = o.connectTimeoutMs + o.timeoutMs;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new LdapTimeoutError(`connect to ${o.url}: no answer within ${limit} ms`)), limit);
        });
        try {
          await Promise.race([steps(), timeout]);
        } finally {
          clearTimeout(timer);
        }
      }
      return client;
    } catch (err) {
      void client.unbind().catch(() => {});
      throw toLdapError(err, o.startTls ? `StartTLS/bind to ${o.url}` : `bind to ${o.url}`);
    }
  }
}

function searchOptions(options: LdapSearchOptions) {
  return {
    scope: options.scope ?? 'sub',
    filter: options.filter ?? '(objectClass=*)',
    attributes: options.attributes ? [...options.attributes] : undefined,
    explicitBufferAttributes: options.binaryAttributes ? [...options.binaryAttributes] : undefined,
    sizeLimit: options.sizeLimit,
    timeLimit: options.timeLimitSeconds,
  } as const;
}

/** Opens (lazily) a connection with the given options. */
export function createLdapConnection(options: LdapConnectionOptions): LdapConnection {
  return new LdaptsConnection(options);
}
