import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { heraldLoggerParams, heraldPinoHttpOptions, maskQuery } from './logger-params';

type Line = Record<string, unknown>;

/** pino-http with Herald's settings (as createRequestLogger and nestjs-pino build it), into `lines`. */
function loggerInto(lines: Line[], level: 'info' | 'debug' = 'info') {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return pinoHttp(heraldPinoHttpOptions({ logLevel: level }), stream);
}

describe(heraldPinoHttpOptions.name, () => {
  let server: Server;
  let base: string;
  const lines: Line[] = [];

  beforeAll(async () => {
    const middleware = loggerInto(lines);
    server = createServer((request, response) => {
      middleware(request, response);
      request.log.info({ password: 'pw-in-a-field', nested: { token: 'tok-in-a-field' } }, 'work');
      response.setHeader('set-cookie', 'herald_session=hrs_cookie-value; HttpOnly');
      response.statusCode = request.url === '/fail' ? 500 : 200;
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  async function call(path: string, init: RequestInit = {}): Promise<Line[]> {
    const from = lines.length;
    const response = await fetch(`${base}${path}`, init);
    await response.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return lines.slice(from);
  }

  it('logs one completion line per request with the correlation id, level name and ISO time', async () => {
    const [work, completed] = await call('/v1/me?limit=5', {
      headers: { 'x-correlation-id': 'trace-1' },
    });
    expect(work).toMatchObject({ level: 'info', correlationId: 'trace-1', msg: 'work' });
    expect(work).not.toHaveProperty('req');
    expect(completed).toMatchObject({
      level: 'info',
      correlationId: 'trace-1',
      msg: 'request completed',
      req: { id: 'trace-1', method: 'GET', url: '/v1/me?limit=…' },
      res: { statusCode: 200 },
    });
    expect(new Date(String(completed.time)).toISOString()).toBe(completed.time);
  });

  it('redacts credentials in headers and secret-named fields, and logs no body', async () => {
    const body = JSON.stringify({ password: 'pw-in-the-body' });
    const logged = await call('/v1/auth/login', {
      method: 'POST',
      body,
      headers: {
        authorization: 'Bearer hrld_secret-key',
        'x-api-key': 'hrld_other-key',
        cookie: 'herald_session=hrs_session',
        'proxy-authorization': 'Basic cHJveHk=',
      },
    });
    const text = JSON.stringify(logged);
    for (const secret of ['hrld_', 'hrs_', 'pw-in', 'tok-in', 'cHJveHk'])
      expect(text).not.toContain(secret);
    const [work, completed] = logged;
    expect(work).toMatchObject({ password: '[redacted]', nested: { token: '[redacted]' } });
    expect(completed).toMatchObject({
      req: {
        headers: {
          authorization: '[redacted]',
          'x-api-key': '[redacted]',
          cookie: '[redacted]',
          'proxy-authorization': '[redacted]',
        },
      },
      res: { headers: { 'set-cookie': '[redacted]' } },
    });
    expect(Object.keys(completed.req as object).sort()).toEqual(
      ['headers', 'id', 'method', 'remoteAddress', 'url'].sort(),
    );
  });

  it('logs health probes and scrapes at debug when they succeed, failures at error', async () => {
    const [, probe] = await call('/health/ready');
    expect(probe).toBeUndefined(); // debug is below the configured info
    const [, scrape] = await call('/metrics');
    expect(scrape).toBeUndefined();
    const [, failed] = await call('/fail');
    expect(failed).toMatchObject({ level: 'error', res: { statusCode: 500 } });
  });
});

describe(heraldLoggerParams.name, () => {
  it('writes through process.stdout, and leaves request logging to the app when it mounted it', () => {
    const params = heraldLoggerParams({ logLevel: 'warn' });
    expect(params.pinoHttp).toEqual([expect.objectContaining({ level: 'warn' }), process.stdout]);
    expect(params.useExisting).toBeUndefined();
    expect(
      heraldLoggerParams({ logLevel: 'info' }, { requestLoggerMounted: true }).useExisting,
    ).toBe(true);
  });
});

describe(maskQuery.name, () => {
  it('keeps the path and parameter names, never query values (a key put in a URL stays out of the logs)', () => {
    expect(maskQuery('/v1/me?api_key=hrld_secret&limit=5')).toBe('/v1/me?api_key=…&limit=…');
    expect(maskQuery('/v1/me')).toBe('/v1/me');
    expect(maskQuery('/x?')).toBe('/x?');
  });
});
