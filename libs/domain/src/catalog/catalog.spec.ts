import { InvalidInput } from '../errors';
import { API_KEY_ENTITY, API_KEY_OPERATIONS, DEFAULT_CATALOG, createCatalog } from './catalog';

describe('DEFAULT_CATALOG', () => {
  it('has the six default entities and three operations, without the built-in ApiKey', () => {
    expect(DEFAULT_CATALOG).toEqual({
      entities: ['Contact', 'Company', 'Job', 'Application', 'Activity', 'Note'],
      operations: ['Create', 'Update', 'Delete'],
    });
    expect(API_KEY_ENTITY).toBe('ApiKey');
    expect(API_KEY_OPERATIONS).toEqual(['Regenerate', 'Clear']);
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_CATALOG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CATALOG.entities)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CATALOG.operations)).toBe(true);
    expect(Object.isFrozen(API_KEY_OPERATIONS)).toBe(true);
  });
});

describe(createCatalog.name, () => {
  it('copies the names it is given', () => {
    const entities = ['Ticket'];
    const sut = createCatalog(entities, ['Open', 'Close']);
    entities.push('Other');

    expect(sut).toEqual({ entities: ['Ticket'], operations: ['Open', 'Close'] });
  });

  it.each([
    ['entities', [], ['Create']],
    ['operations', ['Ticket'], []],
    ['entities', ['Ticket', 'Ticket'], ['Create']],
    ['operations', ['Ticket'], ['Create', 'Create']],
    ['entities', ['*'], ['Create']],
    ['entities', ['Contact.Person'], ['Create']],
    ['entities', [''], ['Create']],
    ['operations', ['Ticket'], ['Re open']],
    ['entities', ['ApiKey'], ['Create']],
    ['entities', ['Webhook'], ['Create']],
  ])('rejects invalid %s (%j × %j)', (field, entities, operations) => {
    const when = () => createCatalog(entities, operations);

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field }));
  });
});
