import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assignCorrelationId, correlationIdFrom } from './correlation-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe(correlationIdFrom.name, () => {
  it.each(['trace-123', 'a.b_c:d-e', 'x'.repeat(100), '0f8fad5b-d9cb-469f-a165-70867728950e'])(
    'keeps the well-formed %s',
    (header) => {
      expect(correlationIdFrom(header)).toBe(header);
    },
  );

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'x'.repeat(101)],
    ['with spaces', 'a b'],
    ['with a newline (log forging)', 'a\nb'],
    ['with quotes', '"x"'],
    ['repeated', ['a', 'b']],
  ])('replaces a %s header with a new UUID', (_, header) => {
    expect(correlationIdFrom(header)).toMatch(UUID);
  });
});

describe(assignCorrelationId.name, () => {
  async function roundTrip(
    headers: Record<string, string>,
    handle: (request: IncomingMessage, response: ServerResponse) => unknown,
  ) {
    const server = createServer((request, response) => {
      const body = JSON.stringify(handle(request, response));
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { headers });
      return { header: response.headers.get('x-correlation-id'), body: await response.json() };
    } finally {
      server.close();
    }
  }

  it('sets request.id and the x-correlation-id answer header to the caller’s id', async () => {
    const { header, body } = await roundTrip({ 'x-correlation-id': 'trace-9' }, (req, res) => [
      assignCorrelationId(req, res),
      req.id,
    ]);
    expect(body).toEqual(['trace-9', 'trace-9']);
    expect(header).toBe('trace-9');
  });

  it('gives one id per request however often it is called', async () => {
    const { header, body } = await roundTrip({}, (req, res) => [
      assignCorrelationId(req, res),
      assignCorrelationId(req, res),
    ]);
    const [first, second] = body as string[];
    expect(first).toMatch(UUID);
    expect(second).toBe(first);
    expect(header).toBe(first);
  });
});
