// One call that wires the Lambda side for the Emulator: the outbox, the durable async queue, the
// invoker and the API routes, closed in reverse order.
import type { Clock } from '../../clock.ts';
import type { LogRoot } from '../../log/types.ts';
import { AsyncQueue } from '../async/queue.ts';
import { createOutbox, type Outbox } from '../async/outbox.ts';
import { LambdaInvoker, type FunctionHost } from '../invoker.ts';
import { createLambdaApi, type LambdaApi } from './index.ts';

export interface LambdaServiceOptions {
  root: LogRoot;
  clock: Clock;
  /** The FunctionRuntime. */
  runtime: FunctionHost;
  region: string;
  accountId: string;
  /** Delays before async retries 1, 2 (default 1 s, 2 s; AWS waits about 1 min, then 2 min). */
  retryDelaysMs?: readonly number[];
  /** See LambdaApiOptions.requireAuth (default true). */
  requireAuth?: boolean;
}

export interface LambdaService {
  readonly invoker: LambdaInvoker;
  readonly queue: AsyncQueue;
  readonly outbox: Outbox;
  readonly api: LambdaApi;
  /** Stops the async queue (queued events stay in the data dir). Does not close the runtime or the root. */
  close(): Promise<void>;
}

export async function openLambdaService(options: LambdaServiceOptions): Promise<LambdaService> {
  const outbox = createOutbox({ root: options.root, clock: options.clock });
  const queue = await AsyncQueue.open({
    root: options.root,
    clock: options.clock,
    host: options.runtime,
    outbox,
    region: options.region,
    accountId: options.accountId,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
  });
  const invoker = new LambdaInvoker({ host: options.runtime, queue, region: options.region, accountId: options.accountId });
  const api = createLambdaApi({
    invoker,
    runtime: options.runtime,
    region: options.region,
    accountId: options.accountId,
    ...(options.requireAuth !== undefined ? { requireAuth: options.requireAuth } : {}),
  });
  return { invoker, queue, outbox, api, close: () => queue.close() };
}
