/** The caller a request was authenticated as. */
export interface Principal {
  userId: string;
  email: string;
  role: 'admin' | 'user';
  via: 'api_key' | 'session';
  /** SHA-256 of the session token, when authenticated by session (to log it out). */
  sessionTokenHash?: string;
}
