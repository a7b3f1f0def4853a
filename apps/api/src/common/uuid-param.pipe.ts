import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem.exception';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are UUIDs; anything else names no object, so it is a 404 rather than a database error. */
@Injectable()
export class UuidParam implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value))
      throw ProblemException.notFound(`No object has the id ${JSON.stringify(value.slice(0, 60))}`);
    return value.toLowerCase();
  }
}
