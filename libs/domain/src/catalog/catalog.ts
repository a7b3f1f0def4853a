import { InvalidInput } from '../errors';

/**
 * The entities and operations clients may report changes for and webhooks may subscribe to. It
 * comes from configuration; the built-in `ApiKey` entity is not part of it (see `API_KEY_ENTITY`).
 */
export interface Catalog {
  readonly entities: readonly string[];
  readonly operations: readonly string[];
}

/** In a subscription filter, matches any entity or any operation. */
export const WILDCARD = '*';

/** Built in: emitted from `KeyRegenerated`/`KeyCleared`, never reported by clients. */
export const API_KEY_ENTITY = 'ApiKey';
export const API_KEY_OPERATIONS: readonly string[] = Object.freeze(['Regenerate', 'Clear']);

/** Names no configured entity may take: they are Herald's own or would be ambiguous. */
const RESERVED_ENTITIES: readonly string[] = [API_KEY_ENTITY, 'Webhook'];

/** Letters, digits and `_`, starting with a letter: no `.` (it separates `Entity.Operation`), no `*`. */
const CATALOG_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export const DEFAULT_CATALOG: Catalog = createCatalog(
  ['Contact', 'Company', 'Job', 'Application', 'Activity', 'Note'],
  ['Create', 'Update', 'Delete'],
);

/**
 * A frozen catalog, after checking the names (for configuration). Throws `InvalidInput` naming
 * `entities` or `operations`.
 */
export function createCatalog(entities: readonly string[], operations: readonly string[]): Catalog {
  checkNames('entities', entities);
  checkNames('operations', operations);
  const reserved = entities.find((entity) => RESERVED_ENTITIES.includes(entity));
  if (reserved !== undefined) {
    throw new InvalidInput('entities', `must not include the built-in entity ${reserved}`);
  }
  return Object.freeze({
    entities: Object.freeze([...entities]),
    operations: Object.freeze([...operations]),
  });
}

function checkNames(field: string, names: readonly string[]): void {
  if (names.length === 0) {
    throw new InvalidInput(field, 'must not be empty');
  }
  for (const name of names) {
    if (!CATALOG_NAME.test(name)) {
      throw new InvalidInput(field, `has an invalid name ${JSON.stringify(name)}`);
    }
  }
  if (new Set(names).size !== names.length) {
    throw new InvalidInput(field, 'must not repeat a name');
  }
}
