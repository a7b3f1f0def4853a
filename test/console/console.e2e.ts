import {
  newApiUser,
  newUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  TEST_ADMIN,
  type ApiUser,
  type TestUser,
  type WebhookBody,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer } from '@herald/testing/http-assertions';
import { resetAuthFailures } from '@herald/testing/test-redis';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  horizontalOverflow,
  launchChromium,
  newContext,
  screenshot,
  type PageProblems,
  type PageWindow,
} from './browser';

const BROWSER_TEST_MS = 90_000;

/**
 * The web console at /console (issue 4 §1) in a real browser — Debian's chromium driven by
 * playwright-core — against the real API and worker listening on 127.0.0.1. Every effect of a click
 * is confirmed through the API, not only on the screen. Screenshots go to test-artifacts/console.
 */
describe('Web console (chromium)', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let base: string;
  /** A user with API access on, two webhooks and deliveries: one delivered, one that gave up. */
  let owner: ApiUser & { name: string };
  let delivered: WebhookBody;
  let failing: WebhookBody;
  const contexts: BrowserContext[] = [];
  let problems: PageProblems;

  beforeAll(async () => {
    // The browser first: without chromium this fails at once with the command that installs it.
    browser = await launchChromium();
    system = await createTestSystem();
    const server = await system.api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    receiver = await startWebhookReceiver({
      respond: (request) => (request.path.startsWith('/failing') ? { status: 500 } : {}),
    });
    owner = { ...(await newApiUser(system.api)), name: '' };
    owner.name = (
      await system.api.http.get('/v1/me').set(bearer(owner.apiKey)).expect(200)
    ).body.name;
    delivered = (
      await subscribeWebhook(system.api, owner.apiKey, {
        url: `${receiver.url}/crm/contacts/created-and-updated-with-a-long-path-for-narrow-screens`,
        entity: 'Contact',
        operation: 'Create',
      })
    ).webhook;
    failing = (
      await subscribeWebhook(system.api, owner.apiKey, {
        url: `${receiver.url}/failing`,
        entity: 'Contact',
        operation: '*',
      })
    ).webhook;
    await postEntityChange(system.api, owner.apiKey, {
      entity: 'Contact',
      entityId: '42',
      operation: 'Create',
      data: { name: 'Ada' },
    });
    await system.waitForDelivery(delivered.id, 'succeeded');
    await system.waitForDelivery(failing.id, 'exhausted', { timeoutMs: 20_000 });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await receiver?.close();
    await system?.close();
  });

  beforeEach(async () => {
    await resetAuthFailures(system.api);
  });

  afterEach(() => {
    // No uncaught script error and no Content-Security-Policy violation on any page of the test.
    expect(problems?.list ?? []).toEqual([]);
  });

  async function open(
    options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<Page> {
    const created = await newContext(browser, base, options);
    contexts.push(created.context);
    problems = created.problems;
    await created.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await created.context.newPage();
    await page.goto('/console');
    return page;
  }

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  const apiAccessState = (page: Page) => page.getByTestId('api-access-state');
  const newKey = (page: Page) => page.getByRole('textbox', { name: 'New API key' });
  const meWithKey = (apiKey: string) => system.api.http.get('/v1/me').set('x-api-key', apiKey);
  const webhookStatus = async (id: string) =>
    (await system.api.http.get(`/v1/webhooks/${id}`).set(bearer(owner.token)).expect(200)).body
      .status as string;

  it('serves the shell with a strict Content-Security-Policy and no inline script', async () => {
    const shell = await system.api.http.get('/console').expect(200);
    expect(shell.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(shell.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(shell.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(shell.text).not.toMatch(/\son[a-z]+=/i);
    const script = await system.api.http.get('/console/assets/app.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['content-security-policy']).toBe(csp);
    await system.api.http.get('/console/assets/nope.js').expect(404);
    await system.api.http.get('/console/assets/..%2Fconsole.controller.ts').expect(404);
  });

  it(
    'a user signs in (a wrong password is explained), enables API access, copies the key, regenerates it — the old key then gets 401 — and turns access off',
    async () => {
      const user: TestUser = await newUser(system.api);
      const page = await open();
      await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
      await screenshot(page, '01-sign-in');

      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Email or password is wrong.' }).waitFor();
      await screenshot(page, '02-sign-in-wrong-password');

      await signIn(page, user.email, user.password);
      await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
      await expect(apiAccessState(page).textContent()).resolves.toBe('Off');
      // Not an admin: no API Management, no queue dashboard in the navigation.
      await expect(page.getByRole('link', { name: 'API Management' }).isVisible()).resolves.toBe(
        false,
      );
      await expect(
        page.getByRole('link', { name: 'Swagger UI' }).first().getAttribute('href'),
      ).resolves.toBe('/docs');

      await page.getByRole('button', { name: 'Enable API Access' }).click();
      await newKey(page).waitFor();
      const firstKey = await newKey(page).inputValue();
      expect(firstKey).toMatch(/^hrld_/);
      await meWithKey(firstKey).expect(200);
      await expect(apiAccessState(page).textContent()).resolves.toBe('On');

      await page.getByRole('button', { name: 'Copy' }).click();
      await page.getByRole('status').filter({ hasText: 'API key copied' }).waitFor();
      await expect(
        page.evaluate(() => (globalThis as unknown as PageWindow).navigator.clipboard.readText()),
      ).resolves.toBe(firstKey);
      await screenshot(page, '03-api-access-new-key');

      await page.getByRole('button', { name: 'Regenerate New Key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Regenerate your API key?' });
      await dialog.waitFor();
      await expect(dialog.textContent()).resolves.toContain(
        'existing links and integrations that use the old key will fail',
      );
      await screenshot(page, '04-regenerate-confirm', { fullPage: false });
      await dialog.getByRole('button', { name: 'Regenerate New Key' }).click();
      await page.getByRole('status').filter({ hasText: 'the old key no longer works' }).waitFor();
      const secondKey = await newKey(page).inputValue();
      expect(secondKey).toMatch(/^hrld_/);
      expect(secondKey).not.toBe(firstKey);
      await meWithKey(firstKey).expect(401);
      await meWithKey(secondKey).expect(200);

      // Shown once: after a reload only the prefix is left.
      await page.reload();
      await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
      await expect(newKey(page).count()).resolves.toBe(0);
      const me = (await meWithKey(secondKey).expect(200)).body;
      await page.getByText(`${me.apiAccess.keyPrefix}…`).waitFor();
      expect(secondKey.startsWith(me.apiAccess.keyPrefix)).toBe(true);

      await page.getByRole('button', { name: 'Turn Off API Access' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Turn Off API Access' }).click();
      await page.getByRole('status').filter({ hasText: 'API access is off' }).waitFor();
      await expect(apiAccessState(page).textContent()).resolves.toBe('Off');
      await meWithKey(secondKey).expect(401);
      await screenshot(page, '05-api-access-off');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    },
    BROWSER_TEST_MS,
  );

  it(
    "an admin finds the user under API Management, sees their webhooks' deliveries and attempts, turns a webhook off and on, and clears the user's key",
    async () => {
      const page = await open();
      await signIn(page, TEST_ADMIN.email, TEST_ADMIN.password);
      await page.getByRole('link', { name: 'API Management' }).click();
      await page.getByRole('heading', { name: 'API Management', level: 1 }).waitFor();
      const row = page.getByRole('row').filter({ hasText: owner.email });
      await row.waitFor();
      await screenshot(page, '06-api-management-users');

      await row.getByRole('link', { name: owner.name }).click();
      await page.getByRole('heading', { name: owner.name, level: 1 }).waitFor();
      await expect(apiAccessState(page).textContent()).resolves.toBe('On');
      const deliveredCard = page.locator(`article[data-webhook-id="${delivered.id}"]`);
      const failingCard = page.locator(`article[data-webhook-id="${failing.id}"]`);
      await deliveredCard.getByText('Delivered').waitFor();
      await failingCard.getByText('Gave up').waitFor();
      await expect(failingCard.getByRole('cell', { name: '3', exact: true }).count()).resolves.toBe(
        1,
      );
      await failingCard.getByRole('button', { name: 'Show attempts' }).click();
      await failingCard.getByText('Attempt 3: HTTP 500').waitFor();
      await screenshot(page, '07-api-management-user');

      const toggle = page.getByRole('switch', { name: `Status of ${delivered.url}` });
      await expect(toggle.getAttribute('aria-checked')).resolves.toBe('true');
      await toggle.click();
      await page.getByRole('status').filter({ hasText: 'is now off' }).waitFor();
      await expect(toggle.getAttribute('aria-checked')).resolves.toBe('false');
      await expect(webhookStatus(delivered.id)).resolves.toBe('off');
      await deliveredCard.getByText('Off: changed by an admin').waitFor();
      await screenshot(page, '08-webhook-off');
      await toggle.click();
      await page.getByRole('status').filter({ hasText: 'is now on' }).waitFor();
      await expect(toggle.getAttribute('aria-checked')).resolves.toBe('true');
      await expect(webhookStatus(delivered.id)).resolves.toBe('on');

      await page.getByRole('button', { name: 'Clear API Key' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain(
        'The user must regenerate to get access again',
      );
      await screenshot(page, '09-clear-key-confirm', { fullPage: false });
      await dialog.getByRole('button', { name: 'Clear API Key' }).click();
      await page.getByRole('status').filter({ hasText: 'was cleared' }).waitFor();
      await expect(apiAccessState(page).textContent()).resolves.toBe('Off');
      await meWithKey(owner.apiKey).expect(401);
      const admin = await system.api.http
        .post('/v1/auth/login')
        .send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password });
      const cleared = await system.api.http
        .get(`/v1/admin/users/${owner.id}`)
        .set(bearer(admin.body.token))
        .expect(200);
      expect(cleared.body.apiAccess).toMatchObject({ enabled: false, keyPrefix: null });
      await screenshot(page, '10-key-cleared');

      await page.getByRole('link', { name: 'All users with API access' }).click();
      await page.getByRole('heading', { name: 'API Management', level: 1 }).waitFor();
      await page.locator('.users-table, .empty').first().waitFor();
      await expect(page.getByRole('row').filter({ hasText: owner.email }).count()).resolves.toBe(0);
    },
    BROWSER_TEST_MS,
  );

  it(
    'a user who is not an admin is told API Management is for admins',
    async () => {
      const user = await newUser(system.api);
      const page = await open();
      await signIn(page, user.email, user.password);
      await page.goto('/console#/api-management');
      await page.getByText('API Management is for admins.').waitFor();
    },
    BROWSER_TEST_MS,
  );

  it(
    'keyboard only: sign in, enable a key, and work the confirmation dialog (Escape cancels, focus returns)',
    async () => {
      const user = await newUser(system.api);
      const page = await open();
      const focused = () =>
        page.evaluate(() => {
          const browser = globalThis as unknown as PageWindow;
          const element = browser.document.activeElement;
          return {
            id: element?.id ?? '',
            text: element?.textContent?.trim() ?? '',
            outline: element ? browser.getComputedStyle(element).outlineStyle : 'none',
          };
        });
      // The sign-in screen puts the focus in the email field.
      await page.getByLabel('Email').waitFor();
      await expect(focused()).resolves.toMatchObject({ id: 'email' });
      await page.keyboard.type(user.email);
      await page.keyboard.press('Tab');
      await expect(focused()).resolves.toMatchObject({ id: 'password' });
      await page.keyboard.type(user.password);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();

      const tabTo = async (text: string) => {
        for (let i = 0; i < 30; i++) {
          await page.keyboard.press('Tab');
          const now = await focused();
          if (now.text === text) return now;
        }
        throw new Error(`Tab never reached "${text}"`);
      };
      const enable = await tabTo('Enable API Access');
      expect(enable.outline).not.toBe('none');
      await screenshot(page, '11-keyboard-focus');
      await page.keyboard.press('Enter');
      await newKey(page).waitFor();
      const firstKey = await newKey(page).inputValue();

      await tabTo('Regenerate New Key');
      await page.keyboard.press('Space');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await expect(focused()).resolves.toMatchObject({ text: 'Cancel' });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect(focused()).resolves.toMatchObject({ text: 'Regenerate New Key' });
      await meWithKey(firstKey).expect(200);

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.press('Tab');
      await expect(focused()).resolves.toMatchObject({ text: 'Regenerate New Key' });
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'the old key no longer works' }).waitFor();
      await meWithKey(firstKey).expect(401);
      await meWithKey(await newKey(page).inputValue()).expect(200);
    },
    BROWSER_TEST_MS,
  );

  it(
    'fits a 375 px wide screen without horizontal scrolling: sign-in, API Access, API Management and its user page (dark scheme)',
    async () => {
      const page = await open({ width: 375, height: 812, colorScheme: 'dark' });
      await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
      await expect(horizontalOverflow(page)).resolves.toBe(0);
      await screenshot(page, '12-narrow-sign-in');

      await signIn(page, TEST_ADMIN.email, TEST_ADMIN.password);
      await page.getByRole('heading', { name: 'API Access', level: 1 }).waitFor();
      await page
        .getByRole('button', { name: /Enable API Access|Regenerate New Key/ })
        .first()
        .waitFor();
      await expect(horizontalOverflow(page)).resolves.toBe(0);
      await screenshot(page, '13-narrow-api-access');

      await page.goto(`/console#/api-management/users/${owner.id}`);
      await page.getByRole('heading', { name: owner.name, level: 1 }).waitFor();
      await page.locator(`article[data-webhook-id="${failing.id}"]`).getByText('Gave up').waitFor();
      await page
        .locator(`article[data-webhook-id="${failing.id}"]`)
        .getByRole('button', { name: 'Show attempts' })
        .click();
      await page.getByText('Attempt 1: HTTP 500').waitFor();
      await expect(horizontalOverflow(page)).resolves.toBe(0);
      await screenshot(page, '14-narrow-api-management-user');

      await page.goto('/console#/api-management');
      await page.getByRole('heading', { name: 'API Management', level: 1 }).waitFor();
      await page.getByRole('checkbox', { name: /Also show people/ }).check();
      await page.getByRole('row').filter({ hasText: owner.email }).waitFor();
      await expect(horizontalOverflow(page)).resolves.toBe(0);
      await screenshot(page, '15-narrow-api-management');
    },
    BROWSER_TEST_MS,
  );

  it(
    'Bull Board: an admin signed in to the console sees both queues; a user gets 403; an anonymous visitor is sent to sign in and then on to the board',
    async () => {
      const admin = await open();
      await signIn(admin, TEST_ADMIN.email, TEST_ADMIN.password);
      const board = await admin.goto('/admin/queues');
      expect(board?.status()).toBe(200);
      await admin.getByText('deliveries', { exact: true }).first().waitFor();
      await admin.getByText('events', { exact: true }).first().waitFor();
      await admin
        .getByText('Loading...')
        .first()
        .waitFor({ state: 'hidden' })
        .catch(() => undefined);
      await screenshot(admin, '16-bull-board');
      await admin.getByRole('link', { name: 'deliveries' }).first().click();
      await admin.waitForLoadState('networkidle');
      await screenshot(admin, '17-bull-board-deliveries');

      const user = await newUser(system.api);
      const userPage = await open();
      await signIn(userPage, user.email, user.password);
      const refused = await userPage.goto('/admin/queues');
      expect(refused?.status()).toBe(403);

      const anonymous = await open();
      await anonymous.goto('/admin/queues');
      await anonymous.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
      expect(new URL(anonymous.url()).pathname).toBe('/console');
      await anonymous.getByLabel('Email').fill(TEST_ADMIN.email);
      await anonymous.getByLabel('Password').fill(TEST_ADMIN.password);
      await anonymous.getByRole('button', { name: 'Sign in' }).click();
      await anonymous.waitForURL(`${base}/admin/queues`);
      await anonymous.getByText('deliveries', { exact: true }).first().waitFor();
    },
    BROWSER_TEST_MS,
  );

  it(
    'after signing in, follows ?next= only to the queue board: `..`, `%2e%2e`, backslashes and other hosts stay on the console',
    async () => {
      const escapes = [
        '/admin/queues/../../v1/me',
        '/admin/queues/%2e%2e/%2e%2e/docs',
        '/admin/queues/..\\..\\docs',
        '//evil.example/admin/queues',
        'https://evil.example/admin/queues',
      ];
      for (const next of escapes) {
        const page = await open();
        await page.goto(`/console?next=${encodeURIComponent(next)}`);
        await signIn(page, TEST_ADMIN.email, TEST_ADMIN.password);
        expect(new URL(page.url()).pathname).toBe('/console');
        await page.context().close();
      }
    },
    BROWSER_TEST_MS,
  );
});
