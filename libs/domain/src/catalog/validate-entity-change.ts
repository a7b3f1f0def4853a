import { InvalidInput } from '../errors';
import type { Catalog } from './catalog';

/**
 * Checks what a client reports: a catalog entity and a catalog operation. No wildcards, and not
 * `ApiKey` — only Herald itself emits key events. Throws `InvalidInput` naming `entity` or
 * `operation` (422).
 */
export function validateEntityChange(catalog: Catalog, entity: unknown, operation: unknown): void {
  if (typeof entity !== 'string' || !catalog.entities.includes(entity)) {
    throw new InvalidInput('entity', `must be one of ${catalog.entities.join(', ')}`);
  }
  if (typeof operation !== 'string' || !catalog.operations.includes(operation)) {
    throw new InvalidInput('operation', `must be one of ${catalog.operations.join(', ')}`);
  }
}
