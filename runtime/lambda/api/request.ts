// Small request helpers for the Lambda REST routes.
import type { HttpRequest } from '../../server/listener.ts';
import { validationError } from './errors.ts';

export function headerValue(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A URI label as the SDK sent it (ARNs arrive percent-encoded: `%3A`, `%24LATEST`). */
export function decodeLabel(raw: string, field: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw validationError(raw, field, 'Member must be a valid URI-encoded string');
  }
}
