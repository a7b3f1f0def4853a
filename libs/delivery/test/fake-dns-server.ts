import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** What the server says to a question: IPv4 addresses (A only), "no such name", or nothing. */
export type DnsAnswer = readonly string[] | 'nxdomain' | 'silent';

/** A real DNS server on 127.0.0.1 (UDP) answering A questions from a script; AAAA get no data. */
export interface FakeDnsServer {
  /** `127.0.0.1:port`, for `Resolver#setServers`. */
  readonly address: string;
  /** Questions received so far, as `name/type`. */
  readonly questions: string[];
  close(): Promise<void>;
}

export async function startDnsServer(answer: (name: string) => DnsAnswer): Promise<FakeDnsServer> {
  const questions: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    let offset = 12;
    const labels: string[] = [];
    while (query[offset] !== 0) {
      const length = query[offset] as number;
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
      offset += 1 + length;
    }
    const questionEnd = offset + 5;
    const type = query.readUInt16BE(offset + 1);
    const name = labels.join('.');
    questions.push(`${name}/${type}`);
    const reply = answer(name);
    if (reply === 'silent') return;
    const addresses = reply === 'nxdomain' || type !== 1 ? [] : reply;
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(reply === 'nxdomain' ? 0x8183 : 0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(addresses.length, 6);
    const records = addresses.map((ip) => {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // the question's name
      record.writeUInt16BE(1, 2); // A
      record.writeUInt16BE(1, 4); // IN
      record.writeUInt32BE(60, 6);
      record.writeUInt16BE(4, 10);
      ip.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
      return record;
    });
    socket.send(
      Buffer.concat([header, query.subarray(12, questionEnd), ...records]),
      peer.port,
      peer.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    questions,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
