// Small helpers shared by the REST (restJson1) APIs on the listener: bounded body reads and AWS-shaped replies.
import { randomUUID } from 'node:crypto';
import type { LambdaServiceError } from '../lambda/types.ts';
import type { HttpRequest, HttpResponse } from './listener.ts';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body is larger than ${limit} bytes`);
  }
}

/**
 * Reads a request body, refusing it (without buffering the rest) as soon as it passes maxBytes.
 * Rejects with BodyTooLargeError; the caller answers, and the connection is closed after the answer.
 */
export function readBody(req: HttpRequest, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.pause();
      reject(new BodyTooLargeError(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** Marks the response so the connection closes after it (HTTP/1.1) — used after refusing a body. */
export function closeAfterResponse(res: HttpResponse): void {
  if ('shouldKeepAlive' in res) res.shouldKeepAlive = false;
}

export function sendJson(
  res: HttpResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': headers['x-amzn-requestid'] ?? randomUUID(),
    ...headers,
  });
  res.end(payload);
}

/** A Lambda service error as restJson1 clients read it: name in x-amzn-errortype, Type/Message in the body. */
export function sendLambdaError(res: HttpResponse, err: LambdaServiceError): void {
  const headers: Record<string, string> = { 'x-amzn-errortype': err.name };
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
  sendJson(res, err.statusCode, { Type: 'User', Message: err.message, message: err.message, ...err.fields }, headers);
}

/** True for objects shaped like LambdaServiceError (class identity does not survive workers). */
export function isLambdaServiceError(err: unknown): err is LambdaServiceError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as LambdaServiceError).name === 'string' &&
    typeof (err as LambdaServiceError).statusCode === 'number' &&
    typeof (err as LambdaServiceError).message === 'string'
  );
}
