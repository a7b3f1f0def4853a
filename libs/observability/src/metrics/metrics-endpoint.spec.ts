import { Counter, Registry } from 'prom-client';
import { answerMetricsScrape, metricsScrapeAllowed } from './metrics-endpoint';

const TOKEN = 'scrape-token-0123456789';

describe(metricsScrapeAllowed.name, () => {
  it('lets anyone scrape when no token is configured', () => {
    expect(metricsScrapeAllowed(null, undefined)).toBe(true);
    expect(metricsScrapeAllowed(null, 'Bearer whatever')).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${TOKEN}`],
    ['another token', 'Bearer scrape-token-0123456780'],
    ['a prefix of it', 'Bearer scrape-token'],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s when a token is configured', (_, header) => {
    expect(metricsScrapeAllowed(TOKEN, header)).toBe(false);
  });

  it('accepts the token as a bearer, in any case of the scheme', () => {
    expect(metricsScrapeAllowed(TOKEN, `Bearer ${TOKEN}`)).toBe(true);
    expect(metricsScrapeAllowed(TOKEN, `bearer ${TOKEN}`)).toBe(true);
  });
});

describe(answerMetricsScrape.name, () => {
  const registry = new Registry();
  new Counter({ name: 'herald_test_total', help: 'test', registers: [registry] }).inc(3);

  it('answers the text format', async () => {
    const answer = await answerMetricsScrape(registry, null, undefined);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.body).toContain('herald_test_total 3');
  });

  it('answers 401 problem+json, without metrics, to a scrape without the token', async () => {
    const answer = await answerMetricsScrape(registry, TOKEN, undefined);
    expect(answer).toMatchObject({
      status: 401,
      headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
    });
    expect(answer.body).not.toContain('herald_test_total');
  });
});
