import { endpointKey, EndpointSlots, MAX_BUSY_DELAY_MS, MIN_BUSY_DELAY_MS } from './endpoint-slots';

describe(EndpointSlots.name, () => {
  const a = 'https://a.example';
  const b = 'https://b.example';

  it('hands out at most `limit` slots per origin, independently per origin', () => {
    const sut = new EndpointSlots(2);
    expect([sut.tryAcquire(a), sut.tryAcquire(a), sut.tryAcquire(a)]).toEqual([true, true, false]);
    expect(sut.tryAcquire(b)).toBe(true);
    expect(sut.held(a)).toBe(2);
    sut.release(a);
    expect(sut.tryAcquire(a)).toBe(true);
    expect(sut.held(a)).toBe(2);
  });

  it('ignores a release without a held slot (never goes negative)', () => {
    const sut = new EndpointSlots(1);
    sut.release(a);
    expect(sut.held(a)).toBe(0);
    expect(sut.tryAcquire(a)).toBe(true);
    expect(sut.tryAcquire(a)).toBe(false);
  });

  it('asks a turned-away job to come back after about one typical attempt, within 50 ms–5 s', () => {
    const middle = () => 0.5;
    const sut = new EndpointSlots(1, middle);
    expect(sut.busyDelayMs(a)).toBe(200); // nothing known yet
    sut.tryAcquire(a);
    sut.release(a, 1000);
    expect(sut.busyDelayMs(a)).toBe(1000);
    sut.tryAcquire(a);
    sut.release(a, 2000);
    expect(sut.busyDelayMs(a)).toBe(1300); // smoothed
    sut.tryAcquire(b);
    sut.release(b, 1);
    expect(sut.busyDelayMs(b)).toBe(MIN_BUSY_DELAY_MS);
    sut.tryAcquire(b);
    sut.release(b, 60_000);
    sut.tryAcquire(b);
    sut.release(b, 60_000);
    expect(sut.busyDelayMs(b)).toBe(MAX_BUSY_DELAY_MS);
  });

  it('spreads the delay over ±50%', () => {
    expect(new EndpointSlots(1, () => 0).busyDelayMs(a)).toBe(100);
    expect(new EndpointSlots(1, () => 0.999).busyDelayMs(a)).toBe(300);
  });

  it('keys an endpoint by host name: case-folded, any port or scheme, trailing dot ignored', () => {
    const urls = [
      'https://evil.example:8001/a',
      'https://evil.example:8013/b',
      'http://EVIL.example/c',
      'https://evil.example./d',
    ];
    expect(new Set(urls.map(endpointKey))).toEqual(new Set(['evil.example']));
    expect(endpointKey('https://[::1]:9000/x')).toBe('[::1]');
    const sut = new EndpointSlots(1);
    expect(sut.tryAcquire(endpointKey(urls[0]!))).toBe(true);
    expect(sut.tryAcquire(endpointKey(urls[1]!))).toBe(false);
  });

  it.each([0, -1, 1.5, NaN])('refuses a limit of %p', (limit) => {
    expect(() => new EndpointSlots(limit)).toThrow(RangeError);
  });

  describe('acquire', () => {
    it('waits for a slot of a known fast endpoint, and the released slot passes to the first waiter', async () => {
      const sut = new EndpointSlots(1);
      expect(await sut.acquire(a, 250)).toBe(true);
      sut.release(a, 5); // the endpoint answers in about 5 ms
      expect(await sut.acquire(a, 250)).toBe(true);
      const order: string[] = [];
      const first = sut.acquire(a, 250).then((got) => order.push(`first ${got}`));
      const second = sut.acquire(a, 250).then((got) => order.push(`second ${got}`));
      sut.release(a, 5);
      await first;
      expect(sut.held(a)).toBe(1);
      sut.release(a, 5);
      await second;
      expect(order).toEqual(['first true', 'second true']);
      expect(sut.held(a)).toBe(1);
    });

    it('does not wait for an endpoint whose speed is unknown, or whose queue would take longer than allowed', async () => {
      const sut = new EndpointSlots(1);
      expect(await sut.acquire(a, 250)).toBe(true);
      expect(await sut.acquire(a, 250)).toBe(false); // nothing known yet: a hanging endpoint looks like this
      sut.release(a, 300); // slower than the wait allowed
      expect(await sut.acquire(a, 250)).toBe(true);
      expect(await sut.acquire(a, 250)).toBe(false);
      expect(sut.held(a)).toBe(1);
    });

    it('gives up after maxWaitMs when no slot frees, and a later release is not handed to it', async () => {
      jest.useFakeTimers();
      try {
        const sut = new EndpointSlots(1);
        sut.tryAcquire(a);
        sut.release(a, 10);
        sut.tryAcquire(a);
        const waiting = sut.acquire(a, 100);
        jest.advanceTimersByTime(100);
        expect(await waiting).toBe(false);
        sut.release(a, 10);
        expect(sut.held(a)).toBe(0);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
