import type { Response } from 'express';

/**
 * The console runs only its own scripts and styles and talks only to its own origin: no inline
 * script, no framing (clickjacking), no plugins, forms post nowhere else.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function setConsoleHeaders(response: Response, contentType: string): void {
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  // Revalidate every time (ETag): a deploy takes effect on the next load, and unchanged files cost a 304.
  response.setHeader('Cache-Control', 'no-cache');
}
