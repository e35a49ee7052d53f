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

// Read once per environment: process.env lookups are slow, and these are fixed for the environment's life.
let fixed: { functionName: string | undefined; functionVersion: string | undefined; memoryLimitInMB: string | undefined; logGroupName: string | undefined; logStreamName: string | undefined } | undefined;

function environmentData() {
  const env = process.env;
  return (fixed ??= {
    functionName: env['AWS_LAMBDA_FUNCTION_NAME'],
    functionVersion: env['AWS_LAMBDA_FUNCTION_VERSION'],
    memoryLimitInMB: env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'],
    logGroupName: env['AWS_LAMBDA_LOG_GROUP_NAME'],
    logStreamName: env['AWS_LAMBDA_LOG_STREAM_NAME'],
  });
}

/**
 * nodejs22.x and older get callbackWaitsForEmptyEventLoop and the legacy done/succeed/fail; the
 * nodejs24.x runtime interface client no longer has them.
 */
export function buildContext(task: InvokeTask, deadlineMs: number, legacy: boolean, completion: Completion): BuiltContext {
  const e = environmentData();
  const getRemainingTimeInMillis = () => deadlineMs - Date.now();
  if (!legacy) {
    const context: Record<string, unknown> = {
      clientContext: task.clientContext,
      identity: task.identity,
      invokedFunctionArn: task.invokedFunctionArn,
      awsRequestId: task.requestId,
      getRemainingTimeInMillis,
      functionName: e.functionName,
      functionVersion: e.functionVersion,
      memoryLimitInMB: e.memoryLimitInMB,
      logGroupName: e.logGroupName,
      logStreamName: e.logStreamName,
    };
    return { context, waitsForEmptyEventLoop: () => true };
  }
  const state = { wait: true };
  const done = (err: unknown, result?: unknown) => completion.done(err, result);
  const context: Record<string, unknown> = {
    get callbackWaitsForEmptyEventLoop() {
      return state.wait;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      state.wait = value;
    },
    succeed: (result: unknown) => done(null, result),
    fail: (err: unknown) => done(err === undefined || err === null ? 'handled' : err, null),
    done,
    clientContext: task.clientContext,
    identity: task.identity,
    invokedFunctionArn: task.invokedFunctionArn,
    awsRequestId: task.requestId,
    getRemainingTimeInMillis,
    functionName: e.functionName,
    functionVersion: e.functionVersion,
    memoryLimitInMB: e.memoryLimitInMB,
    logGroupName: e.logGroupName,
    logStreamName: e.logStreamName,
  };
  return { context, waitsForEmptyEventLoop: () => state.wait };
}
