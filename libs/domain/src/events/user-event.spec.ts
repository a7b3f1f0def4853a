import { UserEventTypes, isUserEvent } from './user-event';
import { userStream } from './user-stream';

describe(userStream.name, () => {
  it('names the stream user-<userId>', () => {
    expect(userStream('0b6f6c1e')).toBe('user-0b6f6c1e');
  });
});

describe(isUserEvent.name, () => {
  it.each(Object.values(UserEventTypes))('recognises %s', (type) => {
    expect(isUserEvent({ type, data: {} })).toBe(true);
  });

  it('rejects events of other streams', () => {
    expect(isUserEvent({ type: 'WebhookSubscribed', data: {} })).toBe(false);
  });
});
