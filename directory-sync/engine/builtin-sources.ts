import { SourceRegistry } from './source-registry.js';

/**
 * The sources the product ships, each built only when configured (a factory returns null
 * otherwise). Names are what `--source NAME`, sync_state and the admin API use. To plug a source
 * in, add one `register` line; dynamic imports keep unused clients off the start path.
 */
export function builtinSources(): SourceRegistry {
  return new SourceRegistry()
    .register('ldif', async ({ config }) => (config.env.LDIF_FILE ? new (await import('../sources/ldif/index.js')).LdifSource(config.env.LDIF_FILE) : null))
    .register('ldap', async ({ config, log }) =>
      config.env.LDAP_URL && config.env.LDAP_KIND === 'ldap' ? (await import('../sources/ldap/index.js')).createLdapSource(config, log) : null,
    )
    .register('ad', async ({ config }) =>
      config.env.LDAP_URL && config.env.LDAP_KIND === 'ad' ? (await import('../sources/active-directory/index.js')).createActiveDirectorySource(config) : null,
    )
    .register('graph', async ({ config, log }) =>
      config.env.GRAPH_TENANT_ID ? (await import('../sources/graph/index.js')).createGraphSourceFromConfig(config, log) : null,
    );
}
