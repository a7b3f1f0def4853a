import { describeNetworkError } from './describe-network-error';
import { SsrfBlockedError } from './ssrf/ssrf-blocked-error';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe(describeNetworkError.name, () => {
  it('says timeout whenever the attempt deadline fired, whatever the error', () => {
    expect(describeNetworkError(withCode('ECONNRESET'), true)).toBe('timeout');
  });

  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ECONNRESET', 'connection reset'],
    ['UND_ERR_SOCKET', 'connection closed'],
    ['ENOTFOUND', 'dns: not found'],
    ['EAI_AGAIN', 'dns: temporary failure'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect timeout'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls: ERR_TLS_CERT_ALTNAME_INVALID'],
    ['CERT_HAS_EXPIRED', 'tls: CERT_HAS_EXPIRED'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls: DEPTH_ZERO_SELF_SIGNED_CERT'],
  ])('names %s "%s"', (code, text) => {
    expect(describeNetworkError(withCode(code), false)).toBe(text);
  });

  it('records SSRF refusals without the address the host resolved to', () => {
    expect(describeNetworkError(new SsrfBlockedError('evil.test', '10.0.0.1'), false)).toBe(
      'ssrf: destination not allowed',
    );
  });

  it('reads the first error of an AggregateError (every address of a connect failed)', () => {
    const error = new AggregateError([withCode('ECONNREFUSED'), withCode('ENETUNREACH')]);

    expect(describeNetworkError(error, false)).toBe('connection refused');
  });

  it('falls back to the code and message, at most 200 characters', () => {
    expect(describeNetworkError(withCode('EWEIRD', 'odd'), false)).toBe('error: EWEIRD: odd');
    expect(describeNetworkError('a string', false)).toBe('error: a string');
    expect(describeNetworkError(new Error('x'.repeat(500)), false)).toHaveLength(200);
  });
});
