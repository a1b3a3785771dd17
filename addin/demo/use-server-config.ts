import { useEffect, useState } from 'react';

/** What the demo host reads from the server's public pane settings (`/addin/config.json`). */
export interface DemoServerConfig {
  readonly authMode: string;
  /** The demo-only activity simulator is changing some demo people's status. */
  readonly demoSimulator: boolean;
}

/** The server's pane settings, fetched once; null until they arrive (or if they cannot be read). */
export function useServerConfig(): DemoServerConfig | null {
  const [config, setConfig] = useState<DemoServerConfig | null>(null);
  useEffect(() => {
    fetch('/addin/config.json')
      .then((r) => (r.ok ? (r.json() as Promise<Partial<DemoServerConfig>>) : null))
      .then((c) => setConfig(c?.authMode ? { authMode: c.authMode, demoSimulator: c.demoSimulator === true } : null))
      .catch(() => setConfig(null));
  }, []);
  return config;
}
