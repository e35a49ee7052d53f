// The Invoker the rest of eddy uses: checks a request as the Lambda service does (payload limits, JSON,
// function name), then runs RequestResponse and DryRun on the function runtime and queues Event
// invocations on the durable async queue.
import type { FunctionConfig } from '../config/types.ts';
import {
  ASYNC_PAYLOAD_LIMIT,
  SYNC_PAYLOAD_LIMIT,
  SYNC_RESPONSE_LIMIT,
  describeJsonError,
  eventPayloadTooLarge,
  functionNotFound,
  invalidRequestContent,
  requestTooLarge,
} from './api/errors.ts';
import type { CodeInfo } from './api/configuration.ts';
import { isServiceError, parseFunctionName, type ParsedFunctionName } from './api/function-name.ts';
import type { AsyncQueue } from './async/queue.ts';
import { payloadByteLength, payloadBytes, payloadText, type Payload } from './payload.ts';
import type { InvocationReport, InvokeRequest, InvokeResult, Invoker, LambdaServiceError } from './types.ts';

/** What the invoker and the Lambda API need of the function runtime (runtime/lambda/runtime.ts). */
export interface FunctionHost {
  /** RequestResponse / DryRun; rejects with a LambdaServiceError (404, 429, …). */
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  /** A function by key, deployed name or ARN; throws (or rejects with) a LambdaServiceError 404. */
  resolve(functionName: string): FunctionConfig | Promise<FunctionConfig>;
  functions(): Iterable<FunctionConfig>;
  onReport(listener: (report: InvocationReport) => void): () => void;
  /** Size, hash and location of a function's bundle, when the runtime knows them (GetFunction shows them). */
  codeInfo?(functionKey: string): CodeInfo | undefined;
}

export interface LambdaInvokerOptions {
  host: FunctionHost;
  /** Where Event invocations go; without one, Event invocations are refused with a ServiceException. */
  queue: AsyncQueue | undefined;
  region: string;
  accountId: string;
}

const EMPTY = new Uint8Array(0);

/** The response AWS gives when a function's result is over the sync limit. */
function responseTooLarge(): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_RESPONSE_LIMIT} bytes).`,
      errorType: 'Function.ResponseSizeTooLarge',
    }),
  );
}

/** Throws InvalidRequestContentException unless payload is empty (= `{}`) or JSON text. */
export function assertJsonPayload(payload: Payload): void {
  if (payloadByteLength(payload) === 0) return;
  const text = payloadText(payload);
  try {
    JSON.parse(text);
  } catch {
    throw invalidRequestContent(describeJsonError(text));
  }
}

/**
 * Resolves a FunctionName (name, key, full or partial ARN, optional `:qualifier`) to its config,
 * rejecting with AWS's errors: ValidationException for a malformed name, 404 for an unknown one.
 * Only `$LATEST` exists locally: any other qualifier is a function that is not found.
 */
export class FunctionResolver {
  readonly #host: FunctionHost;
  readonly #region: string;
  readonly #accountId: string;
  readonly #parsed = new Map<string, ParsedFunctionName>();

  constructor(host: FunctionHost, region: string, accountId: string) {
    this.#host = host;
    this.#region = region;
    this.#accountId = accountId;
  }

  parse(functionName: string, qualifier?: string): ParsedFunctionName {
    const cacheKey = qualifier === undefined ? functionName : `${functionName}\u0000${qualifier}`;
    let parsed = this.#parsed.get(cacheKey);
    if (parsed) return parsed;
    const result = parseFunctionName(functionName, qualifier);
    if (isServiceError(result)) throw result;
    parsed = result;
    if (this.#parsed.size > 1000) this.#parsed.clear();
    this.#parsed.set(cacheKey, parsed);
    return parsed;
  }

  async resolve(functionName: string, qualifier?: string): Promise<FunctionConfig> {
    const parsed = this.parse(functionName, qualifier);
    const notFound = (): LambdaServiceError =>
      functionNotFound(this.#region, this.#accountId, parsed.name, parsed.qualifier);
    if (
      (parsed.qualifier !== undefined && parsed.qualifier !== '$LATEST') ||
      (parsed.accountId !== undefined && parsed.accountId !== this.#accountId) ||
      (parsed.region !== undefined && parsed.region !== this.#region)
    ) {
      throw notFound();
    }
    try {
      return await this.#host.resolve(parsed.name);
    } catch (err) {
      if ((err as LambdaServiceError | undefined)?.statusCode === 404) throw notFound();
      throw err;
    }
  }
}

export class LambdaInvoker implements Invoker {
  readonly #host: FunctionHost;
  readonly #queue: AsyncQueue | undefined;
  readonly resolver: FunctionResolver;

  constructor(options: LambdaInvokerOptions) {
    this.#host = options.host;
    this.#queue = options.queue;
    this.resolver = new FunctionResolver(options.host, options.region, options.accountId);
  }

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    const type = request.invocationType ?? 'RequestResponse';
    const payload = request.payload;
    const bytes = payloadByteLength(payload);
    if (bytes > SYNC_PAYLOAD_LIMIT) throw requestTooLarge();
    if (type === 'Event' && bytes > ASYNC_PAYLOAD_LIMIT) throw eventPayloadTooLarge(bytes);
    const config = await this.resolver.resolve(request.functionName, request.qualifier);
    if (!request.jsonByEddy) assertJsonPayload(payload);

    if (type === 'Event') {
      if (!this.#queue) throw { name: 'ServiceException', statusCode: 500, message: 'Asynchronous invocation is not available.' };
      const requestId = await this.#queue.enqueue(config, payloadBytes(payload), request.requestId);
      return { statusCode: 202, payload: EMPTY, functionError: undefined, logResult: undefined, executedVersion: '$LATEST', requestId };
    }

    // The runtime gets the key (its cheapest lookup) and the qualifier (already checked to be $LATEST)
    // however it was given, so context.invokedFunctionArn ends in `:$LATEST` exactly when the caller's did.
    const { qualifier: _given, ...rest } = request;
    // The payload is JSON by now (checked above, or serialised by eddy): the runtime need not parse it again.
    const forward: InvokeRequest = { ...rest, functionName: config.key, invocationType: type, jsonByEddy: true };
    const qualifier = this.resolver.parse(request.functionName, request.qualifier).qualifier;
    if (qualifier !== undefined) forward.qualifier = qualifier;
    const result = await this.#host.invoke(forward);
    if (type === 'RequestResponse' && result.payload.byteLength > SYNC_RESPONSE_LIMIT) {
      return { ...result, payload: responseTooLarge(), functionError: 'Unhandled' };
    }
    return result;
  }

  onReport(listener: (report: InvocationReport) => void): () => void {
    return this.#host.onReport(listener);
  }
}
