// The Lambda event-source-mapping API (restJson1 for @aws-sdk/client-lambda) on eddy's one port:
// one router reading one list of operations, one module per operation.
import type { Clock } from '../../clock.ts';
import { systemClock } from '../../clock.ts';
import type { FunctionConfig } from '../../config/types.ts';
import { serviceException, unknownOperation } from '../../lambda/api/errors.ts';
import { BodyTooLargeError, closeAfterResponse, isLambdaServiceError, sendLambdaError } from '../../server/http.ts';
import type { HttpRequest, HttpResponse } from '../../server/listener.ts';
import type { MappingEngine } from '../engine.ts';
import { defaultRoleArn } from '../spec.ts';
import type { MappingsApiContext, MappingsOperation } from './context.ts';
import { createOperation } from './create.ts';
import { deleteOperation } from './delete.ts';
import { getOperation } from './get.ts';
import { listOperation } from './list.ts';
import { updateOperation } from './update.ts';

export const mappingOperations: readonly MappingsOperation[] = [
  createOperation,
  listOperation,
  getOperation,
  updateOperation,
  deleteOperation,
];

export interface MappingsApiOptions {
  engine: MappingEngine;
  /** Resolves FunctionName as the Lambda API does (LambdaInvoker.resolver). */
  functions: { resolve(functionName: string): Promise<FunctionConfig> };
  region: string;
  accountId: string;
  clock?: Clock;
  /** The role a function's events report as invokeIdentityArn (default `arn:aws:iam::<account>:role/<name>-role`). */
  roleArnOf?: (fn: FunctionConfig) => string;
}

export interface MappingsApi {
  /** True for everything under /2015-03-31/event-source-mappings. */
  matches(req: HttpRequest): boolean;
  handle(req: HttpRequest, res: HttpResponse): void;
}

const PREFIX = '/2015-03-31/event-source-mappings';

export function createMappingsApi(options: MappingsApiOptions): MappingsApi {
  const ctx: MappingsApiContext = {
    engine: options.engine,
    functions: options.functions,
    region: options.region,
    accountId: options.accountId,
    clock: options.clock ?? systemClock,
    roleArnOf: options.roleArnOf ?? ((fn) => defaultRoleArn(options.accountId, fn.name)),
  };
  return {
    matches(req) {
      const url = req.url ?? '';
      return url.startsWith(PREFIX) && (url.length === PREFIX.length || '/?'.includes(url[PREFIX.length]!));
    },
    handle(req, res) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
      let labels: string[] | undefined;
      const op = mappingOperations.find((o) => {
        if (o.method !== req.method) return false;
        const m = o.path.exec(path);
        if (m) labels = m.slice(1);
        return m !== null;
      });
      if (!op) {
        sendLambdaError(res, unknownOperation(req.method ?? 'GET', path));
        return;
      }
      op.handle(ctx, req, res, labels ?? [], query).catch((err: unknown) => {
        if (res.headersSent) return;
        if (err instanceof BodyTooLargeError) {
          closeAfterResponse(res);
          sendLambdaError(res, { name: 'RequestEntityTooLargeException', statusCode: 413, message: err.message });
          return;
        }
        sendLambdaError(res, isLambdaServiceError(err) ? err : serviceException('An internal error occurred.'));
      });
    },
  };
}
