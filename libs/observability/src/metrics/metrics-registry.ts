import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A registry of one application's metrics, with prom-client's default Node.js process metrics
 * (CPU, memory, event loop lag, GC, handles). One per application instance rather than the
 * global registry, so that an API and a worker in one process (tests) never share a metric.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
