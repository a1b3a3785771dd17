import type { Config } from '../../../core/config/index.js';
import type { Logger } from '../../../core/log/index.js';
import { LdapError, createLdapConnection, ldapConnectionOptionsFromConfig, normalizeFilter, type LdapConnection } from '../ldap-common/index.js';
import { parseAttributeMap } from './attribute-map.js';
import { LdapSource } from './ldap-source.js';

/**
 * The `ldap` source from configuration (LDAP_URL, LDAP_BASE_DN, LDAP_FILTER, LDAP_ATTRIBUTE_MAP,
 * and the connection settings), or null when LDAP is not configured or LDAP_KIND is not `ldap`.
 * `tuning` is for tests and benchmarks (a page size, another connection, another overlap).
 */
export function createLdapSource(
  config: Config,
  log?: Logger,
  tuning: { connection?: LdapConnection; pageSize?: number; batchSize?: number; overlapSeconds?: number; threaded?: boolean; spareIdleMs?: number } = {},
): LdapSource | null {
  const env = config.env;
  if (!env.LDAP_URL || env.LDAP_KIND !== 'ldap') return null;
  if (!env.LDAP_BASE_DN) throw new LdapError('config', 'LDAP_BASE_DN is required with LDAP_URL');
  const options = ldapConnectionOptionsFromConfig(config, tuning.pageSize ? { pageSize: tuning.pageSize } : {});
  return new LdapSource({
    connection: tuning.connection ?? createLdapConnection(options),
    // Opened only when an incremental pass needs group lookups.
    sideConnection: tuning.connection ? undefined : createLdapConnection(options),
    baseDn: env.LDAP_BASE_DN,
    filter: env.LDAP_FILTER ? normalizeFilter(env.LDAP_FILTER) : undefined,
    map: parseAttributeMap(env.LDAP_ATTRIBUTE_MAP),
    pageSize: options.pageSize,
    // A page size given for a test makes its pages the batches too (failures between batches).
    batchSize: tuning.batchSize ?? tuning.pageSize,
    overlapSeconds: tuning.overlapSeconds,
    // Full passes in a worker thread unless a connection was handed in (it cannot cross threads).
    threaded: !tuning.connection && tuning.threaded !== false,
    connectionOptions: options,
    spareIdleMs: tuning.spareIdleMs,
    log,
  });
}
