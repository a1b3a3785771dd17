import { SourceRegistry } from './source-registry.js';

/**
 * The sources the product ships, each built only when configured. To plug a source in, add one
 * `register` line (dynamic import keeps optional dependencies off the start path):
 *
 *   .register('ldap', async ({ config, log }) => config.env.LDAP_URL && config.env.LDAP_KIND === 'ldap'
 *     ? new (await import('../sources/ldap/index.js')).LdapSource(config, log) : null)
 */
export function builtinSources(): SourceRegistry {
  return new SourceRegistry().register('ldif', async ({ config }) => {
    const file = config.env.LDIF_FILE;
    if (!file) return null;
    const { LdifSource } = await import('../sources/ldif/index.js');
    return new LdifSource(file);
  })
    .register('ldap', async ({ config, log }) => (await import('../sources/ldap/index.js')).createLdapSource(config, log))
    .register('graph', async ({ config, log }) => (await import('../sources/graph/index.js')).createGraphSourceFromConfig(config, log));
}
