import { InvalidInput } from '../errors';
import { requireIsoTimestamp } from './iso-timestamp';

describe(requireIsoTimestamp.name, () => {
  it.each([
    ['2030-01-02T03:04:05.678Z', '2030-01-02T03:04:05.678Z'],
    ['2030-01-02T03:04:05Z', '2030-01-02T03:04:05.000Z'],
    ['2030-01-02T03:04Z', '2030-01-02T03:04:00.000Z'],
    ['2030-01-02T03:04:05+02:00', '2030-01-02T01:04:05.000Z'],
    ['2030-01-02T03:04:05.123456789Z', '2030-01-02T03:04:05.123Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('normalises %s to %s', (input, expected) => {
    expect(requireIsoTimestamp('at', input)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '2030-01-02',
    '2030-01-02T03:04:05',
    '2030-01-02 03:04:05Z',
    '2030-02-30T00:00:00Z',
    '2029-02-29T00:00:00Z',
    '2030-04-31T00:00:00Z',
    '2030-13-01T00:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T12:60:00Z',
    '2030-01-01T12:00:00+24:00',
    1893456000000,
    null,
  ])('rejects %p', (value) => {
    const when = () => requireIsoTimestamp('at', value);

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field: 'at' }));
  });
});
