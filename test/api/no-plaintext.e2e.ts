import { TEST_ADMIN, login, newUser, type TestApi } from '@herald/testing';
import { bearer, isRecord, listItems, stringField } from '@herald/testing/http-assertions';
import { createLoggingTestApi, type LogCapture } from '@herald/testing/log-capture';
import { redisEntries, resetAuthFailures } from '@herald/testing/test-redis';

/** The forms a leaked secret could take in storage: as is, without its fixed prefix, base64, hex. */
function encodings(secret: string): string[] {
  const core = secret.replace(/^(hrld_|hrs_)/, '');
  return [
    secret,
    core,
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(secret).toString('hex'),
  ];
}

/** Which secrets (by label) appear in `haystack`, in any of their encodings. */
function leaks(haystack: string, secrets: Map<string, string>): string[] {
  return [...secrets]
    .filter(([, secret]) => encodings(secret).some((form) => haystack.includes(form)))
    .map(([label]) => label);
}

describe('no plaintext secret is stored or logged', () => {
  let api: TestApi;
  let logs: LogCapture;
  /** label → plaintext: every password, session token and API key the lifecycle produced. */
  const secrets = new Map<string, string>();

  async function issueKey(token: string, label: string): Promise<string> {
    const response = await api.http.post('/v1/me/api-key').set(bearer(token)).expect(201);
    const key = stringField(response.body, 'apiKey');
    secrets.set(label, key);
    return key;
  }

  beforeAll(async () => {
    ({ api, logs } = await createLoggingTestApi());
    secrets.set('bootstrap admin password', TEST_ADMIN.password);
    const admin = await login(api, TEST_ADMIN.email, TEST_ADMIN.password);
    secrets.set('admin session', admin);

    // Users with passwords, signed in more than once.
    const alice = await newUser(api);
    const bob = await newUser(api);
    const carol = await newUser(api, { role: 'admin' });
    for (const [name, user] of Object.entries({ alice, bob, carol })) {
      secrets.set(`${name} password`, user.password);
      secrets.set(`${name} session`, user.token);
      secrets.set(`${name} second session`, await login(api, user.email, user.password));
    }

    // Keys: enabled, regenerated (with the key itself), cleared by self and by an admin, re-enabled.
    const aliceFirst = await issueKey(alice.token, 'alice key 1');
    const aliceSecond = (
      await api.http.post('/v1/me/api-key').set('x-api-key', aliceFirst).expect(201)
    ).body as Record<string, unknown>;
    secrets.set('alice key 2', stringField(aliceSecond, 'apiKey'));
    await api.http.delete('/v1/me/api-key').set(bearer(alice.token)).expect(204);
    await issueKey(alice.token, 'alice key 3');
    await issueKey(bob.token, 'bob key 1');
    await api.http.delete(`/v1/admin/users/${bob.id}/api-key`).set(bearer(admin)).expect(204);
    await issueKey(bob.token, 'bob key 2');
    await issueKey(carol.token, 'carol key 1');

    // A logout, failed sign-ins with wrong passwords, and a rejected key.
    await api.http
      .post('/v1/auth/logout')
      .set(bearer(secrets.get('carol second session') ?? ''))
      .expect(204);
    const wrongPassword = 'wrong-password-never-stored-7f3a9c';
    secrets.set('wrong password', wrongPassword);
    await api.http
      .post('/v1/auth/login')
      .send({ email: alice.email, password: wrongPassword })
      .expect(401);
    await api.http
      .post('/v1/auth/login')
      .send({ email: 'nobody@herald.test', password: wrongPassword })
      .expect(401);
    await api.http.get('/v1/me').set('x-api-key', aliceFirst).expect(401);

    // Rejected creations whose bodies carry passwords (validation errors must not echo them).
    const rejectedPassword = 'rejected-password-6b1e2d';
    secrets.set('password of a rejected creation', rejectedPassword);
    await api.http.post('/v1/admin/users').set(bearer(admin)).send({
      email: 'not-an-email',
      name: 'X',
      password: rejectedPassword,
      role: 'user',
      extra: rejectedPassword,
    });
    await api.http
      .post('/v1/admin/users')
      .set(bearer(admin))
      .send({ email: alice.email, name: 'Duplicate', password: rejectedPassword, role: 'user' });
    const oddPassword = 'odd-input-password-93ab01';
    secrets.set('password sent with odd input', oddPassword);
    await api.http.post('/v1/admin/users').set(bearer(admin)).send({
      email: 'odd@herald.test',
      name: 'Odd \u0000 name',
      password: oddPassword,
      role: 'user',
    });
  });
  afterAll(async () => {
    await resetAuthFailures(api);
    await api.close();
  });

  it('collected the secrets of the lifecycle (passwords, sessions, keys)', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(20);
  });

  it('no table of the database contains any of them', async () => {
    const tables: { table_name: string }[] = await api.db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    expect(tables.map((table) => table.table_name)).toEqual(
      expect.arrayContaining(['events', 'users', 'api_key_states', 'sessions']),
    );
    const found: string[] = [];
    for (const { table_name: table } of tables) {
      const rows: { dump: string }[] = await api.db.query(
        `SELECT coalesce(json_agg(t)::text, '[]') AS dump FROM "${table}" t`,
      );
      found.push(...leaks(rows[0].dump, secrets).map((label) => `${table}: ${label}`));
    }
    expect(found).toEqual([]);
  });

  it("no event's data or metadata contains any of them", async () => {
    const rows: { data: string; metadata: string }[] = await api.db.query(
      'SELECT data::text AS data, metadata::text AS metadata FROM events',
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(leaks(rows.map((row) => row.data + row.metadata).join('\n'), secrets)).toEqual([]);
  });

  it('no Redis key or value under the suite prefix contains any of them', async () => {
    const entries = await redisEntries(api);
    expect(entries.length).toBeGreaterThan(0); // the failed sign-ins were counted
    expect(
      leaks(entries.map((entry) => `${entry.key} ${entry.value}`).join('\n'), secrets),
    ).toEqual([]);
  });

  it('no log line of the app contains any of them', () => {
    const text = logs.text();
    expect(text).toContain('Nest application successfully started'); // the capture works
    expect(leaks(text, secrets)).toEqual([]);
  });

  it('GET /v1/admin/events shows keyHash and passwordHash as "[redacted]" and no stored hash', async () => {
    const admin = await login(api, TEST_ADMIN.email, TEST_ADMIN.password);
    const response = await api.http
      .get('/v1/admin/events?limit=200')
      .set(bearer(admin))
      .expect(200);
    const items = listItems(response.body);
    const created = items.filter((item) => item.type === 'UserCreated');
    const regenerated = items.filter((item) => item.type === 'KeyRegenerated');
    expect(created.length).toBeGreaterThanOrEqual(4);
    expect(regenerated.length).toBeGreaterThanOrEqual(6);
    for (const item of created)
      expect(isRecord(item.data) && item.data.passwordHash).toBe('[redacted]');
    for (const item of regenerated)
      expect(isRecord(item.data) && item.data.keyHash).toBe('[redacted]');

    const hashes: { hash: string }[] = await api.db.query(
      `SELECT data->>'passwordHash' AS hash FROM events WHERE data ? 'passwordHash'
       UNION ALL SELECT data->>'keyHash' FROM events WHERE data ? 'keyHash'
       UNION ALL SELECT token_hash FROM sessions`,
    );
    expect(hashes.length).toBeGreaterThan(10);
    const text = response.text;
    expect(hashes.filter(({ hash }) => text.includes(hash))).toEqual([]);
    expect(leaks(text, secrets)).toEqual([]);
  });

  it('user views (GET /v1/me, /v1/admin/users) carry no hash and no secret', async () => {
    const admin = await login(api, TEST_ADMIN.email, TEST_ADMIN.password);
    const list = await api.http.get('/v1/admin/users?limit=200').set(bearer(admin)).expect(200);
    const text = list.text;
    expect(text).not.toMatch(/hash|scrypt\$/i);
    expect(leaks(text, secrets)).toEqual([]);
  });
});
