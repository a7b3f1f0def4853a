import { InvalidInput } from '../errors';
import { DEFAULT_CATALOG } from './catalog';
import { validateEntityChange } from './validate-entity-change';

describe(validateEntityChange.name, () => {
  it.each([
    ['Contact', 'Create'],
    ['Application', 'Update'],
    ['Note', 'Delete'],
  ])('accepts %s × %s', (entity, operation) => {
    expect(() => validateEntityChange(DEFAULT_CATALOG, entity, operation)).not.toThrow();
  });

  it.each([
    ['entity', '*', 'Create'],
    ['entity', 'ApiKey', 'Regenerate'],
    ['entity', 'ApiKey', 'Clear'],
    ['entity', 'Invoice', 'Create'],
    ['entity', undefined, 'Create'],
    ['operation', 'Contact', '*'],
    ['operation', 'Contact', 'Regenerate'],
    ['operation', 'Contact', 'Archive'],
    ['operation', 'Contact', 7],
  ])('rejects an invalid %s in %p × %p', (field, entity, operation) => {
    const when = () => validateEntityChange(DEFAULT_CATALOG, entity, operation);

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field, kind: 'invalid' }));
  });
});
