import type { CookieOptions, Request } from 'express';

export const SESSION_COOKIE = 'herald_session';

/**
 * The console's session cookie: httpOnly (no script reads it) and SameSite=Strict (no other site
 * can make the browser send it); `secure` whenever the request came over HTTPS.
 */
export function sessionCookieOptions(request: Request, expiresAt?: Date): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.secure,
    path: '/',
    expires: expiresAt,
  };
}
