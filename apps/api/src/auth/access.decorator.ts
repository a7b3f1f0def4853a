import { SetMetadata } from '@nestjs/common';

/**
 * Who may call a route: `public` (anyone), `user` (any signed-in user or API key), `admin`.
 * Every route must declare one; the AuthGuard refuses routes that do not (fail closed).
 */
export type AccessLevel = 'public' | 'user' | 'admin';

export const ACCESS_METADATA = 'herald:access';

export const Access = (level: AccessLevel) => SetMetadata(ACCESS_METADATA, level);
