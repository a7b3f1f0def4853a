import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { answerClientErrorsWithProblems } from './client-error-problems';

/** Sends `raw` on a fresh connection and returns everything the server wrote before closing. */
function exchange(server: Server, raw: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

function parse(answer: string): { statusLine: string; headers: string; body: unknown } {
  const [head, body] = answer.split('\r\n\r\n');
  const [statusLine, ...headers] = head.split('\r\n');
  return { statusLine, headers: headers.join('\n').toLowerCase(), body: JSON.parse(body) };
}

describe(answerClientErrorsWithProblems.name, () => {
  let sut: Server;

  beforeAll(async () => {
    sut = createServer((_, response) => response.end('reached the app'));
    answerClientErrorsWithProblems(sut);
    await new Promise<void>((resolve) => sut.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => sut.close(() => resolve())));

  it('answers a request line over the header size limit with a 431 problem', async () => {
    const answer = parse(
      await exchange(sut, `GET /?cursor=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.headers).toContain('content-type: application/problem+json');
    expect(answer.body).toEqual({
      type: 'https://herald.dev/problems/request-header-too-large',
      title: 'Request Header Fields Too Large',
      status: 431,
      detail: expect.any(String),
    });
  });

  it('answers malformed HTTP with a 400 problem', async () => {
    const answer = parse(await exchange(sut, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.headers).toContain('content-type: application/problem+json');
    expect(answer.body).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it('leaves well-formed requests to the app', async () => {
    const answer = await exchange(sut, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer).toContain('reached the app');
  });
});
