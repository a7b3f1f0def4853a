import { DomainError, WebhookAlreadyExists, WebhookNotFound } from '../errors';

describe(WebhookNotFound.name, () => {
  it('is a not_found domain error naming the webhook', () => {
    const sut = new WebhookNotFound('w1');

    expect(sut).toBeInstanceOf(DomainError);
    expect(sut.kind).toBe('not_found');
    expect(String(sut)).toBe('WebhookNotFound: Webhook w1 does not exist');
  });
});

describe(WebhookAlreadyExists.name, () => {
  it('is a conflict domain error', () => {
    const sut = new WebhookAlreadyExists('w1');

    expect(sut).toBeInstanceOf(DomainError);
    expect(sut.kind).toBe('conflict');
  });
});
