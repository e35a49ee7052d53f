// Inside the worker: the context object handed to the handler, fresh for every invocation, built as the
// RIC builds it (reference §5.2): environment data from the reserved variables, invoke data per request.
import type { InvokeTask } from '../messages.ts';

export interface Completion {
  /** First call wins, as the RIC's wrapped callback context. */
  done(err: unknown, result: unknown): void;
  /** The callback path: honours callbackWaitsForEmptyEventLoop. */
  callback(err: unknown, result: unknown): void;
}

export interface BuiltContext {
  context: Record<string, unknown>;
  /** True while the RIC would wait for the event loop to drain before answering a callback. */
  waitsForEmptyEventLoop(): boolean;
}

/**
 * nodejs22.x and older get callbackWaitsForEmptyEventLoop and the legacy done/succeed/fail; the
 * nodejs24.x runtime interface client no longer has them.
 */
export function buildContext(task: InvokeTask, deadlineMs: number, legacy: boolean, completion: Completion): BuiltContext {
  const env = process.env;
  let waitForEmptyEventLoop = true;
  const context: Record<string, unknown> = {};
  if (legacy) {
    const done = (err: unknown, result?: unknown) => completion.done(err, result);
    Object.defineProperty(context, 'callbackWaitsForEmptyEventLoop', {
      get: () => waitForEmptyEventLoop,
      set: (value: boolean) => {
        waitForEmptyEventLoop = value;
      },
      enumerable: true,
    });
    context['succeed'] = (result: unknown) => done(null, result);
    context['fail'] = (err: unknown) => done(err === undefined || err === null ? 'handled' : err, null);
    context['done'] = done;
  }
  Object.assign(context, {
    clientContext: task.clientContext,
    identity: task.identity,
    invokedFunctionArn: task.invokedFunctionArn,
    awsRequestId: task.requestId,
    getRemainingTimeInMillis: () => deadlineMs - Date.now(),
    functionName: env['AWS_LAMBDA_FUNCTION_NAME'],
    functionVersion: env['AWS_LAMBDA_FUNCTION_VERSION'],
    memoryLimitInMB: env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'],
    logGroupName: env['AWS_LAMBDA_LOG_GROUP_NAME'],
    logStreamName: env['AWS_LAMBDA_LOG_STREAM_NAME'],
  });
  return { context, waitsForEmptyEventLoop: () => waitForEmptyEventLoop };
}
