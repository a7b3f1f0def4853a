import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

/** Node's HTTP parser errors (`error.code`) that have a status of their own; any other is a 400. */
const PARSER_PROBLEMS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'request-header-too-large',
    'The request line or headers are larger than the server accepts',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'The request took too long to arrive'],
};

/**
 * Requests that Node's HTTP parser refuses before Express sees them (a request line or headers
 * over the size limit, malformed HTTP) get an RFC 9457 problem like every other 4xx, instead of
 * Node's bare status line. There is no request or response object here: the answer is written
 * to the socket, which is then closed.
 */
export function answerClientErrorsWithProblems(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, slug, detail] = PARSER_PROBLEMS[error.code ?? ''] ?? [
      400,
      'malformed-request',
      'The request is not well-formed HTTP',
    ];
    const body = JSON.stringify(problem(status, slug, detail));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
