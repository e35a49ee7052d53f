// What every Lambda API operation module is handed: the invoker, the function runtime, the account.
import type { HttpRequest, HttpResponse } from '../../server/listener.ts';
import type { FunctionHost, LambdaInvoker } from '../invoker.ts';

export interface LambdaApiContext {
  readonly invoker: LambdaInvoker;
  readonly host: FunctionHost;
  readonly region: string;
  readonly accountId: string;
  /** When the API was created: the functions' LastModified locally. */
  readonly startedAtMs: number;
}

/** One operation: its HTTP method and path, and its handler (which answers every outcome itself). */
export interface LambdaOperation {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Matched against the decoded-at-handler path (no query string); groups are the path labels. */
  readonly path: RegExp;
  handle(ctx: LambdaApiContext, req: HttpRequest, res: HttpResponse, labels: string[], query: URLSearchParams | undefined): Promise<void>;
}
