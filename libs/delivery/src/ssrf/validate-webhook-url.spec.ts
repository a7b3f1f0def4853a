import { validateWebhookUrl } from './validate-webhook-url';

const strict = { allowPrivateTargets: false };
const lenient = { allowPrivateTargets: true };

function reasonFor(url: string, policy = strict): string | null {
  const result = validateWebhookUrl(url, policy);
  return result.ok ? null : result.reason;
}

describe(validateWebhookUrl.name, () => {
  it('accepts a public https URL and returns it parsed', () => {
    const sut = validateWebhookUrl('https://hooks.example.com:8443/herald?x=1', strict);

    expect(sut).toEqual({ ok: true, url: new URL('https://hooks.example.com:8443/herald?x=1') });
  });

  it.each([
    'http://example.com/',
    'https://8.8.8.8/hook',
    'https://[2606:4700:4700::1111]/hook',
    'https://xn--bcher-kva.example/',
    'https://bücher.example/',
  ])('accepts %s', (url) => {
    expect(reasonFor(url)).toBeNull();
  });

  it.each([
    ['ftp://example.com/', 'must use http or https'],
    ['file:///etc/passwd', 'must use http or https'],
    ['javascript:alert(1)', 'must use http or https'],
    ['ws://example.com/', 'must use http or https'],
    ['https://user:pass@example.com/', 'must not contain a username or password'],
    ['https://user@example.com/', 'must not contain a username or password'],
    ['https://:pass@example.com/', 'must not contain a username or password'],
    ['https://example.com/#section', 'must not contain a fragment'],
    ['https://example.com/#', 'must not contain a fragment'],
    ['/relative/path', 'is not a valid absolute URL'],
    ['https://', 'is not a valid absolute URL'],
    ['https://exa mple.com/', 'is not a valid absolute URL'],
    ['', 'is not a valid absolute URL'],
    [`https://example.com/${'a'.repeat(2048)}`, 'must be at most 2048 characters'],
  ])('refuses %s: %s', (url, reason) => {
    expect(reasonFor(url)).toBe(reason);
  });

  it('accepts exactly 2048 characters', () => {
    const url = 'https://example.com/';
    expect(reasonFor(url + 'a'.repeat(2048 - url.length))).toBeNull();
  });

  it.each([
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://127.1/',
    'http://0177.0.0.1/',
    'http://127.0.0.1.:8080/',
    'http://127%2e0%2e0%2e1/',
    'http://１２７.０.０.１/',
    'http://0/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::]/',
    'http://10.0.0.5/',
    'http://172.16.0.1/',
    'http://192.168.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
  ])('refuses the private or reserved literal %s', (url) => {
    expect(reasonFor(url)).toMatch(/^must not point to a private or reserved address/);
    expect(reasonFor(url, lenient)).toBeNull();
  });

  it.each([
    'http://localhost/',
    'http://LOCALHOST:3000/',
    'http://api.localhost/',
    'http://localhost./',
  ])('refuses %s unless private targets are allowed', (url) => {
    expect(reasonFor(url)).toBe('must not point to localhost');
    expect(reasonFor(url, lenient)).toBeNull();
  });

  it('accepts a private literal inside an allowed subnet', () => {
    const policy = { allowPrivateTargets: false, allowedSubnets: ['10.0.0.0/24'] };

    expect(reasonFor('http://10.0.0.5/', policy)).toBeNull();
    expect(reasonFor('http://10.0.1.5/', policy)).toMatch(/private or reserved/);
  });

  it('leaves DNS names to the connect-time check', () => {
    expect(reasonFor('http://internal.corp.example/')).toBeNull();
    expect(reasonFor('http://localhost.example.com/')).toBeNull();
  });
});
