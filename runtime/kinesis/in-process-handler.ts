// A Smithy HttpHandler that hands an SDK client's requests to a KinesisService in the same process. The
// SDK still builds, signs and parses the Kinesis JSON (or CBOR) wire exchange and the service answers it
// with the same checks, bodies and errors as over HTTP (KinesisService.exchange); only the socket, the
// HTTP framing and TCP are left out. Used by the mapping pollers when they read eddy's own log.
import { buildQueryString, HttpResponse, type HttpHandler, type HttpHandlerOptions, type HttpRequest } from '@smithy/core/protocols';
import type { WireRequest, WireResponse } from './service.ts';

/** What the handler needs of the service (KinesisService implements it). */
export interface WireExchange {
  exchange(request: WireRequest): Promise<WireResponse>;
}

const EMPTY = new Uint8Array(0);

export class InProcessHttpHandler implements HttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  readonly #service: WireExchange;

  constructor(service: WireExchange) {
    this.#service = service;
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const signal = options.abortSignal;
    if (signal?.aborted) throw abortError(signal);
    const headers: Record<string, string> = {};
    for (const name of Object.keys(request.headers)) headers[name.toLowerCase()] = request.headers[name]!;
    const query = buildQueryString(request.query ?? {});
    const out = await this.#service.exchange({
      method: request.method,
      path: query ? `${request.path}?${query}` : request.path,
      headers,
      body: bodyBytes(request.body),
    });
    // As NodeHttpHandler does, an abort wins over an answer that was not yet handed back.
    if (signal?.aborted) throw abortError(signal);
    return { response: new HttpResponse({ statusCode: out.statusCode, headers: out.headers, body: out.body }) };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}

/** The serialised body: JSON text for the JSON protocol, bytes for CBOR. Kinesis requests never stream. */
function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return EMPTY;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('eddy in-process Kinesis: a request body must be a string or bytes, not a stream');
}

/** The error NodeHttpHandler rejects with when the caller aborts (the SDK matches on its name). */
function abortError(signal: object): Error {
  const reason = 'reason' in signal ? signal.reason : undefined;
  const err = new Error(reason !== undefined && !(reason instanceof Error) ? String(reason) : 'Request aborted');
  err.name = 'AbortError';
  if (reason instanceof Error) err.cause = reason;
  return err;
}
