import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { sampleWebhookBody } from './sample-event';

/**
 * R1: the sending ceiling — a raw loop of signed (Standard Webhooks, HMAC-SHA256) `undici.request`
 * POSTs on a keep-alive agent to the same receiver, `concurrency` requests in flight spread over
 * `bases`, for `durationMs`. Requests/s answered 2xx. It does what Herald's sender does per
 * attempt (sign the exact bytes, send, consume the answer) and nothing else.
 */
export async function runR1(
  bases: string[],
  concurrency: number,
  durationMs: number,
): Promise<number> {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: concurrency });
  const secret = randomBytes(24);
  const deadline = Date.now() + durationMs;
  const started = Date.now();
  let ok = 0;
  let index = 0;
  const loop = async (lane: number) => {
    const base = bases[lane % bases.length];
    while (Date.now() < deadline) {
      index += 1;
      const body = sampleWebhookBody(index);
      const id = randomUUID();
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', secret)
        .update(`${id}.${timestamp}.${body}`)
        .digest('base64');
      const response = await request(`${base}/r1`, {
        method: 'POST',
        dispatcher: agent,
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': `v1,${signature}`,
        },
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => loop(lane)));
  const seconds = (Date.now() - started) / 1000;
  await agent.close();
  return ok / seconds;
}
