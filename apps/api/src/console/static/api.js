// The console's only way to the JSON API: same-origin requests with the httpOnly session cookie.
// State-changing requests carry the CSRF header that the API's guard requires with a cookie; a page
// on another site cannot add it (nor would the SameSite=Strict cookie go along).

const CSRF_HEADER = 'x-herald-csrf';

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the API; resolves with the JSON body (null for 204) or rejects with an ApiError in plain words. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers[CSRF_HEADER] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(
      0,
      null,
      'Herald could not be reached. Check your connection and try again.',
    );
  }
  if (response.status === 204) return null;
  const text = await response.text();
  const data = parseJson(text);
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(response.status, data, plainMessage(response.status, data, retryAfter));
  }
  return data;
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function sentence(text) {
  const trimmed = String(text).trim();
  if (!trimmed) return '';
  const capitalised = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** What went wrong, for people: the API's own `detail` when it has one, else a plain default. */
export function plainMessage(status, problem, retryAfterSeconds) {
  const detail = problem && typeof problem.detail === 'string' ? sentence(problem.detail) : '';
  const fields =
    problem && Array.isArray(problem.errors) && problem.errors.length > 1
      ? ` ${problem.errors.map((error) => sentence(`${error.field}: ${error.message}`)).join(' ')}`
      : '';
  if (status >= 500)
    return "Something went wrong on Herald's side. Try again in a moment; if it keeps happening, tell your administrator.";
  if (status === 429) {
    const wait =
      retryAfterSeconds > 0
        ? ` Try again in ${Math.ceil(retryAfterSeconds)} seconds.`
        : ' Try again later.';
    return `${detail || 'Too many attempts.'}${detail.includes('try again') ? '' : wait}`.trim();
  }
  if (detail) return detail + fields;
  switch (status) {
    case 401:
      return 'Your session has ended. Sign in again.';
    case 403:
      return 'You are not allowed to do this.';
    case 404:
      return 'This no longer exists. It may have been deleted.';
    case 409:
      return 'Someone else changed this at the same time. Reload the page and try again.';
    default:
      return `The request could not be completed (HTTP ${status}).`;
  }
}
