/**
 * Domain errors. Each carries a `kind` that the HTTP layer maps to a status code
 * (`not_found` → 404, `conflict` → 409, `invalid` → 400/422, `forbidden` → 403), so the domain
 * never needs to know about HTTP. A decide function either returns events or throws one of these;
 * it never changes anything when it throws.
 */
export type DomainErrorKind = 'not_found' | 'conflict' | 'invalid' | 'forbidden';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  protected constructor(message: string) {
    super(message);
    // Logs and stack traces then say `UserNotFound: …` instead of `Error: …`.
    this.name = new.target.name;
  }
}

export class UserNotFound extends DomainError {
  override readonly kind = 'not_found';

  constructor(readonly userId: string) {
    super(`User ${userId} does not exist`);
  }
}

export class UserAlreadyExists extends DomainError {
  override readonly kind = 'conflict';

  constructor(readonly userId: string) {
    super(`User ${userId} already exists`);
  }
}

/**
 * Email uniqueness spans streams, so the aggregate cannot see it: the caller checks its read model
 * (and a unique index backs it up) and throws this.
 */
export class EmailAlreadyTaken extends DomainError {
  override readonly kind = 'conflict';

  constructor(readonly email: string) {
    super(`Email ${email} is already taken`);
  }
}

/** A command field failed validation; `field` names it for the problem+json response. */
export class InvalidInput extends DomainError {
  override readonly kind = 'invalid';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/** The actor may not do this to this user, whatever their role. */
export class ActionNotAllowed extends DomainError {
  override readonly kind = 'forbidden';

  constructor(reason: string) {
    super(reason);
  }
}

/**
 * The webhook does not exist, was deleted, or belongs to someone the actor may not see: all three
 * answer 404 alike, so nobody learns that another user's webhook exists.
 */
export class WebhookNotFound extends DomainError {
  override readonly kind = 'not_found';

  constructor(readonly webhookId: string) {
    super(`Webhook ${webhookId} does not exist`);
  }
}

export class WebhookAlreadyExists extends DomainError {
  override readonly kind = 'conflict';

  constructor(readonly webhookId: string) {
    super(`Webhook ${webhookId} already exists`);
  }
}
