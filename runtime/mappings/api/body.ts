// Reading a JSON request body for the mapping operations.
import type { LambdaServiceError } from '../../lambda/types.ts';
import { readBody } from '../../server/http.ts';
import type { HttpRequest } from '../../server/listener.ts';

const MAX_BODY = 1_048_576;

export async function readJsonBody(req: HttpRequest): Promise<Record<string, unknown>> {
  const raw = await readBody(req, MAX_BODY);
  if (raw.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw { name: 'SerializationException', statusCode: 400, message: 'Could not parse the request body as JSON.' } satisfies LambdaServiceError;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw { name: 'SerializationException', statusCode: 400, message: 'The request body must be a JSON object.' } satisfies LambdaServiceError;
  }
  return body as Record<string, unknown>;
}
