import { ACCESS_METADATA } from '../../apps/api/src/auth/access.decorator';
import {
  createTestApi,
  enableApiKey,
  login,
  newUser,
  type TestApi,
  type TestUser,
} from '@herald/testing';
import { bearer, expectProblem } from '@herald/testing/http-assertions';
import {
  controllerRoutes,
  fillPath,
  registeredRoutes,
  type ControllerRoute,
  type RegisteredRoute,
} from '@herald/testing/routes';
import { resetAuthFailures } from '@herald/testing/test-redis';
import type { Test } from 'supertest';

/** Routes that Swagger registers itself (not Nest controllers): public documentation by design. */
const DOCUMENTATION_ROUTE = /^\/docs(\/|-json$|-yaml$|$)/;
const ACCESS_LEVELS = ['public', 'user', 'admin'];

describe('authorization of every route', () => {
  let api: TestApi;
  let user: TestUser;
  let userKey: string;
  let routes: RegisteredRoute[];
  let declared: ControllerRoute[];
  let params: Record<string, string>;

  const key = (route: RegisteredRoute): string => `${route.method.toUpperCase()} ${route.path}`;

  function call(route: RegisteredRoute): Test {
    const path = fillPath(route.path, params, params.userId);
    return api.http[route.method](path);
  }

  function accessOf(route: RegisteredRoute): unknown {
    return declared.find((candidate) => key(candidate) === key(route))?.access;
  }

  beforeAll(async () => {
    api = await createTestApi();
    user = await newUser(api);
    userKey = await enableApiKey(api, user);
    // A real id for every path parameter, so a 404 could never stand in for the 401/403 we expect.
    params = { userId: user.id };
    routes = registeredRoutes(api.app);
    declared = controllerRoutes(api.app, ACCESS_METADATA);
  });
  afterAll(() => api.close());
  beforeEach(() => resetAuthFailures(api));

  describe('the route inventory', () => {
    it('finds at least 10 routes on the Express router, and at least 10 controller handlers', () => {
      expect(
        routes.filter((route) => !DOCUMENTATION_ROUTE.test(route.path)).length,
      ).toBeGreaterThanOrEqual(10);
      expect(declared.length).toBeGreaterThanOrEqual(10);
    });

    it('every registered route outside /docs is a controller handler, and every handler is registered', () => {
      const registered = routes
        .filter((route) => !DOCUMENTATION_ROUTE.test(route.path))
        .map(key)
        .sort();
      expect(registered).toEqual(declared.map(key).sort());
    });

    it('every controller route handler declares @Access (public, user or admin)', () => {
      const undeclared = declared
        .filter((route) => !ACCESS_LEVELS.includes(String(route.access)))
        .map((route) => `${route.controller}.${route.handler} (${key(route)})`);
      expect(undeclared).toEqual([]);
    });

    it('every /v1/admin route is declared admin, and only the sign-in, health and console shell routes are public', () => {
      const admin = declared.filter(
        (route) => route.path.startsWith('/v1/admin/') || route.path === '/v1/admin',
      );
      expect(admin.length).toBeGreaterThanOrEqual(5);
      expect(admin.filter((route) => route.access !== 'admin').map(key)).toEqual([]);
      const publicRoutes = declared
        .filter((route) => route.access === 'public')
        .map(key)
        .sort();
      expect(publicRoutes).toEqual([
        // The web console's HTML shell and static files: what it shows comes from the API.
        'GET /console',
        'GET /console/assets/:file',
        'GET /health/live',
        'GET /health/ready',
        // Prometheus scrapes it; HERALD_METRICS_TOKEN can require a bearer token of its own.
        'GET /metrics',
        'POST /v1/auth/login',
      ]);
    });
  });

  describe('anonymous callers', () => {
    it('get 401 problem+json on every non-public route', async () => {
      const failures: string[] = [];
      for (const route of routes) {
        if (DOCUMENTATION_ROUTE.test(route.path) || accessOf(route) === 'public') continue;
        const response = await call(route);
        try {
          expectProblem(response, 401);
        } catch (error) {
          failures.push(`${key(route)}: ${(error as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('get 401 with a malformed Authorization header, an empty X-Api-Key or a garbage cookie', async () => {
      for (const headers of [
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: 'Bearer' },
        { authorization: 'Bearer ' },
        { 'x-api-key': '' },
        { cookie: 'herald_session=hrs_garbage' },
      ]) {
        await resetAuthFailures(api);
        expectProblem(await api.http.get('/v1/me').set(headers), 401);
      }
    });

    it('are not counted as failed sign-ins: 25 credential-less requests all get 401, and signing in still works', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await api.http.get('/v1/me')).status);
      expect(statuses.filter((status) => status !== 401)).toEqual([]);
      const login = await api.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password });
      expect(login.status).toBe(200);
    });
  });

  describe('non-admin users', () => {
    it('get 403 problem+json on every admin route, with a session token', async () => {
      const failures: string[] = [];
      for (const route of routes.filter((candidate) => candidate.path.startsWith('/v1/admin'))) {
        const response = await call(route).set(bearer(user.token)).send({});
        try {
          expectProblem(response, 403);
        } catch (error) {
          failures.push(`${key(route)}: ${(error as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('get 403 problem+json on every admin route, with an API key in either header', async () => {
      const failures: string[] = [];
      for (const route of routes.filter((candidate) => candidate.path.startsWith('/v1/admin'))) {
        for (const headers of [bearer(userKey), { 'x-api-key': userKey }]) {
          const response = await call(route).set(headers);
          try {
            expectProblem(response, 403);
          } catch (error) {
            failures.push(`${key(route)} ${Object.keys(headers)[0]}: ${(error as Error).message}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('changed nothing with those refused admin calls (their key still works, no KeyCleared)', async () => {
      await api.http.get('/v1/me').set('x-api-key', userKey).expect(200);
      const rows: { n: number }[] = await api.db.query(
        `SELECT count(*)::int AS n FROM events WHERE type = 'KeyCleared'`,
      );
      expect(rows[0].n).toBe(0);
    });

    it('reach every non-admin, non-public route (no 401/403), each with a fresh session', async () => {
      const refused: string[] = [];
      for (const route of routes) {
        if (
          DOCUMENTATION_ROUTE.test(route.path) ||
          route.path.startsWith('/v1/admin') ||
          accessOf(route) === 'public'
        )
          continue;
        // A fresh session per route: logout and key changes must not affect the next call.
        // API access back on too: routes such as POST /v1/entity-changes answer 403 without it.
        await enableApiKey(api, user);
        const response = await call(route).set(bearer(await login(api, user.email, user.password)));
        if ([401, 403].includes(response.status) || response.status >= 500)
          refused.push(`${key(route)}: ${response.status}`);
      }
      expect(refused).toEqual([]);
    });
  });

  describe('public routes', () => {
    it('answer anonymous callers without 401/403', async () => {
      const health = await api.http.get('/health/live');
      expect(health.status).toBe(200);
      const login = await api.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password });
      expect(login.status).toBe(200);
    });
  });
});
