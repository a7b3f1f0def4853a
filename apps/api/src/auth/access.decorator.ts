import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

/**
 * Who may call a route: `public` (anyone), `user` (any signed-in user or API key), `admin`.
 * Every route must declare one; the AuthGuard refuses routes that do not (fail closed). The same
 * declaration documents the route's security in the OpenAPI document.
 */
export type AccessLevel = 'public' | 'user' | 'admin';

export const ACCESS_METADATA = 'herald:access';

export const Access = (level: AccessLevel) => {
  const decorators: (ClassDecorator & MethodDecorator)[] = [SetMetadata(ACCESS_METADATA, level)];
  if (level !== 'public') {
    decorators.push(
      ApiBearerAuth(),
      ApiSecurity('api-key'),
      ApiUnauthorizedResponse({ description: 'Missing or invalid credentials (problem+json)' }),
    );
  }
  if (level === 'admin')
    decorators.push(ApiForbiddenResponse({ description: 'Not an admin (problem+json)' }));
  return applyDecorators(...decorators);
};
