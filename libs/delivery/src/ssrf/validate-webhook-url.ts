import { parseHostLiteral } from './host-literal';
import { createAddressGuard, type TargetPolicy } from './target-policy';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type UrlValidation =
  { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly reason: string };

/** Names that always resolve to loopback (RFC 6761 §6.3), whatever DNS says. */
const LOCALHOST_NAME = /(^|\.)localhost\.?$/;
const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];

/**
 * Checks a webhook URL at subscribe time. `reason` is a short sentence for a 422 response.
 *
 * Refuses: more than 2048 characters, anything the WHATWG parser rejects, schemes other than
 * http/https, a username or password, an empty host, a fragment (receivers never see it, so it
 * would only confuse), and — unless the policy permits them — IP literals in any spelling that
 * denote a forbidden address and `localhost`/`*.localhost` (judged as 127.0.0.1 and ::1, the
 * addresses they must resolve to).
 *
 * DNS names are not resolved here: what a name resolves to can change after subscribing, so the
 * binding check is the one at connect time (`createGuardedConnector`).
 */
export function validateWebhookUrl(url: string, policy: TargetPolicy): UrlValidation {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) {
    return refuse(`must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('is not a valid absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return refuse('must use http or https');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return refuse('must not contain a username or password');
  }
  if (parsed.hostname === '') {
    return refuse('must have a host');
  }
  // `URL.hash` is '' for a bare trailing '#', hence the look at the raw string as well.
  if (parsed.hash !== '' || url.includes('#')) {
    return refuse('must not contain a fragment');
  }
  const guard = createAddressGuard(policy);
  const literal = parseHostLiteral(parsed.hostname);
  if (literal !== null && !guard.permits(literal.address)) {
    return refuse(`must not point to a private or reserved address (${literal.address})`);
  }
  if (LOCALHOST_NAME.test(parsed.hostname) && !LOOPBACK_ADDRESSES.every((a) => guard.permits(a))) {
    return refuse('must not point to localhost');
  }
  return { ok: true, url: parsed };
}

function refuse(reason: string): UrlValidation {
  return { ok: false, reason };
}
