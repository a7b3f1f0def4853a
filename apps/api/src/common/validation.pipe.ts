import {
  ArgumentMetadata,
  Injectable,
  PipeTransform,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { findUnsafeInput } from './input-sanity';
import type { FieldError } from './problem';
import { ProblemException } from './problem.exception';

/**
 * class-validator for every body and query: unknown fields are rejected, values are transformed to
 * the DTO's types, and failures list each field in a 400 problem response.
 */
@Injectable()
export class StrictValidationPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.validation(flatten(errors)),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const unsafe = findUnsafeInput(value);
      if (unsafe) throw ProblemException.validation([unsafe]);
    }
    const expectsObject = metadata.type === 'body' && isDtoClass(metadata.metatype);
    if (expectsObject && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw ProblemException.validation([
        { field: '', message: 'the request body must be a JSON object' },
      ]);
    }
    return this.inner.transform(value, metadata);
  }
}

function isDtoClass(metatype: unknown): boolean {
  return (
    typeof metatype === 'function' &&
    ![String, Boolean, Number, Array, Object].includes(metatype as never)
  );
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
