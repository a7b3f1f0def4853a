/**
 * A connection refused by the SSRF guard. `code` follows Node's convention so that it travels
 * through `net.connect` and undici like any other connect error, and the sender can recognise it.
 */
export class SsrfBlockedError extends Error {
  readonly code = 'ERR_HERALD_SSRF_BLOCKED';

  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(
      hostname === address
        ? `${address} is a private or reserved address`
        : `${hostname} resolves to ${address}, a private or reserved address`,
    );
    this.name = new.target.name;
  }
}
