import { SsrfBlockedError } from './ssrf/ssrf-blocked-error';

const MAX_ERROR_LENGTH = 200;

/** Short, stable texts for the attempt log; operators filter on them. */
const BY_CODE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CLOSED: 'connection closed',
  ENOTFOUND: 'dns: not found',
  EAI_AGAIN: 'dns: temporary failure',
  ENODATA: 'dns: no data',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  HPE_INVALID_CONSTANT: 'invalid http response',
  UND_ERR_INFO: 'invalid http response',
  HPE_HEADER_OVERFLOW: 'response headers too large',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
};

/** What an attempt refused by the SSRF guard records, whatever the address was. */
export const SSRF_REFUSED = 'ssrf: destination not allowed';

/**
 * Turns whatever an attempt failed with into the short text recorded as the attempt's `error`:
 * `timeout`, `connection refused`, `ssrf: …`, `tls: CERT_HAS_EXPIRED`, …. Never throws.
 * `timedOut` says the attempt's own deadline fired, which wins over the error it caused.
 */
export function describeNetworkError(error: unknown, timedOut: boolean): string {
  if (timedOut) {
    return 'timeout';
  }
  if (error instanceof SsrfBlockedError) {
    // The attempt log is the webhook owner's to read: naming the address a host resolved to would
    // let anyone map internal DNS by subscribing internal names.
    return SSRF_REFUSED;
  }
  const code = errorCode(error);
  if (code !== undefined) {
    const known = BY_CODE[code];
    if (known !== undefined) {
      return known;
    }
    if (
      code.startsWith('ERR_TLS_') ||
      code.startsWith('ERR_SSL_') ||
      /CERT|SELF_SIGNED/.test(code)
    ) {
      return truncate(`tls: ${code}`);
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return truncate(code === undefined ? `error: ${message}` : `error: ${code}: ${message}`);
}

/**
 * The code of the error, or of the first error of an AggregateError (what `net.connect` throws
 * when every address of a happy-eyeballs attempt failed).
 */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    return code;
  }
  if (error instanceof AggregateError && error.errors.length > 0) {
    return errorCode(error.errors[0]);
  }
  return undefined;
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
