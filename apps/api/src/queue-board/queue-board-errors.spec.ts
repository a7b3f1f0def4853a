import { isRedisUnavailable, queueBoardErrorHandler } from './queue-board-errors';

describe(queueBoardErrorHandler.name, () => {
  it.each([
    [
      'no offline queue',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['a closed connection', new Error('Connection is closed.')],
    [
      'out of retries',
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
  ])('answers 503 when Redis is away (%s)', (_what, error) => {
    expect(isRedisUnavailable(error)).toBe(true);
    expect(queueBoardErrorHandler(error)).toEqual({
      status: 503,
      body: {
        error: { key: 'ERRORS.INTERNAL_SERVER_ERROR' },
        message: expect.stringContaining('Redis is unavailable'),
      },
    });
  });

  it('keeps the status an error carries, and 500 for anything else', () => {
    expect(
      queueBoardErrorHandler(Object.assign(new Error('Queue not found'), { statusCode: 404 })),
    ).toEqual({
      status: 404,
      body: { error: { key: 'ERRORS.INTERNAL_SERVER_ERROR' }, message: 'Queue not found' },
    });
    expect(queueBoardErrorHandler(new TypeError('x is undefined')).status).toBe(500);
    expect(isRedisUnavailable('Connection is closed.')).toBe(false);
  });
});
