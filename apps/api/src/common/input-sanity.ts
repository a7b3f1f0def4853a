import type { FieldError } from './problem';

/** Deeper than any Herald request needs; deeper input would only exhaust the validator's stack. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Checks a parsed body or query before validation, without recursion: nesting depth, and strings
 * PostgreSQL cannot store (NUL) or that are not well-formed UTF-16 (lone surrogates). Returns the
 * first problem found, or null.
 */
export function findUnsafeInput(input: unknown): FieldError | null {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: input, path: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        return { field: path, message: 'must not contain NUL characters' };
      if (!value.isWellFormed())
        return { field: path, message: 'must be well-formed Unicode text' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH)
      return { field: path, message: `is nested deeper than ${MAX_INPUT_DEPTH} levels` };
    for (const [key, inner] of Object.entries(value)) {
      const innerPath = path ? `${path}.${key}` : key;
      if (!key.isWellFormed() || key.includes('\u0000'))
        return { field: path, message: 'has a malformed field name' };
      stack.push({ value: inner, path: innerPath, depth: depth + 1 });
    }
  }
  return null;
}
