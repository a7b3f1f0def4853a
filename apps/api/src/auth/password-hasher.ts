import { Injectable } from '@nestjs/common';
import {
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function scrypt(
  password: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * scrypt password hashes, self-describing (`scrypt$N$r$p$salt$hash`, base64) so that parameters can
 * be raised later without invalidating stored hashes.
 */
@Injectable()
export class PasswordHasher {
  /** A real hash of a random password, so that verifying an unknown user costs as much as a known one. */
  private readonly decoy = this.hash(randomBytes(16).toString('hex'));

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, KEY_LENGTH, {
      ...PARAMS,
      maxmem: 128 * PARAMS.N * PARAMS.r * 2,
    });
    return [
      'scrypt',
      PARAMS.N,
      PARAMS.r,
      PARAMS.p,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  /** Constant-time check; `stored` null verifies against a decoy and returns false. */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const encoded = stored ?? (await this.decoy);
    const [scheme, n, r, p, salt, expected] = encoded.split('$');
    if (scheme !== 'scrypt' || !salt || !expected) return false;
    const expectedKey = Buffer.from(expected, 'base64');
    const N = Number(n);
    const actual = await scrypt(password, Buffer.from(salt, 'base64'), expectedKey.length, {
      N,
      r: Number(r),
      p: Number(p),
      maxmem: 128 * N * Number(r) * 2,
    });
    return timingSafeEqual(actual, expectedKey) && stored !== null;
  }
}
