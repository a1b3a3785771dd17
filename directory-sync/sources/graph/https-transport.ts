import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export interface TransportRequest {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}

/** Sends one HTTP request and answers a fetch Response; the only code that opens sockets to Graph. */
export type Transport = (url: string, req: TransportRequest) => Promise<Response>;

/**
 * A keep-alive HTTP(S) transport that trusts the system CAs plus `ca` (GRAPH_CA_FILE): Node's
 * global fetch cannot take an extra CA per call, node:https can.
 */
export function createHttpsTransport(options: { ca?: string; timeoutMs?: number; maxSockets?: number } = {}): Transport & { close(): void } {
  // Giving `ca` replaces the default roots; keep them so the real Graph stays trusted.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 32 };
  const httpsAgent = new https.Agent({ ...agentOptions, ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}) });
  const httpAgent = new http.Agent(agentOptions);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const send = (url: string, req: TransportRequest): Promise<Response> =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const isHttps = u.protocol === 'https:';
      const r = (isHttps ? https : http).request(
        u,
        { method: req.method, headers: req.headers, agent: isHttps ? httpsAgent : httpAgent, signal: req.signal, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (v === undefined) continue;
              for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
            }
            const status = res.statusCode ?? 0;
            const noBody = status === 204 || status === 304 || req.method === 'HEAD';
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers }));
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error(`request to ${u.host} timed out after ${timeoutMs} ms`)));
      r.on('error', reject);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  return Object.assign(send, {
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  });
}
