// The Kinesis service: routes Kinesis_20131202.<Op> requests (HTTP/1.1 or h2c, JSON or CBOR) to the
// operations, with AWS's checks in AWS's order (kinesalite's index.js, recorded against AWS): method,
// body, content type, parse, operation, authentication, input validation. Also callable in-process.
import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../server/listener.ts';
import { KinesisApiError, isKinesisApiError } from './errors.ts';
import { CallRates } from './model/call-rates.ts';
import { StreamStore } from './model/streams.ts';
import type { Operation, OperationContext } from './operation.ts';
import { operations } from './operations/index.ts';
import {
  AMZ_CBOR,
  AMZ_JSON,
  AMZ_JSON_10,
  MAX_BODY_BYTES,
  TARGET_PREFIX,
  accessDeniedXml,
  amzId2,
  decodeBody,
  encodeBody,
  isCbor,
  mediaType,
  readBody,
  send,
  sendAndAbandon,
  toPlain,
} from './protocol.ts';
import type { KinesisEvent, KinesisOptions } from './types.ts';
import { validateInput } from './validation.ts';

const ACCEPTED_TYPES = new Set([AMZ_JSON, AMZ_JSON_10, AMZ_CBOR, 'application/json']);

export class KinesisService {
  readonly store: StreamStore;
  readonly #options: KinesisOptions;
  readonly #operations: Map<string, Operation>;
  readonly #listeners = new Set<(event: KinesisEvent) => void>();
  readonly #ctxOptions: OperationContext['options'];
  /** Control-plane call rates, counted for calls from clients only (not for eddy's own `call`s). */
  readonly #callRates: CallRates | undefined;
  #closed = false;

  private constructor(options: KinesisOptions, store: StreamStore) {
    this.#options = options;
    this.store = store;
    this.#operations = new Map(operations.map((op) => [op.name, op]));
    this.#ctxOptions = Object.freeze({
      region: options.region,
      accountId: options.accountId,
      enforceLimits: options.enforceLimits,
      statusDelayMs: options.statusDelayMs,
    });
    this.#callRates = options.enforceLimits ? new CallRates(options.accountId) : undefined;
  }

  /** Loads the streams kept in options.root and opens their shard logs. The root stays the caller's to close. */
  static async open(options: KinesisOptions): Promise<KinesisService> {
    let service: KinesisService | undefined;
    const emit = (event: KinesisEvent): void => {
      if (service) service.#emit(event);
    };
    const store = await StreamStore.open({
      root: options.root,
      clock: options.clock,
      region: options.region,
      accountId: options.accountId,
      statusDelayMs: options.statusDelayMs,
      emit,
      // Called while the store opens, for a stream found UPDATING with a pending change.
      resumeUpdate: (stream, pending, opened) => {
        const op = operations.find((o) => o.name === pending.operation);
        if (!op?.resume) return undefined;
        const ctx: OperationContext = {
          store: opened,
          clock: options.clock,
          options: {
            region: options.region,
            accountId: options.accountId,
            enforceLimits: options.enforceLimits,
            statusDelayMs: options.statusDelayMs,
          },
          emit,
          requestId: randomUUID(),
        };
        return op.resume(pending.data, stream, ctx);
      },
    });
    service = new KinesisService(options, store);
    return service;
  }

  /** Names of the operations eddy serves. */
  get operationNames(): string[] {
    return [...this.#operations.keys()];
  }

  /** Listens to appends, reads, throttles and stream changes; returns the unsubscribe function. */
  onEvent(listener: (event: KinesisEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: KinesisEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the request goes on.
      }
    }
  }

  #context(requestId: string): OperationContext {
    return {
      store: this.store,
      clock: this.#options.clock,
      options: this.#ctxOptions,
      emit: (event) => this.#emit(event),
      requestId,
    };
  }

  /**
   * Runs an operation in-process with the same validation and errors as over HTTP (a KinesisApiError is
   * thrown); the output has Uint8Array blobs and Date timestamps, as the SDK returns them.
   */
  async call<O = Record<string, unknown>>(name: string, input: Record<string, unknown> = {}): Promise<O> {
    const op = this.#operations.get(name);
    if (!op) throw new KinesisApiError('UnknownOperationException', `Unknown operation ${name}.`);
    const data = validateInput(op.constraints, input, 'json');
    const out: unknown = await op.run(data, this.#context(randomUUID()));
    return (out === undefined ? {} : toPlain(out)) as O;
  }

  /** The HTTP entry point (HTTP/1.1 and h2c compat requests alike). */
  handle(req: HttpRequest, res: HttpResponse): void {
    void this.#handle(req, res).catch(() => {
      if (!res.headersSent) sendReply(res, internalFailure(), randomUUID());
    });
  }

  async #handle(req: HttpRequest, res: HttpResponse): Promise<void> {
    const requestId = randomUUID();
    if (req.method !== 'POST') {
      sendReply(res, forbidden(), requestId);
      return;
    }
    const read = await readBody(req, MAX_BODY_BYTES);
    if (!read.ok) {
      if (read.reason === 'aborted') return;
      const reply = tooLarge(replyTypeOf(mediaType(req.headers['content-type'])));
      // Declared too large: HTTP/2 drains a cap's worth before answering (see sendAndAbandon).
      const declared = Number(req.headers['content-length']) > MAX_BODY_BYTES;
      sendAndAbandon(req, res, reply.status, reply.contentType!, reply.body as Buffer, requestId, declared ? MAX_BODY_BYTES : 0);
      return;
    }
    sendReply(res, await this.#answer(req.headers, req.url ?? '/', read.body, requestId), requestId);
  }

  /**
   * One request/response exchange of the wire protocol without a socket, for an SDK client in this process
   * (runtime/kinesis/in-process-handler.ts): the same checks, bodies and errors as over HTTP, in the same order.
   * Header names are lower-case.
   */
  async exchange(request: WireRequest): Promise<WireResponse> {
    const requestId = randomUUID();
    let reply: Reply;
    if (request.method !== 'POST') reply = forbidden();
    else if (request.body.byteLength > MAX_BODY_BYTES) reply = tooLarge(replyTypeOf(mediaType(request.headers['content-type'])));
    else {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
      reply = await this.#answer(request.headers, request.path, body, requestId).catch(internalFailure);
    }
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
    const headers: Record<string, string> = { 'x-amzn-requestid': requestId, 'x-amz-id-2': amzId2(), 'content-length': String(body.length) };
    if (reply.contentType) headers['content-type'] = reply.contentType;
    if (reply.errorType !== undefined) headers['x-amzn-errortype'] = reply.errorType;
    return { statusCode: reply.status, headers, body };
  }

  /** Everything after the body has been read: target, content type, parse, operation, auth, validation, run. */
  async #answer(headers: RequestHeaders, url: string, body: Buffer, requestId: string): Promise<Reply> {
    const contentType = mediaType(headerOf(headers, 'content-type'));
    const replyType = replyTypeOf(contentType);
    const target = headerOf(headers, 'x-amz-target') ?? '';
    const dot = target.indexOf('.');
    const service = dot === -1 ? target : target.slice(0, dot);
    const opName = dot === -1 ? '' : target.slice(dot + 1);
    const op = service === TARGET_PREFIX ? this.#operations.get(opName) : undefined;

    if (body.length === 0) {
      const type = op ? 'SerializationException' : 'UnknownOperationException';
      return errorReply(400, replyType, { __type: type });
    }

    if (!ACCEPTED_TYPES.has(contentType)) {
      if (!service || !opName) return forbidden();
      return { status: 404, contentType: undefined, body: '<UnknownOperationException/>\n', errorType: undefined };
    }

    const data = decodeBody(contentType, body);
    if (contentType === 'application/json') {
      // AWS's Coral front end answers plain JSON in its own envelope and goes no further.
      const type = data ? 'UnknownOperationException' : 'SerializationException';
      const envelope = JSON.stringify({ Output: { __type: `com.amazon.coral.service#${type}` }, Version: '1.0' });
      return { status: data ? 404 : 400, contentType: 'application/json', body: envelope, errorType: undefined };
    }
    if (!data) return errorReply(400, replyType, { __type: 'SerializationException' });
    if (!op) return errorReply(400, replyType, { __type: 'UnknownOperationException' });

    const authError = checkAuth(headers, url);
    if (authError) return errorReply(400, replyType, authError.body());

    let out: unknown;
    try {
      if (this.#closed) throw new KinesisApiError('InternalFailure', undefined, 500);
      const cbor = isCbor(contentType);
      const input = (!cbor && op.fastInput?.(data)) || validateInput(op.constraints, data, cbor ? 'cbor' : 'json');
      this.#callRates?.admit(op.name, input as Record<string, unknown>, this.#options.clock.now());
      out = await op.run(input, this.#context(requestId));
    } catch (err) {
      const apiError = isKinesisApiError(err) ? err : internal(op.name, err);
      return errorReply(apiError.statusCode, replyType, apiError.body());
    }
    return { status: 200, contentType: replyType, body: out === undefined ? '' : encodeBody(replyType, out), errorType: undefined };
  }

  /** Stops the lifecycle timers and waits for metadata writes; the root is not closed. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.store.close();
  }
}

/** The request headers the service reads (Node's IncomingHttpHeaders, or lower-cased SDK headers). */
type RequestHeaders = Record<string, string | string[] | undefined>;

/** A request as an in-process client hands it over: method, path with query, lower-cased headers, the body. */
export interface WireRequest {
  method: string;
  /** The path and query string (`/`, or `/?X-Amz-Algorithm=…` for presigned requests). */
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The response as it would go on the wire: status, lower-cased headers, body bytes. */
export interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A response before it is written: to a socket (sendReply) or handed back in-process (exchange). */
interface Reply {
  status: number;
  contentType: string | undefined;
  body: Buffer | string;
  /** x-amzn-ErrorType (`<type>:`), the header the Java SDK reads first. */
  errorType: string | undefined;
}

function headerOf(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The reply format for a request's media type: CBOR, JSON 1.0, or JSON 1.1 for everything else. */
function replyTypeOf(contentType: string): string {
  return isCbor(contentType) ? AMZ_CBOR : contentType === AMZ_JSON_10 ? AMZ_JSON_10 : AMZ_JSON;
}

/** An AWS JSON/CBOR error: the body, plus the x-amzn-ErrorType header. */
function errorReply(status: number, replyType: string, body: Record<string, string>): Reply {
  return { status, contentType: replyType, body: encodeBody(replyType, body), errorType: `${body['__type']}:` };
}

/** A request that failed outside the checks (a bug in eddy, not in the caller's request). */
function internalFailure(): Reply {
  return errorReply(500, AMZ_JSON, { __type: 'InternalFailure' });
}

function forbidden(): Reply {
  return { status: 403, contentType: undefined, body: accessDeniedXml('Unable to determine service/operation name to be authorized'), errorType: undefined };
}

/** UNVERIFIED: AWS's answer to an oversized body; eddy sends 413 with an AWS-shaped error. */
function tooLarge(replyType: string): Reply {
  const error = new KinesisApiError('InvalidArgumentException', `The request body is over eddy's limit of ${MAX_BODY_BYTES} bytes.`, 413);
  return { status: 413, contentType: replyType, body: encodeBody(replyType, error.body()), errorType: undefined };
}

function sendReply(res: HttpResponse, reply: Reply, requestId: string): void {
  const extra = reply.errorType !== undefined ? { 'x-amzn-ErrorType': reply.errorType } : undefined;
  send(res, reply.status, reply.contentType, reply.body, requestId, extra);
}


function internal(opName: string, err: unknown): KinesisApiError {
  process.stderr.write(`eddy: Kinesis ${opName} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return new KinesisApiError('InternalFailure', undefined, 500);
}

/** kinesalite's (AWS-recorded) authentication checks: presence and shape only, signatures are not verified. */
function checkAuth(headers: RequestHeaders, url: string): KinesisApiError | undefined {
  const authHeader = headerOf(headers, 'authorization');
  const q = url.indexOf('?');
  const query = q === -1 ? undefined : new URLSearchParams(url.slice(q + 1));
  const authQuery = query?.has('X-Amz-Algorithm') ?? false;
  if (authHeader && authQuery) {
    return new KinesisApiError(
      'InvalidSignatureException',
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  }
  if (!authHeader && !authQuery) return new KinesisApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  let msg = '';
  if (authHeader) {
    const params: Record<string, string> = {};
    for (const part of authHeader.split(/,| /).slice(1)) {
      if (!part) continue;
      const [k, v] = part.trim().split('=');
      if (k) params[k] = v ?? '';
    }
    for (const p of ['Credential', 'Signature', 'SignedHeaders']) {
      if (!params[p]) msg += `Authorization header requires '${p}' parameter. `;
    }
    if (!headers['x-amz-date'] && !headers['date']) {
      msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    if (msg) msg += `Authorization=${authHeader}`;
  } else {
    for (const p of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date']) {
      if (!query!.get(p)) msg += `AWS query-string parameters must include '${p}'. `;
    }
    if (msg) msg += 'Re-examine the query-string parameters.';
  }
  return msg ? new KinesisApiError('IncompleteSignatureException', msg) : undefined;
}
