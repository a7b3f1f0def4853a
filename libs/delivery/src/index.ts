// Building blocks of webhook delivery. No Nest, no database: the worker wires them together.

export {
  InvalidWebhookSecret,
  WEBHOOK_SECRET_BYTES,
  WEBHOOK_SECRET_PREFIX,
  decodeWebhookSecret,
  generateWebhookSecret,
} from './signing/webhook-secret';
export { signPayload, type SignPayloadInput } from './signing/sign-payload';
export { buildWebhookHeaders, type WebhookHeadersInput } from './signing/webhook-headers';

export {
  SecretBoxError,
  decryptSecret,
  encryptSecret,
  type SecretBoxFailure,
  type SecretBoxOptions,
} from './secret-box';

export { parseHostLiteral, type HostLiteral } from './ssrf/host-literal';
export { isForbiddenAddress } from './ssrf/forbidden-addresses';
export {
  InvalidSubnet,
  createAddressGuard,
  type AddressGuard,
  type TargetPolicy,
} from './ssrf/target-policy';
export {
  MAX_WEBHOOK_URL_LENGTH,
  validateWebhookUrl,
  type UrlValidation,
} from './ssrf/validate-webhook-url';
export { SsrfBlockedError } from './ssrf/ssrf-blocked-error';
export {
  defaultLookupAll,
  resolveAndCheck,
  type CheckedTarget,
  type LookupAll,
  type ResolveOptions,
} from './ssrf/resolve-and-check';
export { createGuardedLookup } from './ssrf/guarded-lookup';
export {
  DEFAULT_DNS_TIMEOUT_MS,
  DEFAULT_MAX_FALLBACK_LOOKUPS,
  createBoundedLookup,
  type BoundedLookupOptions,
} from './ssrf/bounded-lookup';
export { createGuardedConnector, type GuardedConnectorOptions } from './ssrf/guarded-connector';

export {
  DEFAULT_CONNECTIONS_PER_ORIGIN,
  createDeliveryAgent,
  type DeliveryAgentOptions,
} from './delivery-agent';
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  sendWebhook,
  type SendWebhookInput,
  type SendWebhookResult,
} from './http-sender';
export { parseRetryAfter } from './retry-after';
export { describeNetworkError } from './describe-network-error';
export {
  MAX_RETRY_AFTER_SECONDS,
  RETRY_JITTER,
  classifyResponse,
  nextAttemptDelay,
  type NextAttemptInput,
  type ResponseClass,
} from './retry-policy';
