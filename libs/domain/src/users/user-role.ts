/** `admin` may see and clear anyone's key and webhooks; `user` only their own. */
export type UserRole = 'admin' | 'user';

export const USER_ROLES: readonly UserRole[] = ['admin', 'user'];

export function isUserRole(value: unknown): value is UserRole {
  return (USER_ROLES as readonly unknown[]).includes(value);
}
