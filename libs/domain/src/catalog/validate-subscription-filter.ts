import { InvalidInput } from '../errors';
import { API_KEY_ENTITY, API_KEY_OPERATIONS, WILDCARD, type Catalog } from './catalog';

/**
 * Checks a webhook's filter. `entity` is a catalog entity, `ApiKey` or `*`; `operation` is an
 * operation of that entity or `*` — for `*` entities, any catalog or `ApiKey` operation. Names are
 * case-sensitive. Throws `InvalidInput` naming `entity` or `operation` (422).
 */
export function validateSubscriptionFilter(
  catalog: Catalog,
  entity: unknown,
  operation: unknown,
): void {
  const entities = [...catalog.entities, API_KEY_ENTITY];
  if (typeof entity !== 'string' || (entity !== WILDCARD && !entities.includes(entity))) {
    throw new InvalidInput('entity', `must be one of ${oneOf(entities)}`);
  }
  const operations =
    entity === API_KEY_ENTITY
      ? API_KEY_OPERATIONS
      : entity === WILDCARD
        ? [...new Set([...catalog.operations, ...API_KEY_OPERATIONS])]
        : catalog.operations;
  if (
    typeof operation !== 'string' ||
    (operation !== WILDCARD && !operations.includes(operation))
  ) {
    const scope = entity === WILDCARD ? '' : ` for ${entity}`;
    throw new InvalidInput('operation', `must be one of ${oneOf(operations)}${scope}`);
  }
}

function oneOf(names: readonly string[]): string {
  return `${names.join(', ')} or ${WILDCARD}`;
}
