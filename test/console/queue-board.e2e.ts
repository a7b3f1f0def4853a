import { createTestApi, newUser, TEST_ADMIN, type TestApi, type TestUser } from '@herald/testing';
import { expectProblem } from '@herald/testing/http-assertions';
import { resetAuthFailures } from '@herald/testing/test-redis';
import type { Response } from 'supertest';

const COOKIE = 'herald_session';

function sessionCookie(response: Response): string {
  const header: unknown = response.headers['set-cookie'];
  const cookies = Array.isArray(header) ? header.map(String) : [String(header)];
  const cookie = cookies.find((value) => value.startsWith(`${COOKIE}=`));
  if (!cookie) throw new Error(`no ${COOKIE} cookie in ${JSON.stringify(header)}`);
  return cookie.split(';')[0];
}

/** Bull Board at /admin/queues (issue 4 §2): admins only, through the console session cookie. */
describe('Bull Board at /admin/queues', () => {
  let api: TestApi;
  let user: TestUser;
  let adminCookie: string;
  let userCookie: string;

  const signIn = async (email: string, password: string) =>
    sessionCookie(await api.http.post('/v1/auth/login').send({ email, password }).expect(200));

  beforeAll(async () => {
    api = await createTestApi();
    user = await newUser(api);
    adminCookie = await signIn(TEST_ADMIN.email, TEST_ADMIN.password);
    userCookie = await signIn(user.email, user.password);
  });
  afterAll(() => api?.close());
  beforeEach(() => resetAuthFailures(api));

  it('serves the dashboard HTML to an admin with a console session', async () => {
    const response = await api.http.get('/admin/queues').set('cookie', adminCookie).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toMatch(/<html/i);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toBe("frame-ancestors 'none'");
  });

  it("lists Herald's two queues, events and deliveries, in the board's API", async () => {
    const response = await api.http
      .get('/admin/queues/api/queues')
      .set('cookie', adminCookie)
      .expect(200);
    const names = (response.body.queues as { name: string }[]).map((queue) => queue.name).sort();
    expect(names).toEqual(['deliveries', 'events']);
  });

  it('serves its static files to an admin', async () => {
    const html = (await api.http.get('/admin/queues').set('cookie', adminCookie)).text;
    const base = /<base href="([^"]+)"/.exec(html)?.[1];
    const script = /<script defer src="(static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(base).toBe('/admin/queues/');
    expect(script).toBeDefined();
    await api.http.get(`${base}${script}`).set('cookie', adminCookie).expect(200);
    expectProblem(await api.http.get(`${base}${script}`), 401);
  });

  it('answers 403 to a signed-in user who is not an admin, on the page and its API', async () => {
    expectProblem(await api.http.get('/admin/queues').set('cookie', userCookie), 403);
    expectProblem(await api.http.get('/admin/queues/api/queues').set('cookie', userCookie), 403);
    const page = await api.http
      .get('/admin/queues')
      .set('cookie', userCookie)
      .set('accept', 'text/html');
    expect(page.status).toBe(403);
    expect(page.text).toContain('/console');
  });

  it('answers 401 to anonymous API callers and sends browsers to the console sign-in', async () => {
    expectProblem(await api.http.get('/admin/queues'), 401);
    expectProblem(await api.http.get('/admin/queues/api/queues'), 401);
    const browser = await api.http
      .get('/admin/queues')
      .set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(browser.status).toBe(303);
    expect(browser.headers.location).toBe('/console?next=%2Fadmin%2Fqueues');
  });

  it('answers 401 to an unknown or signed-out session, and counts it as a failed authentication', async () => {
    expectProblem(
      await api.http.get('/admin/queues').set('cookie', `${COOKIE}=hrs_not-a-session`),
      401,
    );
    const signedOut = await signIn(TEST_ADMIN.email, TEST_ADMIN.password);
    await api.http.post('/v1/auth/logout').set('cookie', signedOut).set('x-herald-csrf', '1');
    expectProblem(await api.http.get('/admin/queues').set('cookie', signedOut), 401);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push(
        (await api.http.get('/admin/queues/api/queues').set('cookie', `${COOKIE}=hrs_guess${i}`))
          .status,
      );
    expect(statuses).toContain(429);
  });

  it('does not accept an API key or a bearer token: the board is for console sessions', async () => {
    const token = (
      await api.http
        .post('/v1/auth/login')
        .send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password })
    ).body.token as string;
    expectProblem(await api.http.get('/admin/queues').set('authorization', `Bearer ${token}`), 401);
  });

  it('guards only /admin/queues and below: a neighbouring path is an ordinary 404', async () => {
    expectProblem(await api.http.get('/admin/queuesX'), 404);
    expectProblem(await api.http.get('/admin'), 404);
  });

  it('refuses state changes that do not come from its own page (CSRF), and allows them when they do', async () => {
    const crossSite = await api.http
      .put('/admin/queues/api/queues/pause')
      .set('cookie', adminCookie)
      .set('origin', 'https://evil.example')
      .set('sec-fetch-site', 'cross-site');
    expectProblem(crossSite, 403);
    const noProof = await api.http.put('/admin/queues/api/queues/pause').set('cookie', adminCookie);
    expectProblem(noProof, 403);

    const host = `http://${api.http.get('/').url.split('/')[2]}`;
    const sameOrigin = await api.http
      .put('/admin/queues/api/queues/resume')
      .set('cookie', adminCookie)
      .set('origin', host)
      .set('sec-fetch-site', 'same-origin');
    expect(sameOrigin.status).toBeLessThan(300);
  });
});
