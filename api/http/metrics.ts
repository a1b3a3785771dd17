import type { Middleware } from 'koa';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Request count and latency by route pattern (never by raw path: ids would explode cardinality). */
export function httpMetrics(registry: Registry): Middleware {
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return async function metrics(ctx, next) {
    const end = latency.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? (ctx.path.startsWith('/v1/') ? 'unmatched' : 'static');
      end({ method: ctx.method, route });
      requests.inc({ method: ctx.method, route, status: String(ctx.status) });
    }
  };
}
