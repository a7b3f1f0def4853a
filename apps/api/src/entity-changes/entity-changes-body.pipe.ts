import { Injectable, type PipeTransform } from '@nestjs/common';
import type { FieldError } from '../common/problem';
import { ProblemException } from '../common/problem.exception';
import { StrictValidationPipe } from '../common/validation.pipe';
import { EntityChangeDto } from './entity-change.dto';

export const MAX_ENTITY_CHANGES_PER_REQUEST = 500;

/** The body of POST /v1/entity-changes, validated: one change, or a batch of them. */
export interface EntityChangeBatch {
  items: EntityChangeDto[];
  /** The body was an array: error fields are then named `[index].field`. */
  isArray: boolean;
  /** The body as sent, for the idempotency fingerprint. */
  raw: unknown;
}

/**
 * The global pipe validates DTO objects only, so this one takes the raw body: an object, or an
 * array of 1 to 500 objects, each validated like any DTO (unknown fields refused). Every item's
 * problems are reported together, fields named `[index].field` for arrays.
 */
@Injectable()
export class EntityChangesBodyPipe implements PipeTransform<unknown, Promise<EntityChangeBatch>> {
  private readonly itemPipe = new StrictValidationPipe();

  async transform(body: unknown): Promise<EntityChangeBatch> {
    const isArray = Array.isArray(body);
    const values: unknown[] = isArray ? body : [body];
    if (isArray && (values.length === 0 || values.length > MAX_ENTITY_CHANGES_PER_REQUEST)) {
      throw ProblemException.validation([
        {
          field: '',
          message: `must hold 1 to ${MAX_ENTITY_CHANGES_PER_REQUEST} entity changes`,
        },
      ]);
    }
    const items: EntityChangeDto[] = [];
    const errors: FieldError[] = [];
    for (const [index, value] of values.entries()) {
      const prefix = isArray ? `[${index}]` : '';
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push({
          field: prefix,
          message: isArray
            ? 'must be a JSON object'
            : 'the request body must be a JSON object or an array of them',
        });
        continue;
      }
      try {
        items.push(
          (await this.itemPipe.transform(value, {
            type: 'body',
            metatype: EntityChangeDto,
          })) as EntityChangeDto,
        );
      } catch (error) {
        if (!(error instanceof ProblemException)) throw error;
        for (const fieldError of error.problem.errors ?? []) {
          errors.push({ field: joinField(prefix, fieldError.field), message: fieldError.message });
        }
      }
    }
    if (errors.length > 0) throw ProblemException.validation(errors);
    return { items, isArray, raw: body };
  }
}

export function joinField(prefix: string, field: string): string {
  if (!prefix) return field;
  return field ? `${prefix}.${field}` : prefix;
}
