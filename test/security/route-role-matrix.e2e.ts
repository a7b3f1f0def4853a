import { randomBytes, randomUUID } from 'node:crypto';
import {
  adminToken,
  enableApiKey,
  login,
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  TEST_ADMIN,
  type ApiUser,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer, expectProblem, isProblem } from '@herald/testing/http-assertions';
import {
  controllerRoutes,
  fillPath,
  registeredRoutes,
  type ControllerRoute,
  type RegisteredRoute,
} from '@herald/testing/routes';
import { resetAuthFailures } from '@herald/testing/test-redis';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';
import type { Response, Test } from 'supertest';
import { ACCESS_METADATA, type AccessLevel } from '../../apps/api/src/auth/access.decorator';

/*
 * Pass criterion (issue 5, item 9): for every route on the API's Express router (found at run
 * time by libs/testing/src/routes.ts, so a new route is in the matrix without editing this file)
 * and every caller — anonymous; user A, who owns every object named in the path; user B; an
 * admin; each signed-in caller once with a console session and once with an API key — the answer
 * is of the expected class:
 * - public routes (the documentation included): POLICY's status to everyone, anonymous or not;
 * - anonymous: 401 problem+json on every other route;
 * - admin routes (@Access('admin')): 403 problem+json to A and B, POLICY's status to the admin;
 * - user routes naming A's objects (webhook, delivery): 404 problem+json to B — the very same
 *   answer as for ids that do not exist — POLICY's status to A and to the admin (admins read and
 *   redeliver any webhook's deliveries, owner-only commands answer them 403);
 * - user routes naming no object: POLICY's status to every signed-in caller;
 * - no route answers 5xx to anyone, nor to ids that do not exist or are not UUIDs.
 * Every route must have a POLICY entry (a new route fails here until its expected answers are
 * stated), and the Bull Board mount, which is not on the router, is checked the same way.
 */

/** Routes Swagger registers itself (not Nest controllers): public documentation by design. */
const DOCUMENTATION_ROUTE = /^\/docs(\/|-json$|-yaml$|$)/;

/** Path parameters that name an object owned by user A (the others name nothing ownable). */
const OWNED_PARAMS = new Set(['id', 'webhookId', 'deliveryId', 'userId']);

interface RoutePolicy {
  /** A valid body, so that only who is calling decides the answer. */
  body?: () => Record<string, unknown>;
  /**
   * User routes: what user A gets (the owner of the objects in the path or, on a route naming
   * none, any signed-in caller). Public routes: what everyone gets.
   */
  owner?: number;
  /** What an admin gets (on A's objects, where the path names any). */
  admin?: number;
}

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

/** The expected answers, as API.md and DESIGN.md "Security model" state them. */
const POLICY: Readonly<Record<string, RoutePolicy>> = {
  // public: Swagger's documentation (its license file is deliberately a 404), the console shell
  'GET /docs': { owner: 200 },
  'GET /docs/index.html': { owner: 200 },
  'GET /docs/LICENSE': { owner: 404 },
  'GET /docs/': { owner: 200 },
  'GET /docs/swagger-ui-init.js': { owner: 200 },
  'GET /docs/docs/swagger-ui-init.js': { owner: 200 },
  'GET /docs-json': { owner: 200 },
  'GET /docs-yaml': { owner: 200 },
  'GET /console': { owner: 200 },
  'GET /console/assets/:file': { owner: 200 },
  'GET /health/live': { owner: 200 },
  'GET /health/ready': { owner: 200 },
  'GET /metrics': { owner: 200 },
  'POST /v1/auth/login': { owner: 200 }, // body: A's credentials, filled in below
  // any signed-in caller, about themselves
  'POST /v1/auth/logout': { owner: 204, admin: 204 },
  'GET /v1/me': { owner: 200, admin: 200 },
  'POST /v1/me/api-key': { owner: 201, admin: 201 },
  'DELETE /v1/me/api-key': { owner: 204, admin: 204 },
  'GET /v1/webhooks': { owner: 200, admin: 200 },
  'POST /v1/webhooks': {
    body: () => ({ url: 'http://127.0.0.1:9/matrix', entity: 'Job', operation: 'Create' }),
    owner: 201,
    admin: 201,
  },
  'POST /v1/entity-changes': {
    body: () => ({ entity: 'Note', entityId: `matrix-${randomUUID()}`, operation: 'Create' }),
    owner: 202,
    admin: 202,
  },
  // A's webhook and its deliveries: admins read and redeliver, only the owner changes it
  'GET /v1/webhooks/:id': { owner: 200, admin: 200 },
  'PATCH /v1/webhooks/:id': { body: () => ({ status: 'on' }), owner: 200, admin: 403 },
  'DELETE /v1/webhooks/:id': { owner: 204, admin: 403 },
  'POST /v1/webhooks/:id/secret/rotate': { owner: 200, admin: 403 },
  'POST /v1/webhooks/:id/ping': { owner: 202, admin: 403 },
  'GET /v1/webhooks/:id/deliveries': { owner: 200, admin: 200 },
  'GET /v1/webhooks/:id/deliveries/:deliveryId': { owner: 200, admin: 200 },
  'POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver': { owner: 202, admin: 202 },
  'POST /v1/webhooks/:id/replay': { body: () => ({ from: hourAgo() }), owner: 202, admin: 202 },
  // admins only
  'POST /v1/admin/users': {
    body: () => ({
      email: `matrix-${randomBytes(4).toString('hex')}@herald.test`,
      name: 'Matrix',
      password: 'matrix-password-1',
      role: 'user',
    }),
    admin: 201,
  },
  'GET /v1/admin/users': { admin: 200 },
  'GET /v1/admin/users/:userId': { admin: 200 },
  'DELETE /v1/admin/users/:userId/api-key': { admin: 204 },
  'GET /v1/admin/users/:userId/webhooks': { admin: 200 },
  'PATCH /v1/admin/webhooks/:webhookId': { body: () => ({ status: 'on' }), admin: 200 },
  'GET /v1/admin/events': { admin: 200 },
};

type RoleName = 'owner' | 'other' | 'admin';
type CredentialKind = 'session' | 'apiKey';

interface Caller {
  role: RoleName | 'anonymous';
  kind?: CredentialKind;
  label: string;
}

interface Party {
  id: string;
  email: string;
  password: string;
  role: 'admin' | 'user';
  token: string;
  apiKey: string;
}

const routeKey = (route: RegisteredRoute): string => `${route.method.toUpperCase()} ${route.path}`;

describe('route × role matrix', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let routes: RegisteredRoute[];
  let declared: ControllerRoute[];
  const parties = {} as Record<RoleName, Party>;
  /** The ids of user A's objects that the paths name; replaced when a call deletes one. */
  const world = { webhookId: '', deliveryId: '' };

  const callers: Caller[] = [
    { role: 'anonymous', label: 'anonymous' },
    ...(['other', 'admin', 'owner'] as const).flatMap((role) =>
      (['session', 'apiKey'] as const).map((kind) => ({ role, kind, label: `${role}/${kind}` })),
    ),
  ];

  const accessOf = (route: RegisteredRoute): AccessLevel | undefined =>
    DOCUMENTATION_ROUTE.test(route.path)
      ? 'public'
      : (declared.find((candidate) => routeKey(candidate) === routeKey(route))?.access as
          AccessLevel | undefined);
  const namesOwnedObject = (route: RegisteredRoute): boolean =>
    [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].some((match) => OWNED_PARAMS.has(match[1]));

  function params(): Record<string, string> {
    return {
      id: world.webhookId,
      webhookId: world.webhookId,
      deliveryId: world.deliveryId,
      userId: parties.owner.id,
      file: 'app.js',
    };
  }

  function credentialHeaders(caller: Caller): Record<string, string> {
    if (caller.role === 'anonymous' || caller.kind === undefined) return {};
    const party = parties[caller.role];
    return caller.kind === 'session' ? bearer(party.token) : { 'x-api-key': party.apiKey };
  }

  function call(route: RegisteredRoute, caller: Caller, ids = params()): Test {
    const path = fillPath(route.path, ids, randomUUID());
    const request = system.api.http[route.method](path).set(credentialHeaders(caller));
    const policy = POLICY[routeKey(route)];
    if (routeKey(route) === 'POST /v1/auth/login')
      return request.send({ email: parties.owner.email, password: parties.owner.password });
    return policy?.body ? request.send(policy.body()) : request;
  }

  /** What `caller` must get from `route`: a status, or a rule when POLICY has no entry. */
  function expectation(route: RegisteredRoute, caller: Caller): number | 'reachable' {
    const access = accessOf(route);
    const policy = POLICY[routeKey(route)];
    if (access === 'public') return policy?.owner ?? 'reachable';
    if (caller.role === 'anonymous') return 401;
    if (access === 'admin') return caller.role === 'admin' ? (policy?.admin ?? 'reachable') : 403;
    if (caller.role === 'other' && namesOwnedObject(route)) return 404;
    if (caller.role === 'admin') return policy?.admin ?? 'reachable';
    return policy?.owner ?? 'reachable';
  }

  async function newParty(role: 'admin' | 'user'): Promise<Party> {
    if (role === 'user') {
      const user: ApiUser = await newApiUser(system.api);
      return { ...user };
    }
    const token = await adminToken(system.api);
    const me = await system.api.http.get('/v1/me').set(bearer(token)).expect(200);
    const admin = {
      id: me.body.id as string,
      email: TEST_ADMIN.email,
      password: TEST_ADMIN.password,
      role: 'admin' as const,
      token,
    };
    return { ...admin, apiKey: await enableApiKey(system.api, admin) };
  }

  /** A new webhook of A's and one delivery of it that has been sent. */
  async function newOwnedObjects(): Promise<void> {
    const { webhook } = await subscribeWebhook(system.api, parties.owner.token, {
      url: `${receiver.url}/owned`,
      entity: 'Contact',
      operation: '*',
    });
    const { eventId } = await postEntityChange(system.api, parties.owner.apiKey, {
      entity: 'Contact',
      entityId: `c-${randomUUID()}`,
      operation: 'Update',
    });
    const delivery = await system.waitForDelivery(webhook.id, 'succeeded', { eventId });
    world.webhookId = webhook.id;
    world.deliveryId = delivery.id;
  }

  /**
   * Undoes what a call may have changed about the callers themselves — a session ended, an API
   * key regenerated, cleared or turned off, A's webhook deleted or turned off — so that every
   * call meets the same world. Probing stale credentials counts as failed authentications, so
   * the counters are reset afterwards.
   */
  async function restoreWorld(): Promise<void> {
    for (const party of Object.values(parties)) {
      const session = await system.api.http.get('/v1/me').set(bearer(party.token));
      if (session.status !== 200)
        party.token = await login(system.api, party.email, party.password);
      const key = await system.api.http.get('/v1/me').set('x-api-key', party.apiKey);
      if (key.status !== 200) party.apiKey = await enableApiKey(system.api, party);
    }
    const webhook = await system.api.http
      .get(`/v1/webhooks/${world.webhookId}`)
      .set(bearer(parties.owner.token));
    if (webhook.status === 404) await newOwnedObjects();
    else if (webhook.body.status !== 'on')
      await system.api.http
        .patch(`/v1/webhooks/${world.webhookId}`)
        .set(bearer(parties.owner.token))
        .send({ status: 'on' })
        .expect(200);
    await resetAuthFailures(system.api);
  }

  function check(route: RegisteredRoute, caller: Caller, response: Response): string | null {
    const expected = expectation(route, caller);
    const where = `${routeKey(route)} as ${caller.label}`;
    const got = `${response.status} ${response.text.slice(0, 200)}`;
    if (response.status >= 500) return `${where}: ${got}`;
    if (expected === 'reachable')
      return [401, 403, 404].includes(response.status) ? `${where}: refused, ${got}` : null;
    try {
      if (expected >= 400) expectProblem(response, expected);
      else if (response.status !== expected) throw new Error(`expected ${expected}, got ${got}`);
    } catch (error) {
      return `${where}: ${(error as Error).message}`;
    }
    return null;
  }

  beforeAll(async () => {
    system = await createTestSystem();
    receiver = await startWebhookReceiver();
    parties.owner = await newParty('user');
    parties.other = await newParty('user');
    parties.admin = await newParty('admin');
    await newOwnedObjects();
    routes = registeredRoutes(system.api.app);
    declared = controllerRoutes(system.api.app, ACCESS_METADATA);
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });
  beforeEach(() => resetAuthFailures(system.api));

  it('the inventory: at least 25 routes, every one of them a declared route or documentation, every one with a POLICY entry', () => {
    expect(routes.length).toBeGreaterThanOrEqual(25);
    const undeclared = routes.filter((route) => accessOf(route) === undefined).map(routeKey);
    expect(undeclared).toEqual([]);
    const withoutPolicy = routes.filter((route) => !(routeKey(route) in POLICY)).map(routeKey);
    expect(withoutPolicy).toEqual([]);
    const stale = Object.keys(POLICY).filter(
      (key) => !routes.some((route) => routeKey(route) === key),
    );
    expect(stale).toEqual([]);
  });

  it('every route × every caller answers as the policy says, and never 5xx', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of routes) {
      for (const caller of callers) {
        const response = await call(route, caller);
        const failure = check(route, caller, response);
        if (failure) failures.push(failure);
        checked += 1;
        // A refused call changed nothing; an accepted one may have ended a session, a key, A's webhook.
        if (route.method !== 'get' && response.status < 400) await restoreWorld();
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(routes.length * callers.length);
    // Reported so that the run shows the size of the matrix.
    process.stdout.write(
      `route × role matrix: ${routes.length} routes × ${callers.length} callers = ${checked} calls\n`,
    );
  }, 120_000);

  it("user B's 404 on A's objects is the same answer as for ids that do not exist", async () => {
    const differences: string[] = [];
    const objectRoutes = routes.filter(
      (route) => accessOf(route) === 'user' && namesOwnedObject(route),
    );
    expect(objectRoutes.length).toBeGreaterThanOrEqual(9);
    for (const route of objectRoutes) {
      for (const kind of ['session', 'apiKey'] as const) {
        const caller: Caller = { role: 'other', kind, label: `other/${kind}` };
        const real = params();
        const missing = {
          ...real,
          id: randomUUID(),
          webhookId: randomUUID(),
          deliveryId: randomUUID(),
        };
        const mask = (response: Response, ids: Record<string, string>) => {
          let text = response.text;
          for (const value of Object.values(ids)) text = text.split(value).join('<id>');
          return { status: response.status, contentType: response.headers['content-type'], text };
        };
        const ofReal = mask(await call(route, caller, real), real);
        const ofMissing = mask(await call(route, caller, missing), missing);
        if (JSON.stringify(ofReal) !== JSON.stringify(ofMissing))
          differences.push(
            `${routeKey(route)} ${kind}: ${JSON.stringify(ofReal)} vs ${JSON.stringify(ofMissing)}`,
          );
      }
    }
    expect(differences).toEqual([]);
  });

  it('ids that do not exist or are not UUIDs get 404 problem+json from every route naming objects, never 5xx', async () => {
    const failures: string[] = [];
    for (const route of routes.filter(namesOwnedObject)) {
      const caller: Caller =
        accessOf(route) === 'admin'
          ? { role: 'admin', kind: 'session', label: 'admin/session' }
          : { role: 'owner', kind: 'session', label: 'owner/session' };
      for (const bad of [randomUUID(), 'not-a-uuid', '..%2F..%2Fetc', `${'9'.repeat(300)}`]) {
        const ids = { id: bad, webhookId: bad, deliveryId: bad, userId: bad, file: 'app.js' };
        const response = await call(route, caller, ids);
        if (response.status >= 500 || (response.status !== 404 && response.status !== 400)) {
          failures.push(
            `${routeKey(route)} with ${bad}: ${response.status} ${response.text.slice(0, 200)}`,
          );
        } else if (!isProblem(response.body)) {
          failures.push(
            `${routeKey(route)} with ${bad}: not problem+json: ${response.text.slice(0, 200)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  describe('the Bull Board mount (an Express app of its own, not on the router)', () => {
    const board = (cookie?: string) => {
      const request = system.api.http.get('/admin/queues');
      return cookie ? request.set('cookie', `herald_session=${cookie}`) : request;
    };

    it('anonymous 401, A and B 403, the admin 200 (console session cookie); API keys do not open it', async () => {
      expectProblem(await board(), 401);
      expectProblem(await board(parties.owner.token), 403);
      expectProblem(await board(parties.other.token), 403);
      expect((await board(parties.admin.token)).status).toBe(200);
      const withKey = await system.api.http
        .get('/admin/queues')
        .set('x-api-key', parties.admin.apiKey);
      expectProblem(withKey, 401);
    });
  });
});
