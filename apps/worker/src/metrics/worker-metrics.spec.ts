import { attemptOutcome } from './worker-metrics';

describe(attemptOutcome.name, () => {
  it.each([
    [200, null, 'success'],
    [204, null, 'success'],
    [410, null, 'gone'],
    [301, null, 'http_error'],
    [429, null, 'http_error'],
    [500, null, 'http_error'],
    [null, 'timeout', 'timeout'],
    [null, 'connect timeout', 'timeout'],
    [null, 'connection refused', 'network_error'],
    [null, 'tls: CERT_HAS_EXPIRED', 'network_error'],
    [null, 'ssrf: 10.0.0.1 is a private address', 'blocked'],
    [200, 'timeout', 'timeout'],
    [null, null, 'network_error'],
  ] as const)('status %s, error %s → %s', (statusCode, error, outcome) => {
    expect(attemptOutcome({ statusCode, error })).toBe(outcome);
  });
});
