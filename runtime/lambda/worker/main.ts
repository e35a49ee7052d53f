// The entry of an execution environment (one piscina worker thread). Spawned by runtime/lambda/pool.ts
// (bundled to .mjs by runtime/lambda/worker-entry.ts); speaks the protocol of runtime/lambda/messages.ts.
// Module scope here is the environment: the loaded handler persists between its invocations.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { initErrorLabel, newLogStreamName, type EnvironmentSetup, type ErrorPayload, type InvokeOutcome, type InvokeTask, type WorkerEvent } from '../messages.ts';
import { formatErrorForLog, patchConsole } from './console.ts';
import { formatError, JSONStringifyError, UnhandledPromiseRejection } from './errors.ts';
import { runHandler } from './invoke.ts';
import { loadHandler, type Handler } from './loader.ts';
import { beginListenerTracking, endListenerTracking, installListenerTracking } from './listeners.ts';
import { beginInvocationTimers, endInvocationTimers, installTimerTracking, realTimers } from './timers.ts';

const setup = workerData as EnvironmentSetup;
const port = parentPort!;

process.setSourceMapsEnabled(true);

// One log stream per environment, as on AWS.
const logStreamName = newLogStreamName(process.env['AWS_LAMBDA_FUNCTION_VERSION']);
process.env['AWS_LAMBDA_LOG_STREAM_NAME'] = logStreamName;

/** The invocation the worker is serving (routing of its log lines), and what its lines print. */
let routeId = '';
let printedId: string | undefined;
let logCount = 0;
let handler: Handler | undefined;
let initDurationMs: number | undefined;
/** INIT duration when the current task was this environment's first, else undefined. */
let coldInitMs: number | undefined;
let initializing = false;
let invokeStart = 0;
let peakMemoryBytes = 0;

function post(event: WorkerEvent): void {
  port.postMessage(event);
}

patchConsole(setup.logFormat, process.env['AWS_LAMBDA_LOG_LEVEL'], {
  requestId: () => printedId,
  emit(line) {
    logCount++;
    post({ type: 'log', requestId: routeId, line });
  },
});
installTimerTracking();
installListenerTracking();

function logError(label: string, err: unknown): void {
  if (setup.logFormat === 'JSON') console.error(err instanceof Error ? err : new Error(String(err)));
  else console.error(label, formatErrorForLog(err));
}

function maxMemoryUsedMb(): number {
  const h = v8.getHeapStatistics();
  peakMemoryBytes = Math.max(peakMemoryBytes, h.total_heap_size + h.external_memory);
  return Math.ceil(peakMemoryBytes / (1024 * 1024));
}

/** The environment cannot go on: answer the invocation through a `fatal` event, then exit (piscina sees the exit). */
function die(error: ErrorPayload, code: number): never {
  const duringInit = initializing;
  post({
    type: 'fatal',
    requestId: routeId,
    error,
    duringInit,
    initDurationMs: duringInit ? performance.now() - invokeStart : coldInitMs,
    durationMs: duringInit ? 0 : performance.now() - invokeStart,
    maxMemoryUsedMb: maxMemoryUsedMb(),
    logCount,
    exitCode: code,
  });
  process.exit(code);
}

process.on('unhandledRejection', (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', error);
  die(formatError(error), 128);
});

process.on('uncaughtException', (err) => {
  logError('Uncaught Exception', err);
  die(formatError(err), 129);
});

async function init(requestId: string): Promise<Handler> {
  post({ type: 'initStart', requestId, logStreamName });
  initializing = true;
  const started = performance.now();
  invokeStart = started;
  try {
    const loaded = await loadHandler(setup);
    initDurationMs = performance.now() - started;
    return loaded;
  } catch (err) {
    logError(initErrorLabel(setup.runtimeMajor), err);
    die(formatError(err), 129);
  } finally {
    initializing = false;
  }
}

function serialise(value: unknown): string | Error {
  try {
    return JSON.stringify(value === undefined ? null : value) ?? 'null';
  } catch {
    return new JSONStringifyError('Unable to stringify response body');
  }
}

export default async function invoke(task: InvokeTask): Promise<InvokeOutcome> {
  routeId = task.requestId;
  printedId = undefined;
  logCount = 0;
  coldInitMs = undefined;
  const cold = !handler;
  if (!handler) {
    handler = await init(task.requestId);
    post({ type: 'initDone', requestId: task.requestId, initDurationMs: initDurationMs! });
  }
  printedId = task.requestId;
  let event: unknown = task.payload === '' ? {} : JSON.parse(task.payload);
  // The text is not needed again: a scavenge during this invocation need not copy (and then promote) it.
  task.payload = '';
  invokeStart = performance.now();
  const deadlineMs = Date.now() + setup.timeoutMs;
  coldInitMs = cold ? initDurationMs : undefined;
  beginInvocationTimers();
  beginListenerTracking();
  try {
    const result = await runHandler(handler, event, task, deadlineMs, setup.runtimeMajor < 24);
    // Nor the event, once the handler is done with it (V8's GC tasks run in the event-loop turn below).
    event = undefined;
    // One turn of the event loop, so a rejection left unhandled by this invocation is reported as its
    // own (Runtime.UnhandledPromiseRejection) rather than as the next one's.
    await new Promise((resolve) => realTimers.setImmediate(resolve));
    const durationMs = performance.now() - invokeStart;
    if (result.ok) {
      const payload = serialise(result.value);
      if (typeof payload === 'string') return { kind: 'success', payload, initDurationMs: coldInitMs, durationMs, maxMemoryUsedMb: maxMemoryUsedMb(), logCount };
      logError('Invoke Error', payload);
      return { kind: 'error', error: formatError(payload), initDurationMs: coldInitMs, durationMs, maxMemoryUsedMb: maxMemoryUsedMb(), logCount };
    }
    logError('Invoke Error', result.error);
    return { kind: 'error', error: formatError(result.error), initDurationMs: coldInitMs, durationMs, maxMemoryUsedMb: maxMemoryUsedMb(), logCount };
  } finally {
    endInvocationTimers();
    endListenerTracking();
  }
}
