import { readFileSync } from 'node:fs';
import type { Config } from '../../../core/config/index.js';

/** Where and how the product talks to Microsoft Graph; parsed once from Config. */
export interface GraphSettings {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Graph origin, e.g. https://graph.microsoft.com */
  readonly origin: string;
  /** Version segment, e.g. v1.0 */
  readonly version: string;
  /** Token authority host URL, e.g. https://login.microsoftonline.com */
  readonly authority: string;
  /** Extra CA certificates (PEM) to trust for Graph and the authority (GRAPH_CA_FILE). */
  readonly ca?: string;
}

/** The Graph settings of a Config, or null when Graph is not configured (no GRAPH_TENANT_ID). */
export function graphSettingsFrom(config: Config): GraphSettings | null {
  const env = config.env;
  if (!env.GRAPH_TENANT_ID || !env.GRAPH_CLIENT_ID || !env.GRAPH_CLIENT_SECRET) return null;
  const base = new URL(env.GRAPH_BASE_URL);
  const version = base.pathname.replace(/^\/+|\/+$/g, '') || 'v1.0';
  return Object.freeze({
    tenantId: env.GRAPH_TENANT_ID,
    clientId: env.GRAPH_CLIENT_ID,
    clientSecret: env.GRAPH_CLIENT_SECRET,
    origin: base.origin,
    version,
    authority: env.GRAPH_AUTHORITY.replace(/\/+$/, ''),
    ca: env.GRAPH_CA_FILE ? readFileSync(env.GRAPH_CA_FILE, 'utf8') : undefined,
  });
}
