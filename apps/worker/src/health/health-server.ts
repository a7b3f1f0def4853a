import { createServer, type Server } from 'node:http';
import type { WorkerReadiness } from './worker-readiness';

/**
 * The worker has no API; this small HTTP listener answers `/health/live` and `/health/ready` for
 * orchestrators and `npm start` (port HERALD_WORKER_PORT; 0 disables it).
 */
export async function startHealthServer(readiness: WorkerReadiness, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.url === '/health/live') return reply(200, { status: 'ok' });
    if (request.url === '/health/ready') {
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
    reply(404, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'The worker serves /health/live and /health/ready',
    });
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(port, '0.0.0.0', resolve),
  );
  return server;
}
