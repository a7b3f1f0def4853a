import {
  createTestApi,
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type TestApi,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer } from '@herald/testing/http-assertions';
import { parsePrometheusText, type PrometheusExposition } from '@herald/testing/prometheus-text';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHealthServer } from '../../apps/worker/src/health/health-server';
import { WorkerReadiness } from '../../apps/worker/src/health/worker-readiness';
import { WorkerMetrics } from '../../apps/worker/src/metrics/worker-metrics';

const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'paused',
  'waiting-children',
  'completed',
  'failed',
];
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

async function scrape(api: TestApi): Promise<PrometheusExposition> {
  const response = await api.http.get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(response.text);
}

describe('Prometheus metrics', () => {
  describe('the API, GET /metrics', () => {
    let api: TestApi;
    let owner: ApiUser;

    beforeAll(async () => {
      api = await createTestApi();
      owner = await newApiUser(api);
    });
    afterAll(() => api.close());

    it('answers valid text exposition without credentials, with process metrics', async () => {
      const metrics = await scrape(api);
      expect(metrics.samples.length).toBeGreaterThan(50);
      expect(metrics.types.get('process_cpu_user_seconds_total')).toBe('counter');
      expect(metrics.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
      expect(metrics.types.get('herald_http_request_duration_seconds')).toBe('histogram');
      expect(metrics.types.get('herald_queue_jobs')).toBe('gauge');
      expect(metrics.types.get('herald_relay_lag_events')).toBe('gauge');
      expect(metrics.types.get('herald_relay_lag_seconds')).toBe('gauge');
    });

    it('times requests by method, route template (never the raw path) and status', async () => {
      const { webhook } = await subscribeWebhook(api, owner.apiKey, {
        url: 'http://127.0.0.1:9/hook',
        entity: 'Contact',
        operation: '*',
      });
      await api.http.get(`/v1/webhooks/${webhook.id}`).set(bearer(owner.apiKey)).expect(200);
      await api.http.get(`/v1/webhooks/${webhook.id}`).expect(401);
      await api.http.get('/no/such/route/42').expect(404);

      const metrics = await scrape(api);
      const count = (labels: Record<string, string>) =>
        metrics.sum('herald_http_request_duration_seconds_count', labels);
      expect(count({ method: 'GET', route: '/v1/webhooks/:id', status: '200' })).toBe(1);
      expect(count({ method: 'GET', route: '/v1/webhooks/:id', status: '401' })).toBe(1);
      expect(count({ method: 'POST', route: '/v1/webhooks', status: '201' })).toBe(1);
      expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
      const routes = metrics
        .find('herald_http_request_duration_seconds_count')
        .map((sample) => sample.labels.route);
      expect(routes.filter((route) => route.includes(webhook.id) || route.includes('42'))).toEqual(
        [],
      );
      const buckets = metrics.find('herald_http_request_duration_seconds_bucket', {
        route: '/v1/webhooks/:id',
        status: '200',
      });
      expect(buckets.find((bucket) => bucket.labels.le === '+Inf')?.value).toBe(1);
    });

    it('reports every state of both queues', async () => {
      const metrics = await scrape(api);
      for (const queue of ['events', 'deliveries']) {
        const states = metrics
          .find('herald_queue_jobs', { queue })
          .map((sample) => sample.labels.state);
        expect(states.sort()).toEqual([...QUEUE_STATES].sort());
      }
      // Nothing relays in this suite: no job was ever added to the events queue.
      expect(metrics.sum('herald_queue_jobs', { queue: 'events' })).toBe(0);
    });

    it('reports relay lag: every committed event until the relay checkpoint passes them', async () => {
      await postEntityChange(api, owner.apiKey, {
        entity: 'Contact',
        entityId: 'lag-1',
        operation: 'Update',
      });
      const [{ count }] = await api.db.query('SELECT count(*)::int AS count FROM events');
      let metrics = await scrape(api);
      expect(metrics.sum('herald_relay_lag_events')).toBe(count);
      expect(metrics.sum('herald_relay_lag_seconds')).toBeGreaterThan(0);

      await api.db.query(
        `INSERT INTO relay_checkpoints (name, transaction_id, position)
         SELECT 'relay', transaction_id, position FROM events
          ORDER BY transaction_id DESC, position DESC LIMIT 1`,
      );
      metrics = await scrape(api);
      expect(metrics.sum('herald_relay_lag_events')).toBe(0);
      expect(metrics.sum('herald_relay_lag_seconds')).toBe(0);

      await postEntityChange(api, owner.apiKey, {
        entity: 'Contact',
        entityId: 'lag-2',
        operation: 'Update',
      });
      metrics = await scrape(api);
      expect(metrics.sum('herald_relay_lag_events')).toBe(1);
    });
  });

  it('answers at once while Redis is away, without queue series', async () => {
    const noRedis = await createTestApi({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const started = Date.now();
      const metrics = await scrape(noRedis);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(metrics.find('herald_queue_jobs')).toEqual([]);
      expect(metrics.find('herald_relay_lag_events')).toHaveLength(1);
    } finally {
      await noRedis.close();
    }
  });

  it('needs Authorization: Bearer <HERALD_METRICS_TOKEN> when that is set', async () => {
    const guarded = await createTestApi({ HERALD_METRICS_TOKEN: METRICS_TOKEN });
    try {
      const anonymous = await guarded.http.get('/metrics').expect(401);
      expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(anonymous.text).not.toContain('herald_');
      await guarded.http
        .get('/metrics')
        .set(bearer(`${METRICS_TOKEN}x`))
        .expect(401);
      await guarded.http.get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
    } finally {
      await guarded.close();
    }
  });

  describe('the worker, GET /metrics on its health port', () => {
    let system: TestSystem;
    let owner: ApiUser;
    let server: Server;
    let base: string;
    const receivers: WebhookReceiver[] = [];

    async function scrapeWorker(): Promise<PrometheusExposition> {
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parsePrometheusText(await response.text());
    }

    beforeAll(async () => {
      system = await createTestSystem();
      owner = await newApiUser(system.api);
      server = await startHealthServer(system.worker.get(WorkerReadiness), 0, {
        registry: system.worker.get(WorkerMetrics).registry,
        token: null,
      });
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server?.close();
      await Promise.all(receivers.map((receiver) => receiver.close()));
      await system?.close();
    });

    it('serves the worker metrics, its process metrics and the queue depths', async () => {
      const metrics = await scrapeWorker();
      for (const name of [
        'herald_events_relayed_total',
        'herald_deliveries_created_total',
        'herald_deliveries_total',
        'herald_delivery_attempts_total',
        'herald_webhooks_disabled_total',
      ])
        expect(metrics.types.get(name)).toBe('counter');
      expect(metrics.types.get('herald_delivery_latency_seconds')).toBe('histogram');
      expect(metrics.types.get('herald_delivery_attempt_duration_seconds')).toBe('histogram');
      expect(metrics.types.get('process_resident_memory_bytes')).toBe('gauge');
      expect(metrics.find('herald_queue_jobs', { queue: 'deliveries' })).toHaveLength(
        QUEUE_STATES.length,
      );
      await expect(fetch(`${base}/health/live`).then((r) => r.status)).resolves.toBe(200);
    });

    it('counts a delivery from relay to success and observes its latency from the event commit', async () => {
      const before = await scrapeWorker();
      const receiver = await startWebhookReceiver();
      receivers.push(receiver);
      const { webhook } = await subscribeWebhook(system.api, owner.apiKey, {
        url: `${receiver.url}/ok`,
        entity: 'Company',
        operation: 'Create',
      });
      const event = await postEntityChange(system.api, owner.apiKey, {
        entity: 'Company',
        entityId: 'm-1',
        operation: 'Create',
      });
      await system.waitForDelivery(webhook.id, 'succeeded', { eventId: event.eventId });
      const [{ recorded_at: recordedAt }] = await system.api.db.query(
        'SELECT recorded_at FROM events WHERE id = $1',
        [event.eventId],
      );
      const ceiling = (Date.now() - new Date(recordedAt as Date).getTime()) / 1000;

      const after = await scrapeWorker();
      const moved = (name: string, labels?: Record<string, string>) =>
        after.sum(name, labels) - before.sum(name, labels);
      expect(moved('herald_events_relayed_total')).toBeGreaterThanOrEqual(1);
      expect(moved('herald_deliveries_created_total')).toBe(1);
      expect(moved('herald_deliveries_total', { outcome: 'succeeded' })).toBe(1);
      expect(moved('herald_delivery_attempts_total', { outcome: 'success' })).toBe(1);
      expect(moved('herald_delivery_attempt_duration_seconds_count')).toBe(1);
      expect(moved('herald_delivery_latency_seconds_count')).toBe(1);
      const latency = moved('herald_delivery_latency_seconds_sum');
      expect(latency).toBeGreaterThan(0);
      expect(latency).toBeLessThanOrEqual(ceiling);
    });

    it('counts a 410 as a gone attempt, an exhausted delivery and a webhook turned off (endpoint_gone)', async () => {
      const before = await scrapeWorker();
      const receiver = await startWebhookReceiver({ respond: () => ({ status: 410 }) });
      receivers.push(receiver);
      const { webhook } = await subscribeWebhook(system.api, owner.apiKey, {
        url: `${receiver.url}/gone`,
        entity: 'Job',
        operation: 'Create',
      });
      await postEntityChange(system.api, owner.apiKey, {
        entity: 'Job',
        entityId: 'm-2',
        operation: 'Create',
      });
      await system.waitForDelivery(webhook.id, 'exhausted');
      await system.waitFor('the webhook turned off', async () => {
        const [row] = await system.api.db.query('SELECT status FROM webhooks WHERE id = $1', [
          webhook.id,
        ]);
        return row?.status === 'off';
      });

      const after = await scrapeWorker();
      const moved = (name: string, labels?: Record<string, string>) =>
        after.sum(name, labels) - before.sum(name, labels);
      expect(moved('herald_webhooks_disabled_total', { reason: 'endpoint_gone' })).toBe(1);
      expect(moved('herald_delivery_attempts_total', { outcome: 'gone' })).toBe(1);
      expect(moved('herald_deliveries_total', { outcome: 'exhausted' })).toBe(1);
      expect(moved('herald_delivery_latency_seconds_count')).toBe(0);
    });

    it('counts a failed attempt that will be retried by what went wrong', async () => {
      const before = await scrapeWorker();
      let calls = 0;
      const receiver = await startWebhookReceiver({
        respond: () => ((calls += 1) === 1 ? { status: 500 } : { status: 204 }),
      });
      receivers.push(receiver);
      const { webhook } = await subscribeWebhook(system.api, owner.apiKey, {
        url: `${receiver.url}/flaky`,
        entity: 'Note',
        operation: 'Create',
      });
      await postEntityChange(system.api, owner.apiKey, {
        entity: 'Note',
        entityId: 'm-3',
        operation: 'Create',
      });
      await system.waitForDelivery(webhook.id, 'succeeded');

      const after = await scrapeWorker();
      const moved = (name: string, labels?: Record<string, string>) =>
        after.sum(name, labels) - before.sum(name, labels);
      expect(moved('herald_delivery_attempts_total', { outcome: 'http_error' })).toBe(1);
      expect(moved('herald_delivery_attempts_total', { outcome: 'success' })).toBe(1);
      expect(moved('herald_deliveries_total', { outcome: 'succeeded' })).toBe(1);
      expect(moved('herald_deliveries_total', { outcome: 'exhausted' })).toBe(0);
    });

    it('needs the bearer token on the health port too when HERALD_METRICS_TOKEN is set', async () => {
      const guarded = await startHealthServer(system.worker.get(WorkerReadiness), 0, {
        registry: system.worker.get(WorkerMetrics).registry,
        token: METRICS_TOKEN,
      });
      try {
        const url = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}/metrics`;
        const anonymous = await fetch(url);
        expect(anonymous.status).toBe(401);
        expect(await anonymous.text()).not.toContain('herald_');
        const allowed = await fetch(url, { headers: bearer(METRICS_TOKEN) });
        expect(allowed.status).toBe(200);
        await allowed.text();
      } finally {
        guarded.close();
      }
    });
  });
});
