import { answerMetricsScrape } from '@herald/observability';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { WorkerReadiness } from './worker-readiness';

/** What `/metrics` serves, and the bearer token it requires (null: none). */
export interface HealthServerMetrics {
  registry: Registry;
  token: string | null;
}

/**
 * The worker has no API; this small HTTP listener answers `/health/live` and `/health/ready` for
 * orchestrators and `npm start`, and `/metrics` for Prometheus (port HERALD_WORKER_PORT; 0
 * disables it; port 0 given here directly picks a free one).
 */
export async function startHealthServer(
  readiness: WorkerReadiness,
  port: number,
  metrics?: HealthServerMetrics,
): Promise<Server> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = (request.url ?? '').split('?')[0];
    if (path === '/health/live') return reply(200, { status: 'ok' });
    if (path === '/health/ready') {
      readiness.check().then(
        (report) =>
          reply(report.ready ? 200 : 503, {
            status: report.ready ? 'ready' : 'unavailable',
            checks: report.checks,
          }),
        () => reply(503, { status: 'unavailable' }),
      );
      return;
    }
    if (path === '/metrics' && metrics && request.method === 'GET') {
      answerMetricsScrape(metrics.registry, metrics.token, request.headers.authorization).then(
        (answer) => response.writeHead(answer.status, answer.headers).end(answer.body),
        () => reply(500, { type: 'about:blank', title: 'Internal Server Error', status: 500 }),
      );
      return;
    }
    reply(404, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `The worker serves /health/live, /health/ready${metrics ? ' and /metrics' : ''}`,
    });
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(port, '0.0.0.0', resolve),
  );
  return server;
}
