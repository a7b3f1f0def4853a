import { DEFAULT_CATALOG } from '../catalog/catalog';
import { InvalidInput } from '../errors';
import { MAX_JSON_DEPTH } from './json-object';
import { decideRecordEntityChange, type RecordEntityChange } from './record-entity-change';

describe(decideRecordEntityChange.name, () => {
  const now = new Date('2030-01-01T12:00:00.000Z');
  const command: RecordEntityChange = {
    entity: 'Contact',
    entityId: '42',
    operation: 'Update',
    data: { name: 'Ann Lee', tags: ['vip'], address: { city: 'Cork' } },
    actorId: 'user-1',
    now,
    catalog: DEFAULT_CATALOG,
  };

  it('records the change', () => {
    expect(decideRecordEntityChange({ ...command, idempotencyKey: 'req-1' })).toEqual([
      {
        type: 'EntityChanged',
        data: {
          entity: 'Contact',
          entityId: '42',
          operation: 'Update',
          data: { name: 'Ann Lee', tags: ['vip'], address: { city: 'Cork' } },
          actorUserId: 'user-1',
          occurredAt: '2030-01-01T12:00:00.000Z',
          idempotencyKey: 'req-1',
        },
      },
    ]);
  });

  it('defaults data to {}, occurredAt to now and idempotencyKey to null', () => {
    const [event] = decideRecordEntityChange({ ...command, data: undefined });

    expect(event.data).toMatchObject({
      data: {},
      occurredAt: now.toISOString(),
      idempotencyKey: null,
    });
  });

  it('keeps the client’s occurredAt, normalised to UTC', () => {
    const [event] = decideRecordEntityChange({
      ...command,
      occurredAt: '2029-12-31T23:00:00-02:00',
    });

    expect(event.data.occurredAt).toBe('2030-01-01T01:00:00.000Z');
  });

  it.each([
    ['a 200-character id', 'x'.repeat(200)],
    ['a one-character id', '7'],
    ['an id with spaces and Unicode', 'Ann Lee – 42 😀'],
  ])('accepts %s', (_, entityId) => {
    expect(decideRecordEntityChange({ ...command, entityId })[0].data.entityId).toBe(entityId);
  });

  it.each([
    ['entity', { entity: '*' }],
    ['entity', { entity: 'ApiKey', operation: 'Regenerate' }],
    ['entity', { entity: 'Invoice' }],
    ['operation', { operation: '*' }],
    ['operation', { operation: 'Clear' }],
    ['entityId', { entityId: '' }],
    ['entityId', { entityId: 'x'.repeat(201) }],
    ['entityId', { entityId: 'a\nb' }],
    ['entityId', { entityId: 'a\u0000b' }],
    ['entityId', { entityId: 42 as unknown as string }],
    ['data', { data: null }],
    ['data', { data: [1, 2] }],
    ['data', { data: 'text' }],
    ['data', { data: new Date() }],
    ['data', { data: { when: new Date() } }],
    ['data', { data: { n: Number.NaN } }],
    ['data', { data: { n: Infinity } }],
    ['data', { data: { n: 1n } }],
    ['data', { data: { f: () => 1 } }],
    ['data', { data: { u: undefined } }],
    ['data', { data: { text: 'nul\u0000' } }],
    ['data', { data: { 'key\u0000': 1 } }],
    ['data', { data: { text: 'lone \ud800 surrogate' } }],
    ['occurredAt', { occurredAt: 'yesterday' }],
    ['occurredAt', { occurredAt: '2030-01-01T00:00:00' }],
    ['occurredAt', { occurredAt: null as unknown as string }],
    ['idempotencyKey', { idempotencyKey: ' ' }],
    ['idempotencyKey', { idempotencyKey: 'k'.repeat(256) }],
    ['actorId', { actorId: '' }],
  ])('rejects an invalid %s: %p', (field, change) => {
    const when = () => decideRecordEntityChange({ ...command, ...change });

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field, kind: 'invalid' }));
  });

  it(`accepts data nested ${MAX_JSON_DEPTH} levels deep, and no deeper`, () => {
    const nest = (levels: number): unknown =>
      levels === 1 ? { leaf: true } : { next: nest(levels - 1) };

    expect(() =>
      decideRecordEntityChange({ ...command, data: nest(MAX_JSON_DEPTH) }),
    ).not.toThrow();
    expect(() => decideRecordEntityChange({ ...command, data: nest(MAX_JSON_DEPTH + 1) })).toThrow(
      expect.objectContaining({ field: 'data' }),
    );
  });

  it('accepts surrogate pairs, objects without a prototype and every JSON type', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const data = { bare, s: '😀', n: -1.5e10, b: false, z: null, list: [[], {}] };

    expect(decideRecordEntityChange({ ...command, data })[0].data.data).toEqual(data);
  });
});
