import { InvalidInput } from '../errors';
import { DEFAULT_CATALOG, createCatalog } from './catalog';
import { validateSubscriptionFilter } from './validate-subscription-filter';

describe(validateSubscriptionFilter.name, () => {
  it.each([
    ['Contact', 'Update'],
    ['Note', 'Create'],
    ['Contact', '*'],
    ['*', 'Delete'],
    ['*', '*'],
    ['ApiKey', 'Regenerate'],
    ['ApiKey', 'Clear'],
    ['ApiKey', '*'],
    ['*', 'Regenerate'],
  ])('accepts %s × %s', (entity, operation) => {
    expect(() => validateSubscriptionFilter(DEFAULT_CATALOG, entity, operation)).not.toThrow();
  });

  it.each([
    ['entity', 'Invoice', 'Create'],
    ['entity', 'contact', 'Create'],
    ['entity', '', 'Create'],
    ['entity', 'Contact*', 'Create'],
    ['entity', 42, 'Create'],
    ['entity', null, 'Create'],
    ['operation', 'Contact', 'Archive'],
    ['operation', 'Contact', 'update'],
    ['operation', 'Contact', 'Regenerate'],
    ['operation', 'ApiKey', 'Create'],
    ['operation', '*', 'Archive'],
    ['operation', 'Contact', undefined],
  ])('rejects an invalid %s in %p × %p', (field, entity, operation) => {
    const when = () => validateSubscriptionFilter(DEFAULT_CATALOG, entity, operation);

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field, kind: 'invalid' }));
  });

  it('names the allowed values in the message', () => {
    expect(() => validateSubscriptionFilter(DEFAULT_CATALOG, 'ApiKey', 'Create')).toThrow(
      'operation must be one of Regenerate, Clear or * for ApiKey',
    );
  });

  it('follows the configured catalog', () => {
    const catalog = createCatalog(['Ticket'], ['Open']);

    expect(() => validateSubscriptionFilter(catalog, 'Ticket', 'Open')).not.toThrow();
    expect(() => validateSubscriptionFilter(catalog, 'ApiKey', 'Clear')).not.toThrow();
    expect(() => validateSubscriptionFilter(catalog, 'Contact', 'Open')).toThrow(InvalidInput);
    expect(() => validateSubscriptionFilter(catalog, 'Ticket', 'Create')).toThrow(InvalidInput);
  });
});
