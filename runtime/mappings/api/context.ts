// What every event-source-mapping API operation is handed, and the shape of an operation module.
import type { FunctionConfig } from '../../config/types.ts';
import type { HttpRequest, HttpResponse } from '../../server/listener.ts';
import type { Clock } from '../../clock.ts';
import type { MappingEngine } from '../engine.ts';

export interface MappingsApiContext {
  readonly engine: MappingEngine;
  /** Resolves a FunctionName (name, ARN, partial ARN) or rejects with AWS's 404 / ValidationException. */
  readonly functions: { resolve(functionName: string): Promise<FunctionConfig> };
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  /** The execution role reported as invokeIdentityArn for a function. */
  roleArnOf(fn: FunctionConfig): string;
}

export interface MappingsOperation {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Matched against the path without the query string; groups are the path labels. */
  readonly path: RegExp;
  handle(ctx: MappingsApiContext, req: HttpRequest, res: HttpResponse, labels: string[], query: URLSearchParams): Promise<void>;
}
