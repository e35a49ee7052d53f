// The Lambda API (restJson1, as @aws-sdk/client-lambda speaks it) on eddy's one port: one router reading
// one list of operations, one module per operation. Event-source-mapping routes live in runtime/mappings.
import { hasErrorCode } from '../../errors.ts';
import { isLambdaServiceError, sendLambdaError } from '../../server/http.ts';
import type { HttpRequest, HttpResponse } from '../../server/listener.ts';
import type { FunctionHost, LambdaInvoker } from '../invoker.ts';
import type { LambdaApiContext, LambdaOperation } from './context.ts';
import { missingAuthenticationToken, serviceException, unknownOperation } from './errors.ts';
import { getFunctionConfigurationOperation } from './get-function-configuration.ts';
import { getFunctionOperation } from './get-function.ts';
import { invokeAsyncOperation } from './invoke-async.ts';
import { invokeOperation } from './invoke.ts';
import { listFunctionsOperation } from './list-functions.ts';

/** Invoke first: it is the hot path. */
export const lambdaOperations: readonly LambdaOperation[] = [
  invokeOperation,
  getFunctionConfigurationOperation,
  getFunctionOperation,
  listFunctionsOperation,
  invokeAsyncOperation,
];

export interface LambdaApiOptions {
  invoker: LambdaInvoker;
  runtime: FunctionHost;
  region: string;
  accountId: string;
  /**
   * Refuse requests without an Authorization header (or presigned X-Amz-Algorithm / X-Amz-Signature query
   * parameters) with MissingAuthenticationTokenException "Missing Authentication Token", as AWS and eddy's
   * Kinesis API do (403 here, the REST services' status; Kinesis's JSON protocol answers 400). The SDK
   * always signs; the signature itself is not checked. Default true.
   */
  requireAuth?: boolean;
  /** LastModified of every function (default: now). */
  startedAtMs?: number;
}

export interface LambdaApi {
  /** True for the Lambda paths this API answers (all but event-source mappings; see isLambdaFunctionPath). */
  matches(req: HttpRequest): boolean;
  handle(req: HttpRequest, res: HttpResponse): void;
}

/**
 * Every Lambda REST path except the event-source-mapping ones (runtime/mappings serves those): function
 * routes of every API version (`/2015-03-31/functions…`, `/2017-10-31/functions/{name}/concurrency`,
 * `/2021-11-15/functions/{name}/response-streaming-invocations`, …) plus layers, account settings, tags
 * and code-signing configs, so a Lambda operation eddy does not emulate gets UnknownOperationException.
 */
const LAMBDA_PATH = /^\/\d{4}-\d{2}-\d{2}\/(?:functions|layers|account-settings|tags|code-signing-configs)(?:[/?]|$)/;

export function isLambdaFunctionPath(url: string): boolean {
  return LAMBDA_PATH.test(url);
}

function replyError(res: HttpResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (isLambdaServiceError(err)) {
    sendLambdaError(res, err);
    return;
  }
  // Not an AWS answer: a fault of eddy's (or the emulator stopping). Said on stderr, answered as AWS's 500.
  if (!hasErrorCode(err, 'EDDY_ERR_STOPPED')) {
    process.stderr.write(`eddy: Lambda API request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  sendLambdaError(res, serviceException('An internal error occurred.'));
}

/** Answers a Lambda REST path no module serves (for the emulator's fallback route). */
export function sendUnknownOperation(req: HttpRequest, res: HttpResponse): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  sendLambdaError(res, unknownOperation(req.method ?? 'GET', q === -1 ? url : url.slice(0, q)));
}

export function createLambdaApi(options: LambdaApiOptions): LambdaApi {
  const ctx: LambdaApiContext = {
    invoker: options.invoker,
    host: options.runtime,
    region: options.region,
    accountId: options.accountId,
    startedAtMs: options.startedAtMs ?? Date.now(),
  };
  const requireAuth = options.requireAuth ?? true;

  return {
    matches(req) {
      return isLambdaFunctionPath(req.url ?? '');
    },
    handle(req, res) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      const query = q === -1 ? undefined : new URLSearchParams(url.slice(q + 1));
      if (requireAuth && req.headers.authorization === undefined && !query?.has('X-Amz-Algorithm') && !query?.has('X-Amz-Signature')) {
        req.resume();
        sendLambdaError(res, missingAuthenticationToken());
        return;
      }
      const method = req.method ?? 'GET';
      for (const op of lambdaOperations) {
        if (op.method !== method) continue;
        const m = op.path.exec(path);
        if (!m) continue;
        op.handle(ctx, req, res, m.slice(1), query).catch((err: unknown) => replyError(res, err));
        return;
      }
      req.resume();
      sendUnknownOperation(req, res);
    },
  };
}

export { type LambdaApiContext, type LambdaOperation } from './context.ts';
