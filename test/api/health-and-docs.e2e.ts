import { createTestApi, type TestApi } from '@herald/testing';
import { isRecord } from '@herald/testing/http-assertions';

/** The Sessions, You and Admin routes of API.md that this issue ships (admin webhook routes come later). */
const DOCUMENTED_ROUTES: [string, string][] = [
  ['post', '/v1/auth/login'],
  ['post', '/v1/auth/logout'],
  ['get', '/v1/me'],
  ['post', '/v1/me/api-key'],
  ['delete', '/v1/me/api-key'],
  ['post', '/v1/admin/users'],
  ['get', '/v1/admin/users'],
  ['get', '/v1/admin/users/{userId}'],
  ['delete', '/v1/admin/users/{userId}/api-key'],
  ['get', '/v1/admin/events'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
];
const PUBLIC_OPERATIONS = ['post /v1/auth/login', 'get /health/live', 'get /health/ready'];

function record(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value))
    throw new Error(`expected ${what} to be an object, got ${JSON.stringify(value)}`);
  return value;
}

describe('health and documentation', () => {
  let api: TestApi;
  let document: Record<string, unknown>;
  let paths: Record<string, unknown>;

  function operation(method: string, path: string): Record<string, unknown> {
    return record(record(paths[path], `paths["${path}"]`)[method], `${method} ${path}`);
  }

  function parameterNames(method: string, path: string): string[] {
    const parameters = operation(method, path).parameters;
    return Array.isArray(parameters)
      ? parameters.map((parameter) => String(record(parameter, 'parameter').name))
      : [];
  }

  function securitySchemes(method: string, path: string): string[] {
    const security = operation(method, path).security;
    return Array.isArray(security)
      ? security.flatMap((requirement) => Object.keys(record(requirement, 'security requirement')))
      : [];
  }

  beforeAll(async () => {
    api = await createTestApi();
    const response = await api.http.get('/docs-json').expect(200);
    document = record(response.body, 'the OpenAPI document');
    paths = record(document.paths, 'paths');
  });
  afterAll(() => api.close());

  describe('health', () => {
    it('GET /health/live is 200 without credentials', async () => {
      const response = await api.http.get('/health/live').expect(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('GET /health/ready is 200 with PostgreSQL, Redis and migrations up', async () => {
      const response = await api.http.get('/health/ready').expect(200);
      expect(response.body).toEqual({
        status: 'ready',
        checks: {
          postgres: { status: 'up' },
          redis: { status: 'up' },
          migrations: { status: 'up' },
        },
      });
    });

    it('GET /health/ready is 503 naming Redis when Redis is unreachable, while /health/live stays 200', async () => {
      const noRedis = await createTestApi({ REDIS_URL: 'redis://127.0.0.1:1' });
      try {
        const response = await noRedis.http.get('/health/ready').expect(503);
        expect(response.body).toMatchObject({
          status: 'unavailable',
          checks: { postgres: { status: 'up' }, redis: { status: 'down' } },
        });
        await noRedis.http.get('/health/live').expect(200);
      } finally {
        await noRedis.close();
      }
    });

    it('GET /health/ready is 503 naming migrations when one is pending', async () => {
      const behind = await createTestApi();
      try {
        await behind.db.query(`DELETE FROM migrations WHERE id = (SELECT max(id) FROM migrations)`);
        const response = await behind.http.get('/health/ready').expect(503);
        expect(response.body).toMatchObject({
          checks: { postgres: { status: 'up' }, migrations: { status: 'down' } },
        });
      } finally {
        await behind.close();
      }
    });
  });

  describe('documentation', () => {
    it('GET /docs is 200 HTML (Swagger UI)', async () => {
      const response = await api.http.get('/docs').redirects(2).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toMatch(/swagger/i);
    });

    it('GET /docs-json is an OpenAPI 3 document titled Herald', () => {
      expect(String(document.openapi)).toMatch(/^3\./);
      expect(record(document.info, 'info').title).toBe('Herald');
    });

    it.each(DOCUMENTED_ROUTES)('documents %s %s', (method, path) => {
      expect(Object.keys(paths)).toContain(path);
      expect(operation(method, path)).toEqual(
        expect.objectContaining({ responses: expect.any(Object) }),
      );
    });

    it('documents the query parameters of the list routes', () => {
      expect(parameterNames('get', '/v1/admin/users')).toEqual(
        expect.arrayContaining(['apiAccess', 'limit', 'cursor']),
      );
      expect(parameterNames('get', '/v1/admin/events')).toEqual(
        expect.arrayContaining(['after', 'type', 'stream', 'limit', 'cursor']),
      );
      expect(parameterNames('get', '/v1/admin/users/{userId}')).toContain('userId');
    });

    it('documents no webhook secret, password hash or key hash in any response schema', () => {
      const schemas = JSON.stringify(record(document.components, 'components').schemas ?? {});
      expect(schemas).not.toMatch(/passwordHash|keyHash|tokenHash/);
    });

    it('declares a security requirement on every operation that needs credentials', () => {
      const missing = DOCUMENTED_ROUTES.filter(
        ([method, path]) => !PUBLIC_OPERATIONS.includes(`${method} ${path}`),
      )
        .filter(([method, path]) => securitySchemes(method, path).length === 0)
        .map(([method, path]) => `${method} ${path}`);
      expect(missing).toEqual([]);
    });

    it('offers X-Api-Key (the api-key scheme) on every operation that accepts API keys', () => {
      const schemes = record(
        record(document.components, 'components').securitySchemes,
        'securitySchemes',
      );
      expect(Object.keys(schemes)).toEqual(expect.arrayContaining(['bearer', 'api-key']));
      const missing = DOCUMENTED_ROUTES.filter(
        ([method, path]) => !PUBLIC_OPERATIONS.includes(`${method} ${path}`),
      )
        .filter(([method, path]) => !securitySchemes(method, path).includes('api-key'))
        .map(([method, path]) => `${method} ${path}`);
      expect(missing).toEqual([]);
    });
  });
});
