import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import { createGuardedConnector } from './guarded-connector';
import type { LookupAll } from './resolve-and-check';

/** A throw-away self-signed certificate (needs the `openssl` binary, as on any Debian). */
function selfSignedCertificate(dnsName: string): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${dnsName}`,
        '-addext',
        `subjectAltName=DNS:${dnsName}`,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const toLoopback: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];

describe(`${createGuardedConnector.name} over https`, () => {
  const { key, cert } = selfSignedCertificate('receiver.test');
  let server: Server;
  let port: number;
  const serverNames: Array<string | false | null> = [];

  beforeAll(async () => {
    server = createServer({ key, cert }, (req, res) => {
      serverNames.push((req.socket as TLSSocket).servername);
      res.end('secure');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects to the checked address but sends SNI and verifies the certificate for the name', async () => {
    const agent = new Agent({
      connect: createGuardedConnector({ allowPrivateTargets: true, lookup: toLoopback, ca: cert }),
    });

    const response = await request(`https://receiver.test:${port}/`, { dispatcher: agent });

    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('secure');
    expect(serverNames).toEqual(['receiver.test']);
    await agent.close();
  });

  it('still rejects a certificate that does not match the name', async () => {
    const agent = new Agent({
      connect: createGuardedConnector({ allowPrivateTargets: true, lookup: toLoopback, ca: cert }),
    });

    await expect(
      request(`https://impostor.test:${port}/`, { dispatcher: agent }),
    ).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    await agent.close();
  });
});
