import {
  decideSending,
  isDueForJob,
  type DeliveryTarget,
  type TargetWebhook,
} from './delivery-target';

const webhook: TargetWebhook = {
  id: 'w-1',
  ownerId: 'u-1',
  url: 'https://receiver.example/hook',
  status: 'on',
  deletedAt: null,
  secretRef: 'v1.a.b.c',
  previousSecretRef: null,
  previousValidUntil: null,
};
const target = (overrides: Partial<DeliveryTarget> = {}): DeliveryTarget => ({
  deliveryId: 'd-1',
  eventId: 'e-1',
  status: 'pending',
  generation: 2,
  attemptCount: 0,
  nextAttemptAt: null,
  webhook,
  ownerApiAccess: true,
  event: null,
  ...overrides,
});

describe(isDueForJob.name, () => {
  it('only a pending row of the job’s generation', () => {
    expect(isDueForJob(target(), 2)).toBe(true);
    expect(isDueForJob(target(), 1)).toBe(false);
    expect(isDueForJob(target({ status: 'succeeded' }), 2)).toBe(false);
    expect(isDueForJob(target({ status: 'skipped' }), 2)).toBe(false);
  });
});

describe(decideSending.name, () => {
  it('sends to an on webhook whose owner has API access', () => {
    expect(decideSending(target())).toEqual({ send: webhook });
  });

  it.each([
    ['a missing webhook', { webhook: null }, 'webhook_deleted'],
    ['a deleted webhook', { webhook: { ...webhook, deletedAt: new Date() } }, 'webhook_deleted'],
    [
      'a deleted webhook that is also off',
      { webhook: { ...webhook, status: 'off' as const, deletedAt: new Date() } },
      'webhook_deleted',
    ],
    ['an off webhook', { webhook: { ...webhook, status: 'off' as const } }, 'webhook_off'],
    ['an owner without API access', { ownerApiAccess: false }, 'owner_api_access_off'],
  ])('skips %s', (_, overrides, reason) => {
    expect(decideSending(target(overrides))).toEqual({ skip: reason });
  });
});
