import type { LookupAddress } from 'node:dns';
import { connect } from 'node:net';
import type { LookupAll } from '@herald/delivery';
import {
  newApiUser,
  postEntityChange,
  startConnectionSentinel,
  subscribeWebhook,
  type ApiUser,
  type ConnectionSentinel,
  type WebhookBody,
} from '@herald/testing';
import { bearer, countEvents, expectFieldError, tableRows } from '@herald/testing/http-assertions';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';
import { DELIVERY_DNS_LOOKUP } from '../../apps/worker/src/delivery/delivery.tokens';
import { SSRF_REFUSED } from '../../libs/delivery/src/describe-network-error';

/*
 * Pass criterion (issue 5, item 8), with HERALD_ALLOW_PRIVATE_TARGETS=false and no allowed subnets:
 * - Subscribe time, through the real API: every spelling in REFUSED_URLS (loopback, `0.0.0.0`,
 *   decimal/hex/octal/short IPv4, IPv4-mapped IPv6, `localhost`, cloud metadata, and addresses at
 *   both ends of 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7, fe80::/10) is
 *   refused by POST /v1/webhooks and by PATCH /v1/webhooks/{id} with a 422 problem naming `url`,
 *   and nothing changes: no event is appended, the webhooks projection is identical. The public
 *   neighbours of those ranges (ACCEPTED_URLS) are accepted, so the table is not vacuous.
 * - Connect time, through the real worker (createTestSystem; only the DNS resolver behind the
 *   worker's SSRF guard, DELIVERY_DNS_LOOKUP, is stood in for): names that the API accepted
 *   (names are not resolved at subscribe time) and that resolve to loopback, IPv4-mapped
 *   loopback, link-local metadata, or a public + loopback mix only when the worker sends are
 *   refused on every attempt: the delivery ends `exhausted`, every attempt records
 *   `ssrf: destination not allowed` with no status code (also as the API shows it), the resolver
 *   was asked for each name, and a sentinel listener on the port the URLs name sees no connection.
 */

/** Private or reserved destinations, each in a spelling a parser or resolver might let through. */
const REFUSED_URLS: readonly string[] = [
  // loopback, every spelling
  'http://127.0.0.1/hook',
  'http://127.0.0.1:8080/hook',
  'https://127.0.0.1/hook',
  'http://127.255.255.254/hook',
  'http://[::1]/hook',
  'http://[0:0:0:0:0:0:0:1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:7f00:1]/hook',
  'http://2130706433/hook',
  'http://0x7f.1/hook',
  'http://0x7f000001/hook',
  'http://017700000001/hook',
  'http://0177.0.0.1/hook',
  'http://127.1/hook',
  'http://127.0.1/hook',
  'http://127.0.0.1./hook',
  'http://0x7f.0x0.0x0.0x1/hook',
  'http://127.000.000.001/hook',
  'http://１２７.０.０.１/hook', // full-width digits, mapped to ASCII by the URL parser
  'http://127。0。0。1/hook', // ideographic full stops
  'http://[::127.0.0.1]/hook', // IPv4-compatible IPv6
  'http://[64:ff9b::127.0.0.1]/hook', // NAT64
  'http://[2002:7f00:1::]/hook', // 6to4 around 127.0.0.1
  'http://localhost/hook',
  'http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/hook', // circled letters, mapped to "localhost" by IDNA
  'http://LOCALHOST:3000/hook',
  'http://localhost./hook',
  'http://api.localhost/hook',
  // "this host"
  'http://0.0.0.0/hook',
  'http://0/hook',
  'http://[::]/hook',
  // link-local and the cloud metadata service
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:169.254.169.254]/latest/meta-data/',
  'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
  'http://169.254.0.1/hook',
  // 10/8
  'http://10.0.0.1/hook',
  'http://10.255.255.254/hook',
  'http://012.0.0.1/hook',
  // 172.16/12
  'http://172.16.0.1/hook',
  'http://172.31.255.254/hook',
  // 192.168/16
  'http://192.168.0.1/hook',
  'http://192.168.255.254/hook',
  'http://[::ffff:192.168.1.1]/hook',
  // 100.64/10 (carrier-grade NAT)
  'http://100.64.0.1/hook',
  'http://100.127.255.254/hook',
  // fc00::/7 (unique local)
  'http://[fc00::1]/hook',
  'http://[fd12:3456:789a::1]/hook',
  'http://[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/hook',
  // fe80::/10 (link-local)
  'http://[fe80::1]/hook',
  'http://[febf:ffff::1]/hook',
];

/** Just outside each refused range, and a public name: accepted, so the table above is not vacuous. */
const ACCEPTED_URLS: readonly string[] = [
  'https://example.com/hook',
  'http://93.184.216.34/hook',
  'http://9.255.255.255/hook',
  'http://11.0.0.1/hook',
  'http://172.15.255.255/hook',
  'http://172.32.0.1/hook',
  'http://192.167.255.255/hook',
  'http://192.169.0.1/hook',
  'http://100.63.255.255/hook',
  'http://100.128.0.1/hook',
  'http://169.255.0.1/hook',
  'http://[2606:4700:4700::1111]/hook',
];

/** What the stand-in DNS answers at send time: forbidden, all of it or (the mix) one address of it. */
const REBINDING_NAMES: Readonly<Record<string, LookupAddress[]>> = {
  'rebind.herald.test': [{ address: '127.0.0.1', family: 4 }],
  'rebind-mapped.herald.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'rebind-v6.herald.test': [{ address: '::1', family: 6 }],
  'rebind-metadata.herald.test': [{ address: '169.254.169.254', family: 4 }],
  'rebind-mixed.herald.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
};

describe('SSRF guard (HERALD_ALLOW_PRIVATE_TARGETS=false)', () => {
  let system: TestSystem;
  let owner: ApiUser;
  let sentinel: ConnectionSentinel;
  const looked: string[] = [];

  /** Stands in for DNS: only the names above exist, so nothing here depends on a real resolver. */
  const standInDns: LookupAll = (hostname) => {
    looked.push(hostname);
    const answer = REBINDING_NAMES[hostname.toLowerCase()];
    if (answer) return Promise.resolve(answer.map((entry) => ({ ...entry })));
    return Promise.reject(
      Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
    );
  };

  const webhookRows = () => tableRows(system.api, 'webhooks', 'id');
  const subscribe = (url: string) =>
    system.api.http
      .post('/v1/webhooks')
      .set(bearer(owner.apiKey))
      .send({ url, entity: 'Company', operation: 'Delete' });

  beforeAll(async () => {
    system = await createTestSystem(
      { HERALD_ALLOW_PRIVATE_TARGETS: 'false', HERALD_ALLOWED_SUBNETS: '' },
      {
        overrideWorker: (builder) =>
          builder.overrideProvider(DELIVERY_DNS_LOOKUP).useValue(standInDns),
      },
    );
    expect(system.config.allowPrivateTargets).toBe(false);
    expect(system.config.allowedSubnets).toEqual([]);
    owner = await newApiUser(system.api);
    sentinel = await startConnectionSentinel();
  });
  afterAll(async () => {
    await sentinel?.close();
    await system?.close();
  });

  describe('at subscribe time, through the real API', () => {
    it.each(REFUSED_URLS)(
      'POST /v1/webhooks refuses %s: 422 naming url, nothing recorded',
      async (url) => {
        const events = await countEvents(system.api);
        const rows = await webhookRows();

        expectFieldError(await subscribe(url), 422, 'url');

        expect(await countEvents(system.api)).toBe(events);
        expect(await webhookRows()).toEqual(rows);
      },
    );

    it(`PATCH /v1/webhooks/{id} refuses all ${REFUSED_URLS.length} of them too, leaving the webhook and the store unchanged`, async () => {
      const { webhook } = await subscribeWebhook(system.api, owner.apiKey, {
        url: 'https://example.com/patched',
        entity: 'Company',
        operation: 'Delete',
      });
      const events = await countEvents(system.api);
      const rows = await webhookRows();
      const accepted: string[] = [];
      for (const url of REFUSED_URLS) {
        const response = await system.api.http
          .patch(`/v1/webhooks/${webhook.id}`)
          .set(bearer(owner.apiKey))
          .send({ url });
        try {
          expectFieldError(response, 422, 'url');
        } catch (error) {
          accepted.push(`${url}: ${(error as Error).message}`);
        }
      }
      expect(accepted).toEqual([]);
      expect(await countEvents(system.api)).toBe(events);
      expect(await webhookRows()).toEqual(rows);
      const current = await system.api.http
        .get(`/v1/webhooks/${webhook.id}`)
        .set(bearer(owner.apiKey))
        .expect(200);
      expect(current.body.url).toBe('https://example.com/patched');
    });

    it('accepts the public neighbours of those ranges, and DNS names (not resolved until sending)', async () => {
      const refused: string[] = [];
      for (const url of [...ACCEPTED_URLS, 'http://rebind.herald.test/hook']) {
        const response = await subscribe(url);
        if (response.status !== 201) refused.push(`${url}: ${response.status} ${response.text}`);
      }
      expect(refused).toEqual([]);
      expect(looked).toEqual([]);
    });
  });

  describe('at connect time, through the real worker', () => {
    it('a name that resolves to a forbidden address only when sending is refused on every attempt; the sentinel sees no connection', async () => {
      const webhooks: WebhookBody[] = [];
      for (const name of Object.keys(REBINDING_NAMES)) {
        const { webhook } = await subscribeWebhook(system.api, owner.apiKey, {
          url: `http://${name}:${sentinel.port}/hook`,
          entity: 'Note',
          operation: 'Create',
        });
        webhooks.push(webhook);
      }

      const { eventId } = await postEntityChange(system.api, owner.apiKey, {
        entity: 'Note',
        entityId: 'ssrf-1',
        operation: 'Create',
      });

      for (const webhook of webhooks) {
        const delivery = await system.waitForDelivery(webhook.id, 'exhausted', {
          eventId,
          timeoutMs: 20_000,
        });
        const attempts = await system.attempts(delivery.id);
        expect(attempts.length).toBe(system.config.retryScheduleSeconds.length + 1);
        for (const attempt of attempts) {
          expect({ url: webhook.url, ...attempt }).toMatchObject({
            url: webhook.url,
            statusCode: null,
            error: SSRF_REFUSED,
          });
        }
        // What the owner sees through the API: the same refusal, no address named.
        const shown = await system.api.http
          .get(`/v1/webhooks/${webhook.id}/deliveries/${delivery.id}`)
          .set(bearer(owner.apiKey))
          .expect(200);
        expect(shown.body).toMatchObject({ status: 'exhausted' });
        const shownAttempts = (shown.body as { attempts: Record<string, unknown>[] }).attempts;
        expect(shownAttempts.map((attempt) => attempt.error)).toEqual(
          attempts.map(() => SSRF_REFUSED),
        );
      }

      expect(new Set(looked)).toEqual(new Set(Object.keys(REBINDING_NAMES)));
      expect(sentinel.connections).toBe(0);
    });

    it('the sentinel would have noticed: a direct connection to its port is counted', async () => {
      const before = sentinel.connections;
      await new Promise<void>((resolve) => {
        const socket = connect(sentinel.port, '127.0.0.1');
        socket.on('close', () => resolve());
        socket.on('error', () => undefined);
      });
      await system.waitFor('the sentinel to count the connection', () =>
        sentinel.connections > before ? true : false,
      );
    });

    it('no attempt anywhere got a status code: nothing was sent to any refused target', async () => {
      const rows: { n: number }[] = await system.api.db.query(
        `SELECT count(*)::int AS n FROM delivery_attempts WHERE status_code IS NOT NULL`,
      );
      expect(rows[0].n).toBe(0);
    });
  });
});
