import net from 'node:net';

/**
 * The receiver's own ceiling: requests/s it answers when the client costs next to nothing —
 * pre-built request bytes pipelined on a few keep-alive sockets, responses counted by their
 * status line. R1 pays for signing and undici per request; this does not, so the run can tell
 * whether the receiver or the sender limits R1.
 */
export async function measureReceiverCapacity(
  port: number,
  durationMs: number,
  sockets = 4,
): Promise<number> {
  const body = JSON.stringify({ type: 'Contact.Update', data: { entityId: '1' } });
  const one =
    `POST /cap HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
    `webhook-id: cap\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const window = 64;
  const batch = Buffer.from(one.repeat(window));
  const deadline = Date.now() + durationMs;
  let answered = 0;
  const started = Date.now();
  await Promise.all(
    Array.from(
      { length: sockets },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1');
          let outstanding = 0;
          let tail = '';
          const send = () => {
            if (Date.now() >= deadline) return socket.end();
            outstanding += window;
            socket.write(batch);
          };
          socket.on('connect', send);
          socket.on('data', (chunk) => {
            const text = tail + chunk.toString('latin1');
            const count = text.split('HTTP/1.1 200').length - 1;
            tail = text.slice(-11); // shorter than a status line: never counted twice
            answered += count;
            outstanding -= count;
            if (outstanding <= window / 2) send();
          });
          socket.on('end', () => resolve());
          socket.on('close', () => resolve());
          socket.on('error', reject);
        }),
    ),
  );
  return answered / ((Date.now() - started) / 1000);
}
