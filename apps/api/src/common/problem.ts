/** RFC 9457 problem details, as every Herald error response carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface FieldError {
  field: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Builds a problem whose `type` is a stable, documented identifier (`/problems/<slug>`). */
export function problem(
  status: number,
  slug: string,
  detail: string,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: `https://herald.dev/problems/${slug}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  };
}
