/**
 * Pass criterion. Random sequences of API key lifecycle commands for two users (fast-check
 * `fc.commands`, run by `fc.asyncModelRun`) — enable/regenerate (POST /v1/me/api-key, with the
 * session or with the current key), turn off (DELETE /v1/me/api-key, with the session or the key),
 * admin clear (DELETE /v1/admin/users/{id}/api-key) — one at a time and in concurrent batches:
 *   1. after every command and every batch, each key ever issued to either user answers
 *      GET /v1/me with 200 as its owner if and only if it is that user's latest key and no turn-off
 *      or clear has happened since; every other key answers 401 problem+json. The session view
 *      (`apiAccess.enabled`, `keyPrefix`) agrees;
 *   2. one at a time, every answer is the one the model predicts (201 with a new key, 204, or 401
 *      when the credential is a dead key), and exactly the predicted events are appended;
 *   3. in a batch, every answer is 201/204/409 (or 401 for a key credential that died meanwhile),
 *      the KeyRegenerated events appended are exactly the 201s (by key prefix), no more KeyCleared
 *      are appended than 204s of that reason, and the model follows those events in stream order
 *      (the commit order the server decided);
 *   4. at the end, `api_key_states` and `users` equal a rebuild from the events, and (1) still
 *      holds for every user of every run.
 * Runs: RUNS sequences of up to MAX_COMMANDS commands (HERALD_FC_RUNS overrides RUNS). Seeds:
 * fast-check prints `seed` and `path` of a failing sequence; replay it with
 * `HERALD_FC_SEED=<seed> HERALD_FC_PATH=<path> npx jest test/security/key-lifecycle-model.e2e.ts`.
 */
import { allProjections, heraldDataSourceOptions, rebuildProjections } from '@herald/projections';
import { adminToken, createTestApi, login, type TestApi } from '@herald/testing';
import { expectProblem, stringField, tableRows } from '@herald/testing/http-assertions';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';

const RUNS = Number(process.env.HERALD_FC_RUNS ?? 40);
const MAX_COMMANDS = 14;
const USERS_PER_RUN = 2;
const REPLAY: Partial<fc.Parameters<unknown>> = process.env.HERALD_FC_SEED
  ? { seed: Number(process.env.HERALD_FC_SEED), path: process.env.HERALD_FC_PATH }
  : {};

type OpKind = 'regenerate' | 'regenerateWithKey' | 'turnOff' | 'turnOffWithKey' | 'adminClear';
const OP_KINDS: readonly OpKind[] = [
  'regenerate',
  'regenerateWithKey',
  'turnOff',
  'turnOffWithKey',
  'adminClear',
];
const WITH_KEY: ReadonlySet<OpKind> = new Set(['regenerateWithKey', 'turnOffWithKey']);

interface Op {
  user: number;
  kind: OpKind;
}

interface UserModel {
  /** Every key issued to the user, oldest first. */
  issued: string[];
  /** Key by its prefix, to follow KeyRegenerated events (which hold only the prefix). */
  byPrefix: Map<string, string>;
  latest: string | null;
  /** The latest key has not been cleared or turned off since it was issued. */
  active: boolean;
  /** The user stream's version the model has followed up to. */
  version: number;
}

interface Model {
  users: UserModel[];
}

interface RealUser {
  id: string;
  session: string;
}

interface Real {
  users: RealUser[];
}

interface KeyEvent {
  version: number;
  type: string;
  keyPrefix: string | null;
  reason: string | null;
}

describe('API key lifecycle against a model', () => {
  let api: TestApi;
  let admin: string;
  let clientNumber = 0;
  const everyRun: { model: Model; real: Real }[] = [];

  /** Each request from a client address of its own: the failed-authentication limiter stays out. */
  function client(): string {
    clientNumber += 1;
    return `10.${(clientNumber >> 16) & 255}.${(clientNumber >> 8) & 255}.${clientNumber & 255}`;
  }

  async function newRealUser(): Promise<RealUser> {
    const suffix = randomBytes(5).toString('hex');
    const email = `model-${suffix}@herald.test`;
    const password = `password-${suffix}`;
    const created = await api.http
      .post('/v1/admin/users')
      .set('authorization', `Bearer ${admin}`)
      .send({ email, name: `Model ${suffix}`, password, role: 'user' })
      .expect(201);
    return { id: stringField(created.body, 'id'), session: await login(api, email, password) };
  }

  async function streamVersion(userId: string): Promise<number> {
    const rows: { version: number }[] = await api.db.query(
      'SELECT coalesce(max(version), 0)::int AS version FROM events WHERE stream = $1',
      [`user-${userId}`],
    );
    return rows[0].version;
  }

  async function eventsSince(userId: string, version: number): Promise<KeyEvent[]> {
    return api.db.query(
      `SELECT version, type, data->>'keyPrefix' AS "keyPrefix", data->>'reason' AS reason
         FROM events WHERE stream = $1 AND version > $2 ORDER BY version`,
      [`user-${userId}`, version],
    );
  }

  function send(op: Op, model: Model, real: Real): Promise<Response> {
    const user = real.users[op.user];
    const key = model.users[op.user].latest ?? '';
    const credential: Record<string, string> = WITH_KEY.has(op.kind)
      ? { 'x-api-key': key }
      : { authorization: `Bearer ${op.kind === 'adminClear' ? admin : user.session}` };
    const request =
      op.kind === 'regenerate' || op.kind === 'regenerateWithKey'
        ? api.http.post('/v1/me/api-key')
        : op.kind === 'adminClear'
          ? api.http.delete(`/v1/admin/users/${user.id}/api-key`)
          : api.http.delete('/v1/me/api-key');
    return request.set(credential).set('x-forwarded-for', client());
  }

  function describeOp(op: Op, response?: Response): string {
    return `${op.kind}(user ${op.user})${response ? ` → ${response.status} ${response.text.slice(0, 200)}` : ''}`;
  }

  /**
   * Checks the answers to `ops` (sent together) against the events they appended, then moves the
   * model along those events in stream order.
   */
  async function reconcile(
    ops: Op[],
    responses: Response[],
    model: Model,
    real: Real,
  ): Promise<void> {
    for (let index = 0; index < ops.length; index += 1) {
      const [op, response] = [ops[index], responses[index]];
      const allowed = op.kind.startsWith('regenerate') ? [201, 409] : [204, 409];
      if (WITH_KEY.has(op.kind)) allowed.push(401);
      if (!allowed.includes(response.status))
        throw new Error(`unexpected answer: ${describeOp(op, response)}`);
      if (response.status >= 400) expectProblem(response, response.status);
    }
    for (let user = 0; user < real.users.length; user += 1) {
      const mine = ops.flatMap((op, index) => (op.user === user ? [index] : []));
      const events = await eventsSince(real.users[user].id, model.users[user].version);
      const issuedPrefixes = mine
        .filter((index) => responses[index].status === 201)
        .map((index) => stringField(responses[index].body, 'keyPrefix'));
      const regenerated = events.filter((event) => event.type === 'KeyRegenerated');
      const context = `${mine.map((index) => describeOp(ops[index], responses[index])).join('; ')} appended ${JSON.stringify(events)}`;
      if (events.some((event) => !['KeyRegenerated', 'KeyCleared'].includes(event.type)))
        throw new Error(`unexpected event type: ${context}`);
      expect({ context, prefixes: regenerated.map((event) => event.keyPrefix).sort() }).toEqual({
        context,
        prefixes: [...issuedPrefixes].sort(),
      });
      for (const reason of ['admin', 'self']) {
        const cleared = events.filter(
          (event) => event.type === 'KeyCleared' && event.reason === reason,
        ).length;
        const answered = mine.filter(
          (index) =>
            responses[index].status === 204 &&
            (ops[index].kind === 'adminClear') === (reason === 'admin'),
        ).length;
        if (cleared > answered)
          throw new Error(`${cleared} KeyCleared(${reason}) for ${answered} 204s: ${context}`);
      }
      const userModel = model.users[user];
      for (const index of mine) {
        if (responses[index].status !== 201) continue;
        const key = stringField(responses[index].body, 'apiKey');
        const prefix = stringField(responses[index].body, 'keyPrefix');
        if (!key.startsWith(prefix))
          throw new Error(`key ${prefix}… does not start with its prefix`);
        userModel.issued.push(key);
        userModel.byPrefix.set(prefix, key);
      }
      for (const event of events) {
        if (event.type === 'KeyRegenerated') {
          userModel.latest = userModel.byPrefix.get(event.keyPrefix ?? '') ?? null;
          userModel.active = true;
        } else {
          userModel.active = false;
        }
        userModel.version = event.version;
      }
    }
  }

  /** Property (1): every issued key works iff it is the latest and still active. */
  async function checkKeys(model: Model, real: Real, when: string): Promise<void> {
    const checks = model.users.flatMap((userModel, user) =>
      userModel.issued.map(async (key, index) => {
        const works = key === userModel.latest && userModel.active;
        const header: [string, string] =
          index % 2 === 0 ? ['x-api-key', key] : ['authorization', `Bearer ${key}`];
        const response = await api.http
          .get('/v1/me')
          .set(...header)
          .set('x-forwarded-for', client());
        const label = `${when}: user ${user}'s key #${index + 1} of ${userModel.issued.length} (latest: ${key === userModel.latest}, active: ${userModel.active})`;
        if (works) {
          if (response.status !== 200 || response.body.id !== real.users[user].id)
            throw new Error(`${label} should work, got ${response.status} ${response.text}`);
        } else {
          if (response.status !== 401)
            throw new Error(
              `${label} should fail with 401, got ${response.status} ${response.text}`,
            );
          expectProblem(response, 401);
        }
      }),
    );
    const views = real.users.map(async (user, index) => {
      const me = await api.http.get('/v1/me').set('authorization', `Bearer ${user.session}`);
      const userModel = model.users[index];
      const expected = userModel.active
        ? {
            enabled: true,
            keyPrefix: [...userModel.byPrefix].find(([, k]) => k === userModel.latest)?.[0],
          }
        : { enabled: false };
      expect({ when, user: index, apiAccess: me.body.apiAccess }).toMatchObject({
        when,
        user: index,
        apiAccess: expected,
      });
    });
    await Promise.all([...checks, ...views]);
  }

  class Sequential implements fc.AsyncCommand<Model, Real> {
    constructor(readonly op: Op) {}

    check(model: Readonly<Model>): boolean {
      return !WITH_KEY.has(this.op.kind) || model.users[this.op.user].latest !== null;
    }

    async run(model: Model, real: Real): Promise<void> {
      const userModel = model.users[this.op.user];
      const wasActive = userModel.active;
      const response = await send(this.op, model, real);
      const deadKey = WITH_KEY.has(this.op.kind) && !wasActive;
      const expected = deadKey ? 401 : this.op.kind.startsWith('regenerate') ? 201 : 204;
      if (response.status !== expected)
        throw new Error(`expected ${expected}: ${describeOp(this.op, response)}`);
      const before = userModel.version;
      await reconcile([this.op], [response], model, real);
      const appended = (await eventsSince(real.users[this.op.user].id, before)).map((e) => e.type);
      const predicted =
        expected === 201 ? ['KeyRegenerated'] : expected === 204 && wasActive ? ['KeyCleared'] : [];
      expect({ op: this.toString(), appended }).toEqual({
        op: this.toString(),
        appended: predicted,
      });
      await checkKeys(model, real, `after ${this.toString()}`);
    }

    toString(): string {
      return describeOp(this.op);
    }
  }

  class Concurrently implements fc.AsyncCommand<Model, Real> {
    constructor(readonly ops: Op[]) {}

    check(model: Readonly<Model>): boolean {
      return this.ops.every((op) => !WITH_KEY.has(op.kind) || model.users[op.user].latest !== null);
    }

    async run(model: Model, real: Real): Promise<void> {
      const activeBefore = model.users.map((user) => user.active);
      const responses = await Promise.all(this.ops.map((op) => send(op, model, real)));
      // A key that was alive may only be refused when another command of the batch replaced or
      // cleared it first.
      this.ops.forEach((op, index) => {
        const killedMeanwhile = this.ops.some(
          (other, at) =>
            at !== index && other.user === op.user && [201, 204].includes(responses[at].status),
        );
        if (responses[index].status === 401 && activeBefore[op.user] && !killedMeanwhile)
          throw new Error(`a live key was refused: ${describeOp(op, responses[index])} in ${this}`);
      });
      await reconcile(this.ops, responses, model, real);
      await checkKeys(model, real, `after ${this.toString()}`);
    }

    toString(): string {
      return `concurrently[${this.ops.map((op) => describeOp(op)).join(', ')}]`;
    }
  }

  const op = fc.record({
    user: fc.integer({ min: 0, max: USERS_PER_RUN - 1 }),
    kind: fc.constantFrom(...OP_KINDS),
  });
  const commands = fc.commands(
    [
      op.map((one) => new Sequential(one)),
      fc.array(op, { minLength: 2, maxLength: 5 }).map((ops) => new Concurrently(ops)),
    ],
    { maxCommands: MAX_COMMANDS },
  );

  beforeAll(async () => {
    api = await createTestApi({ HERALD_TRUST_PROXY: 'loopback' });
    admin = await adminToken(api);
  });
  afterAll(() => api?.close());

  it(`${RUNS} random sequences of up to ${MAX_COMMANDS} commands, some concurrent: a key works iff it is the latest and not cleared since`, async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (sequence) => {
        const setup = async (): Promise<{ model: Model; real: Real }> => {
          const users: RealUser[] = [];
          for (let index = 0; index < USERS_PER_RUN; index += 1) users.push(await newRealUser());
          const models = await Promise.all(
            users.map(async (user): Promise<UserModel> => ({
              issued: [],
              byPrefix: new Map(),
              latest: null,
              active: false,
              version: await streamVersion(user.id),
            })),
          );
          const run = { model: { users: models }, real: { users } };
          everyRun.push(run);
          return run;
        };
        await fc.asyncModelRun(setup, sequence);
      }),
      { numRuns: RUNS, ...REPLAY },
    );
    expect(everyRun.length).toBeGreaterThanOrEqual(RUNS);
  }, 300_000);

  it('api_key_states and users equal a rebuild from the events, and every key still works iff the model says so', async () => {
    const before = {
      keys: await tableRows(api, 'api_key_states', 'user_id'),
      users: await tableRows(api, 'users', 'id'),
    };
    const rebuilder = new DataSource(heraldDataSourceOptions(api.database.url));
    await rebuilder.initialize();
    try {
      await rebuildProjections(rebuilder, allProjections);
    } finally {
      await rebuilder.destroy();
    }
    expect(await tableRows(api, 'api_key_states', 'user_id')).toEqual(before.keys);
    expect(await tableRows(api, 'users', 'id')).toEqual(before.users);
    for (const [index, run] of everyRun.entries())
      await checkKeys(run.model, run.real, `after the rebuild, run ${index + 1}`);
  }, 120_000);
});
