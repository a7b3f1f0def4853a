import { randomBytes } from 'node:crypto';
import { TEST_ADMIN, type HttpClient } from './test-api';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: 'admin' | 'user';
  /** A console session token. */
  token: string;
}

export async function login(api: HttpClient, email: string, password: string): Promise<string> {
  const response = await api.http.post('/v1/auth/login').send({ email, password }).expect(200);
  return response.body.token as string;
}

export async function adminToken(api: HttpClient): Promise<string> {
  return login(api, TEST_ADMIN.email, TEST_ADMIN.password);
}

/** A new user created through the admin API, signed in. */
export async function newUser(
  api: HttpClient,
  overrides: { role?: 'admin' | 'user'; email?: string } = {},
): Promise<TestUser> {
  const suffix = randomBytes(4).toString('hex');
  const email = overrides.email ?? `user-${suffix}@herald.test`;
  const password = `password-${suffix}`;
  const role = overrides.role ?? 'user';
  const created = await api.http
    .post('/v1/admin/users')
    .set('authorization', `Bearer ${await adminToken(api)}`)
    .send({ email, name: `User ${suffix}`, password, role })
    .expect(201);
  return {
    id: created.body.id as string,
    email,
    password,
    role,
    token: await login(api, email, password),
  };
}

/** Enables (or regenerates) the user's API key and returns it. */
export async function enableApiKey(api: HttpClient, user: TestUser): Promise<string> {
  const response = await api.http
    .post('/v1/me/api-key')
    .set('authorization', `Bearer ${user.token}`)
    .expect(201);
  return response.body.apiKey as string;
}
