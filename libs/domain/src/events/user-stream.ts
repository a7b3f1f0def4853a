/** Every event about one user — their account and their API key — lives in this stream. */
export function userStream(userId: string): string {
  return `user-${userId}`;
}
