import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * Encryption at rest of webhook secrets: AES-256-GCM under `HERALD_SECRET_KEY`.
 *
 * Box format (ASCII, safe in any text column): `v1.<iv>.<tag>.<ciphertext>`, each part base64url
 * without padding; the IV is 12 random bytes, fresh for every box (random 96-bit IVs stay safe for
 * far more than 2^32 boxes under one key — many more secrets than Herald will ever hold); the tag
 * is the full 16 bytes. The version prefix leaves room for another algorithm or key later.
 *
 * `associatedData` (optional) binds a box to its context, e.g. the webhook id: a box copied onto
 * another webhook then fails to open. Whoever opens it must pass the same value.
 */

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type SecretBoxFailure = 'malformed' | 'unsupported_version' | 'authentication_failed';

/**
 * The box could not be opened. `authentication_failed` covers a wrong key, wrong associated data
 * and any tampering alike: GCM cannot tell them apart, and neither should an attacker.
 */
export class SecretBoxError extends Error {
  constructor(readonly reason: SecretBoxFailure) {
    super(`Cannot open secret box: ${reason.replace('_', ' ')}`);
    this.name = new.target.name;
  }
}

export interface SecretBoxOptions {
  readonly associatedData?: string;
}

export function encryptSecret(
  plaintext: string,
  key: Buffer,
  options: SecretBoxOptions = {},
): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  if (options.associatedData !== undefined) {
    cipher.setAAD(Buffer.from(options.associatedData, 'utf8'));
  }
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * Opens a box made by `encryptSecret`. Throws `SecretBoxError`; never returns unauthenticated
 * plaintext.
 */
export function decryptSecret(boxed: string, key: Buffer, options: SecretBoxOptions = {}): string {
  assertKey(key);
  const parts = boxed.split('.');
  if (parts.length !== 4) {
    throw new SecretBoxError('malformed');
  }
  if (parts[0] !== VERSION) {
    throw new SecretBoxError('unsupported_version');
  }
  const [iv, tag, ciphertext] = parts.slice(1).map(strictBase64url);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) {
    throw new SecretBoxError('malformed');
  }
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  if (options.associatedData !== undefined) {
    decipher.setAAD(Buffer.from(options.associatedData, 'utf8'));
  }
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('authentication_failed');
  }
}

/**
 * Decodes base64url, or returns undefined unless `text` is the canonical encoding of its bytes:
 * Node's decoder skips bad characters and ignores spare bits, which would let a box be altered
 * without the tag noticing the difference in text.
 */
function strictBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new RangeError(`The secret key must be ${KEY_BYTES} bytes`);
  }
}
