import { adminToken, createTestApi, newUser, type TestApi, type TestUser } from '@herald/testing';
import {
  bearer,
  expectFieldError,
  expectProblem,
  type ProblemBody,
} from '@herald/testing/http-assertions';
import { registeredRoutes, fillPath, type RegisteredRoute } from '@herald/testing/routes';
import { resetAuthFailures } from '@herald/testing/test-redis';
import fc from 'fast-check';
import type { Response, Test } from 'supertest';

const VALID_USER = {
  email: 'valid@herald.test',
  name: 'Valid Name',
  password: 'valid-password-1',
  role: 'user',
};
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

function cursorOf(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

describe('bad input', () => {
  let api: TestApi;
  let admin: string;
  let user: TestUser;

  /** Row counts that any rejected request must leave as they were. */
  async function snapshot(): Promise<Record<string, number>> {
    const rows: { events: number; users: number; sessions: number; keys: number }[] =
      await api.db.query(
        `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM sessions)::int AS sessions,
              (SELECT count(*) FROM api_key_states WHERE enabled)::int AS keys`,
      );
    return rows[0];
  }

  /** Sends the request, asserts a problem answer with `status`, and that nothing changed. */
  async function rejects(
    request: () => Test,
    status: number | readonly number[],
  ): Promise<ProblemBody> {
    await resetAuthFailures(api);
    const before = await snapshot();
    const response = await request();
    const body = expectProblem(response, status);
    expect(await snapshot()).toEqual(before);
    return body;
  }

  async function rejectsField(
    request: () => Test,
    status: number | readonly number[],
    field: string,
  ): Promise<void> {
    await resetAuthFailures(api);
    const before = await snapshot();
    expectFieldError(await request(), status, field);
    expect(await snapshot()).toEqual(before);
  }

  const createUser = (body: unknown) => (): Test =>
    api.http
      .post('/v1/admin/users')
      .set(bearer(admin))
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
  const signIn = (body: unknown) => (): Test =>
    api.http
      .post('/v1/auth/login')
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));

  beforeAll(async () => {
    api = await createTestApi();
    admin = await adminToken(api);
    user = await newUser(api);
  });
  afterAll(() => api.close());

  describe('malformed JSON', () => {
    it('gets 400 problem+json {type, title, status, detail} on every route that takes a body, and changes nothing', async () => {
      const withBody = registeredRoutes(api.app).filter(
        (route: RegisteredRoute) => route.method !== 'get',
      );
      expect(withBody.length).toBeGreaterThanOrEqual(6);
      for (const route of withBody) {
        const path = fillPath(route.path, { userId: user.id }, user.id);
        for (const text of ['{"email":', '{email: "a"}', "{'a':1}", '{"a":1,}', 'nul']) {
          const body = await rejects(
            () =>
              api.http[route.method](path)
                .set(bearer(admin))
                .set('content-type', 'application/json')
                .send(text),
            400,
          );
          expect(body).toEqual(
            expect.objectContaining({
              type: expect.any(String),
              title: expect.any(String),
              status: 400,
              detail: expect.any(String),
            }),
          );
        }
      }
      // The admin's session survived the malformed logouts.
      await api.http.get('/v1/me').set(bearer(admin)).expect(200);
    });
  });

  describe('bodies that are not a JSON object', () => {
    it.each([
      ['an array of a valid body', [VALID_USER]],
      ['an empty array', []],
      ['a string', 'valid@herald.test'],
      ['a number', 42],
      ['true', true],
      ['null', null],
    ])('POST /v1/admin/users with %s: 400', async (_, body) => {
      await rejects(createUser(body), 400);
    });

    it.each([
      ['an array', [{ email: 'someone@herald.test', password: 'x' }]],
      ['a string', 'hello'],
      ['null', null],
    ])('POST /v1/auth/login with %s: 400', async (_, body) => {
      await rejects(signIn(body), 400);
    });

    it('a body sent as text/plain or form data is refused with 400, not parsed', async () => {
      await rejects(
        () =>
          api.http
            .post('/v1/admin/users')
            .set(bearer(admin))
            .type('text')
            .send(JSON.stringify(VALID_USER)),
        400,
      );
      await rejects(
        () => api.http.post('/v1/admin/users').set(bearer(admin)).type('form').send(VALID_USER),
        400,
      );
    });
  });

  describe('unknown fields', () => {
    it('POST /v1/admin/users: 400 naming each unknown field in errors', async () => {
      await rejectsField(createUser({ ...VALID_USER, isAdmin: true }), 400, 'isAdmin');
      await rejectsField(createUser({ ...VALID_USER, id: MISSING_ID }), 400, 'id');
      await rejectsField(
        createUser({ ...VALID_USER, passwordHash: 'scrypt$1$1$1$a$b' }),
        400,
        'passwordHash',
      );
    });

    it('POST /v1/auth/login: 400 naming the unknown field', async () => {
      await rejectsField(
        signIn({ email: user.email, password: user.password, remember: true }),
        400,
        'remember',
      );
    });

    it('GET list routes: an unknown query parameter is 400 naming it', async () => {
      await rejectsField(
        () => api.http.get('/v1/admin/users?role=admin').set(bearer(admin)),
        400,
        'role',
      );
      await rejectsField(
        () => api.http.get('/v1/admin/events?foo=1').set(bearer(admin)),
        400,
        'foo',
      );
    });
  });

  describe('wrong types and missing fields', () => {
    it.each(['email', 'name', 'password', 'role'])(
      'POST /v1/admin/users without %s: 400 naming it',
      async (field) => {
        const body: Record<string, unknown> = { ...VALID_USER };
        delete body[field];
        await rejectsField(createUser(body), 400, field);
      },
    );

    it.each([
      ['email', 42],
      ['email', 'not-an-email'],
      ['email', ['valid@herald.test']],
      ['email', `${'a'.repeat(250)}@herald.test`],
      ['name', ''],
      ['name', { first: 'A' }],
      ['name', 'n'.repeat(201)],
      ['password', 12345678],
      ['password', 'short'],
      ['password', 'p'.repeat(201)],
      ['role', 'root'],
      ['role', null],
    ])('POST /v1/admin/users with %s = %j: 400/422 naming the field', async (field, value) => {
      await rejectsField(createUser({ ...VALID_USER, [field]: value }), [400, 422], field);
    });

    it.each([
      ['name', '   '],
      ['name', '\t\n'],
    ])(
      'POST /v1/admin/users with a blank %s (%j): 400/422 with errors[{field, message}]',
      async (field, value) => {
        await rejectsField(
          createUser({ ...VALID_USER, email: 'blank-name@herald.test', [field]: value }),
          [400, 422],
          field,
        );
      },
    );

    it.each([
      ['email', undefined],
      ['password', undefined],
      ['email', 7],
      ['password', false],
      ['email', ''],
      ['password', ''],
    ])('POST /v1/auth/login with %s = %j: 400 naming it', async (field, value) => {
      const body: Record<string, unknown> = {
        email: user.email,
        password: user.password,
        [field]: value,
      };
      if (value === undefined) delete body[field];
      await rejectsField(signIn(body), 400, field);
    });
  });

  describe('query parameters of list routes', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['apiAccess=yes', 'apiAccess'],
      ['apiAccess=ENABLED', 'apiAccess'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${cursorOf(['only-one'])}`, 'cursor'],
      [`cursor=${'a'.repeat(501)}`, 'cursor'],
    ])('GET /v1/admin/users?%s: 400 naming %s', async (query, field) => {
      await rejectsField(
        () => api.http.get(`/v1/admin/users?${query}`).set(bearer(admin)),
        400,
        field,
      );
    });

    it.each([
      ['after=-1', 'after'],
      ['after=abc', 'after'],
      ['after=1e3', 'after'],
      ['after=1234567890123456789012', 'after'],
      ['limit=500', 'limit'],
      ['cursor=%%%', 'cursor'],
      [`cursor=${cursorOf([1])}`, 'cursor'],
      [`cursor=${'b'.repeat(501)}`, 'cursor'],
      [`type=${'t'.repeat(101)}`, 'type'],
    ])('GET /v1/admin/events?%s: 400 naming %s', async (query, field) => {
      await rejectsField(
        () => api.http.get(`/v1/admin/events?${query}`).set(bearer(admin)),
        400,
        field,
      );
    });

    it.each([
      ['a cursor of the right shape but a non-numeric position', `cursor=${cursorOf(['abc'])}`],
      [
        'a cursor whose position overflows bigint',
        `cursor=${cursorOf(['99999999999999999999999'])}`,
      ],
      ['a cursor whose position is negative text', `cursor=${cursorOf(['-1; DROP TABLE events'])}`],
    ])('GET /v1/admin/events with %s: 400 naming cursor (not 500)', async (_, query) => {
      await rejectsField(
        () => api.http.get(`/v1/admin/events?${query}`).set(bearer(admin)),
        400,
        'cursor',
      );
    });

    it.each([
      [
        'a cursor of the right shape but not a timestamp and id',
        `cursor=${cursorOf(['yesterday', 'me'])}`,
      ],
      [
        'a cursor with a valid time and a non-UUID id',
        `cursor=${cursorOf(['2026-01-01T00:00:00.000000', 'x'])}`,
      ],
    ])('GET /v1/admin/users with %s: 400 naming cursor (not 500)', async (_, query) => {
      await rejectsField(
        () => api.http.get(`/v1/admin/users?${query}`).set(bearer(admin)),
        400,
        'cursor',
      );
    });

    it.each(['stream=%00', 'type=a%00b', 'stream=%C0%80'])(
      'GET /v1/admin/events?%s: answered without a 5xx',
      async (query) => {
        const response = await api.http.get(`/v1/admin/events?${query}`).set(bearer(admin));
        expect({ query, status: response.status, body: response.text }).toEqual({
          query,
          status: expect.any(Number),
          body: expect.any(String),
        });
        expect(response.status).toBeLessThan(500);
      },
    );
  });

  describe('path ids', () => {
    it.each([
      'abc',
      '1',
      "' OR 1=1 --",
      'x'.repeat(300),
      `{${MISSING_ID}}`,
      `${MISSING_ID}0`,
      '%00',
      '..%2F..',
    ])(
      'a non-UUID user id (%s) is 404 problem+json on every /v1/admin/users/{id} route',
      async (id) => {
        await rejects(() => api.http.get(`/v1/admin/users/${id}`).set(bearer(admin)), 404);
        await rejects(
          () => api.http.delete(`/v1/admin/users/${id}/api-key`).set(bearer(admin)),
          404,
        );
      },
    );

    it('a well-formed UUID of no user is 404 problem+json on GET and DELETE …/api-key', async () => {
      await rejects(() => api.http.get(`/v1/admin/users/${MISSING_ID}`).set(bearer(admin)), 404);
      await rejects(
        () => api.http.delete(`/v1/admin/users/${MISSING_ID}/api-key`).set(bearer(admin)),
        404,
      );
    });

    it('an unknown route is 404 problem+json', async () => {
      await rejects(() => api.http.get('/v1/nope').set(bearer(admin)), 404);
      await rejects(() => api.http.put('/v1/me').set(bearer(admin)), [404, 405]);
    });
  });

  describe('conflicts', () => {
    it('a duplicate email on POST /v1/admin/users is 409 problem+json, also when it differs only in case', async () => {
      await rejects(createUser({ ...VALID_USER, email: user.email }), 409);
      await rejects(createUser({ ...VALID_USER, email: user.email.toUpperCase() }), 409);
    });
  });

  describe('hostile bodies', () => {
    it('a body over 1 MB is 413 problem+json', async () => {
      await rejects(createUser({ ...VALID_USER, name: 'n'.repeat(1_100_000) }), 413);
    });

    it('a 5,000-deep object in an unknown field of the public sign-in route is a 4xx, not a 500', async () => {
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const text = `{"email":"someone@herald.test","password":"whatever-password","x":${deep}}`;
      await rejects(
        () => api.http.post('/v1/auth/login').set('content-type', 'application/json').send(text),
        [400, 413],
      );
    });

    it('deeply nested JSON in a field is a 4xx, not a crash', async () => {
      const depth = 50_000;
      const text = `{"email":${'['.repeat(depth)}${']'.repeat(depth)},"name":"n","password":"pppppppp","role":"user"}`;
      await rejects(
        () =>
          api.http
            .post('/v1/admin/users')
            .set(bearer(admin))
            .set('content-type', 'application/json')
            .send(text),
        [400, 413, 422],
      );
    });

    it('an unsupported charset is 415 problem+json', async () => {
      await rejects(
        () =>
          api.http
            .post('/v1/admin/users')
            .set(bearer(admin))
            .set('content-type', 'application/json; charset=latin1')
            .send(JSON.stringify(VALID_USER)),
        415,
      );
    });

    it('a NUL character in a name is 400/422, not 500', async () => {
      await rejectsField(
        createUser({ ...VALID_USER, email: 'nul-name@herald.test', name: 'a\u0000b' }),
        [400, 422],
        'name',
      );
    });

    it('a lone UTF-16 surrogate in the email is 400/422, not 500', async () => {
      await rejectsField(createUser({ ...VALID_USER, email: '\ud800' }), [400, 422], 'email');
    });

    it('a lone UTF-16 surrogate in a name is 400/422, not 500', async () => {
      await rejectsField(
        createUser({ ...VALID_USER, email: 'surrogate-name@herald.test', name: 'a\udc00b' }),
        [400, 422],
        'name',
      );
    });

    it('a NUL character in the sign-in email is 400 or 401, not 500', async () => {
      await rejects(
        signIn({ email: 'a\u0000@herald.test', password: 'whatever-password' }),
        [400, 401],
      );
    });
  });

  describe('property: arbitrary JSON never yields a 5xx and a rejection changes nothing', () => {
    // Characters that have broken parsers and databases before, mixed with plain and arbitrary ones.
    const awkward = fc.constantFrom(
      '\u0000',
      '\ud800',
      '\udfff',
      '\u202e',
      '\uffff',
      '\\',
      '"',
      "'",
      '%',
      '\n',
      ' ',
      '@',
      '.',
    );
    const unit = fc.oneof(
      awkward,
      fc.constantFrom(...'abcXYZ019'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = fc.string({ unit, maxLength: 40 });
    const anyJson = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });
    const field = (...plausible: fc.Arbitrary<unknown>[]) =>
      fc.oneof(
        { arbitrary: fc.oneof(...plausible), weight: 3 },
        { arbitrary: text, weight: 2 },
        { arbitrary: anyJson, weight: 1 },
      );
    const extraFields = fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 });

    async function checkOne(send: () => Test, label: string, body: unknown): Promise<void> {
      await resetAuthFailures(api);
      const before = await snapshot();
      const response: Response = await send();
      const describe = `${label} ${JSON.stringify(body)} → ${response.status} ${response.text.slice(0, 300)}`;
      if (response.status >= 500) throw new Error(`5xx: ${describe}`);
      if (response.status >= 400) {
        expectProblem(response, response.status);
        const after = await snapshot();
        if (JSON.stringify(after) !== JSON.stringify(before))
          throw new Error(
            `a rejection changed ${JSON.stringify(before)} → ${JSON.stringify(after)}: ${describe}`,
          );
      }
    }

    it('POST /v1/admin/users (100 runs)', async () => {
      const body = fc.oneof(
        anyJson,
        fc
          .tuple(
            fc.record(
              {
                email: field(fc.emailAddress(), fc.constant(user.email)),
                name: field(fc.constant('Prop User')),
                password: field(fc.constant('prop-password-1')),
                role: field(fc.constantFrom('admin', 'user')),
              },
              { requiredKeys: [] },
            ),
            extraFields,
          )
          .map(([known, extra]) => ({ ...extra, ...known })),
      );
      await fc.assert(
        fc.asyncProperty(body, (value) =>
          checkOne(createUser(value), 'POST /v1/admin/users', value),
        ),
        { numRuns: 100 },
      );
    });

    it('POST /v1/auth/login (100 runs)', async () => {
      const body = fc.oneof(
        anyJson,
        fc
          .tuple(
            fc.record(
              {
                email: field(fc.emailAddress(), fc.constant(user.email)),
                password: field(fc.constant('wrong-password')),
              },
              { requiredKeys: [] },
            ),
            extraFields,
          )
          .map(([known, extra]) => ({ ...extra, ...known })),
      );
      await fc.assert(
        fc.asyncProperty(body, (value) => checkOne(signIn(value), 'POST /v1/auth/login', value)),
        { numRuns: 100 },
      );
    });
  });
});
