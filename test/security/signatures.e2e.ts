import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type ReceivedRequest,
  type WebhookBody,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer, stringField } from '@herald/testing/http-assertions';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';

/*
 * Pass criterion (issue 5, item 12; the rotation part moved here from
 * test/webhooks/rotation.e2e.ts, issue 3): requests that the real worker sent to a real receiver,
 * checked with the `standardwebhooks` reference package —
 * - verify as sent; and fail verification (WebhookVerificationError) when any signed part is
 *   changed: a byte of the body, the body re-serialised with the same JSON meaning, a byte
 *   appended; the timestamp ±1 s (still within the package's tolerance, so only the signature
 *   can catch it); the id (another event's id, one character changed); the signature itself; or
 *   checked with another webhook's secret;
 * - before a rotation carry one signature; within the rotation's overlap carry two, each of
 *   which verifies with exactly one of the old and new secret (and the header as a whole with
 *   either), while a tampered body, timestamp or id fails with both; after the overlap carry one
 *   signature that only the new secret verifies.
 */

/** Long enough for a delivery to go out inside the window, short enough to wait past it. */
const OVERLAP_SECONDS = 3;

type Headers = Record<string, string>;

/** Why `new Webhook(secret).verify(body, headers)` refused, or null when it accepted. */
function refusal(secret: string, body: Buffer | string, headers: Headers): string | null {
  try {
    new Webhook(secret).verify(body, headers);
    return null;
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return error.message;
  }
}

/** Every way to change what a request signs, keeping the rest as it was sent. */
function tamperings(request: ReceivedRequest): { what: string; body: Buffer; headers: Headers }[] {
  const body = request.rawBody;
  const headers = request.headers;
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  const [firstSignature] = headers['webhook-signature'].split(' ');
  const text = body.toString('utf8');
  const flipped = Buffer.from(body);
  const at = text.indexOf('"entityId":"') + '"entityId":"'.length;
  flipped[at] = flipped[at] === 0x41 ? 0x42 : 0x41;
  const signatureBytes = Buffer.from(firstSignature.slice('v1,'.length), 'base64');
  signatureBytes[0] ^= 0x01;
  return [
    { what: 'one byte of the body', body: flipped, headers },
    {
      what: 'the body re-serialised (same JSON, other bytes)',
      body: Buffer.from(JSON.stringify(JSON.parse(text), null, 2)),
      headers,
    },
    {
      what: 'a newline appended to the body',
      body: Buffer.concat([body, Buffer.from('\n')]),
      headers,
    },
    {
      what: 'the type in the body',
      body: Buffer.from(text.replace(/"type":"[^"]*"/, '"type":"Contact.Delete"')),
      headers,
    },
    {
      what: 'the timestamp + 1 s',
      body,
      headers: { ...headers, 'webhook-timestamp': String(timestamp + 1) },
    },
    {
      what: 'the timestamp - 1 s',
      body,
      headers: { ...headers, 'webhook-timestamp': String(timestamp - 1) },
    },
    {
      what: 'the id (another UUID)',
      body,
      headers: { ...headers, 'webhook-id': '00000000-0000-4000-8000-000000000000' },
    },
    {
      what: 'the id (one character changed)',
      body,
      headers: { ...headers, 'webhook-id': `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}` },
    },
    {
      what: 'one bit of the signature',
      body,
      headers: { ...headers, 'webhook-signature': `v1,${signatureBytes.toString('base64')}` },
    },
    {
      what: 'the signature without its version',
      body,
      headers: { ...headers, 'webhook-signature': firstSignature.slice('v1,'.length) },
    },
  ];
}

describe('Webhook signatures, verified with the standardwebhooks package', () => {
  let system: TestSystem;
  let owner: ApiUser;
  let receiver: WebhookReceiver;
  let webhook: WebhookBody;
  let oldSecret: string;
  let entityCount = 0;

  const change = async () =>
    (
      await postEntityChange(system.api, owner.apiKey, {
        entity: 'Company',
        entityId: `co-${++entityCount}`,
        operation: 'Update',
      })
    ).eventId;
  const arrival = async (eventId: string): Promise<ReceivedRequest> => {
    const [request] = await receiver.waitForRequests(
      1,
      10_000,
      (r) => r.headers['webhook-id'] === eventId,
    );
    return request;
  };
  const signatures = (request: ReceivedRequest) =>
    request.headers['webhook-signature'].split(' ').filter(Boolean);

  /** Each tampering of `request` that `secret` still accepts (should be none). */
  const acceptedTamperings = (request: ReceivedRequest, secret: string) =>
    tamperings(request)
      .filter(({ body, headers }) => refusal(secret, body, headers) === null)
      .map(({ what }) => what);

  beforeAll(async () => {
    system = await createTestSystem({
      HERALD_SECRET_ROTATION_OVERLAP_SECONDS: String(OVERLAP_SECONDS),
    });
    owner = await newApiUser(system.api);
    receiver = await startWebhookReceiver();
    ({ webhook, secret: oldSecret } = await subscribeWebhook(system.api, owner.apiKey, {
      url: receiver.url,
      entity: 'Company',
      operation: 'Update',
    }));
    receiver.addSecret(oldSecret);
  });
  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });

  describe('tampering', () => {
    let request: ReceivedRequest;

    beforeAll(async () => {
      request = await arrival(await change());
    });

    it('the request verifies as sent, and the package hands back the body', () => {
      expect(refusal(oldSecret, request.rawBody, request.headers)).toBeNull();
      expect(new Webhook(oldSecret).verify(request.rawBody, request.headers)).toEqual(request.json);
    });

    it('fails verification when the body, the timestamp, the id or the signature is changed', () => {
      const cases = tamperings(request);
      expect(cases).toHaveLength(10);
      const asSent = JSON.stringify([request.rawBody.toString('base64'), request.headers]);
      const unchanged = cases.filter(
        ({ body, headers }) => JSON.stringify([body.toString('base64'), headers]) === asSent,
      );
      expect(unchanged).toEqual([]);
      expect(acceptedTamperings(request, oldSecret)).toEqual([]);
    });

    it("fails verification with another webhook's secret", async () => {
      const { secret: otherSecret } = await subscribeWebhook(system.api, owner.apiKey, {
        url: `${receiver.url}/other`,
        entity: 'Job',
        operation: 'Create',
      });
      expect(refusal(otherSecret, request.rawBody, request.headers)).not.toBeNull();
    });
  });

  describe(`secret rotation (overlap ${OVERLAP_SECONDS} s)`, () => {
    it('before any rotation: one signature, verified by the secret shown at subscription', async () => {
      const request = await arrival(await change());

      expect(signatures(request)).toHaveLength(1);
      expect(request.verifiedBy[oldSecret]).toBe(true);
    });

    it(`rotate: a new whsec_ secret; within the overlap a delivery carries two signatures, one per secret, and verifies with either while tampering fails with both; after it, one signature that only the new secret verifies`, async () => {
      const rotatedAt = Date.now();
      const rotated = await system.api.http
        .post(`/v1/webhooks/${webhook.id}/secret/rotate`)
        .set(bearer(owner.apiKey))
        .expect(200);
      const newSecret = stringField(rotated.body, 'secret');
      const previousValidUntil = Date.parse(stringField(rotated.body, 'previousValidUntil'));
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(oldSecret);
      expect(previousValidUntil).toBeGreaterThanOrEqual(rotatedAt + OVERLAP_SECONDS * 1000 - 1000);
      expect(previousValidUntil).toBeLessThanOrEqual(Date.now() + OVERLAP_SECONDS * 1000 + 1000);
      receiver.addSecret(newSecret);

      const during = await arrival(await change());
      expect(during.receivedAt).toBeLessThan(previousValidUntil);
      expect(signatures(during)).toHaveLength(2);
      expect(during.verifiedBy).toEqual({ [oldSecret]: true, [newSecret]: true });
      // Each signature on its own verifies with exactly one of the two secrets.
      const bySecret = signatures(during).map((signature) => {
        const alone = { ...during.headers, 'webhook-signature': signature };
        return [oldSecret, newSecret].filter(
          (secret) => refusal(secret, during.rawBody, alone) === null,
        );
      });
      expect(bySecret.map((secrets) => secrets.length)).toEqual([1, 1]);
      expect(new Set(bySecret.flat())).toEqual(new Set([oldSecret, newSecret]));
      expect(acceptedTamperings(during, oldSecret)).toEqual([]);
      expect(acceptedTamperings(during, newSecret)).toEqual([]);

      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, previousValidUntil - Date.now()) + 500),
      );
      const after = await arrival(await change());
      expect(signatures(after)).toHaveLength(1);
      expect(after.verifiedBy).toEqual({ [oldSecret]: false, [newSecret]: true });
      expect(acceptedTamperings(after, newSecret)).toEqual([]);
    });
  });
});
