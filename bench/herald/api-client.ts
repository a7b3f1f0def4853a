import { Pool } from 'undici';

/** Herald's HTTP API over one keep-alive undici pool: the load generator's client. */
export class ApiClient {
  private readonly pool: Pool;

  constructor(baseUrl: string, connections = 64) {
    this.pool = new Pool(baseUrl, { connections, keepAliveTimeout: 30_000 });
  }

  async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, token?: string, body?: unknown) {
    const response = await this.pool.request({
      method,
      path,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300)
      throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** A user with API access, as the factories in @herald/testing make one, over plain HTTP. */
export async function newBenchUser(api: ApiClient, admin: { email: string; password: string }) {
  const adminLogin = await api.call<{ token: string }>('POST', '/v1/auth/login', undefined, admin);
  const suffix = Math.random().toString(36).slice(2, 10);
  const email = `bench-${suffix}@herald.test`;
  const password = `password-${suffix}`;
  const user = await api.call<{ id: string }>('POST', '/v1/admin/users', adminLogin.token, {
    email,
    name: `Bench ${suffix}`,
    password,
    role: 'user',
  });
  const { token } = await api.call<{ token: string }>('POST', '/v1/auth/login', undefined, {
    email,
    password,
  });
  const { apiKey } = await api.call<{ apiKey: string }>('POST', '/v1/me/api-key', token);
  return { id: user.id, apiKey };
}

export interface BenchWebhook {
  id: string;
  /** The receiver path it points at (`/h/<name>`): the ledger's key for this webhook. */
  path: string;
  secret: string;
}

export async function subscribe(
  api: ApiClient,
  apiKey: string,
  url: string,
  entity: string,
  operation: string,
): Promise<BenchWebhook> {
  const created = await api.call<{ id: string; secret: string }>('POST', '/v1/webhooks', apiKey, {
    url,
    entity,
    operation,
  });
  return { id: created.id, path: new URL(url).pathname, secret: created.secret };
}

/** One change per request, as the generator sends them; the event id Herald assigned. */
export async function postChange(api: ApiClient, apiKey: string, change: unknown): Promise<string> {
  const answer = await api.call<{ events: { eventId: string }[] }>(
    'POST',
    '/v1/entity-changes',
    apiKey,
    change,
  );
  return answer.events[0].eventId;
}
