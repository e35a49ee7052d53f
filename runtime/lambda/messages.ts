// The host <-> worker protocol of an execution environment (one piscina worker thread = one environment).
//
// Protocol:
//   - The pool's `workerData` is an EnvironmentSetup: what every worker of that function needs at boot.
//   - The host runs one InvokeTask per invocation through piscina (one task at a time per worker); the
//     worker answers it with an InvokeOutcome (the task's return value).
//   - While a task runs, the worker posts WorkerEvents on `parentPort` (piscina re-emits them as the
//     pool's 'message' event): log lines as they are written, the start and end of INIT, and `fatal`
//     when the environment must die (unhandled rejection, uncaught exception, failed INIT). After a
//     `fatal` the worker exits, so piscina rejects the task; the host takes the answer from the
//     `fatal` event, which Node delivers before the worker's 'exit'.
//   - Events race the task's answer (different ports), so the answer repeats what the host must not
//     miss: `initDurationMs` of a cold start, and `logCount`, the host waiting until it has seen that
//     many lines before it writes END and REPORT.
// Everything here must survive structured cloning: plain data only, no classes, no functions.

import { randomBytes } from 'node:crypto';
import type { LogFormat } from '../config/types.ts';

/** `{errorType, errorMessage, trace}` as the Node runtime interface client posts it. */
export interface ErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** A new execution environment's log stream, as on AWS: `YYYY/MM/DD/[<version>]<32 hex>` (today, UTC). */
export function newLogStreamName(version = '$LATEST'): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/** How the runtime client labels a failed INIT in the log: nodejs24.x's says `Init Error`, older ones `Uncaught Exception`. */
export function initErrorLabel(runtimeMajor: number): string {
  return runtimeMajor >= 24 ? 'Init Error' : 'Uncaught Exception';
}

/** What every worker of one function's pool is told at boot (piscina `workerData`). */
export interface EnvironmentSetup {
  /** The handler string as configured (`src/handler.main`). */
  handler: string;
  /** The export path inside the module (`main`, or `nested.main`). */
  exportPath: string;
  /** Absolute path of the bundled function (.mjs or .cjs). */
  bundlePath: string;
  /** Major version of the function's Node runtime (20 for nodejs20.x). */
  runtimeMajor: number;
  timeoutMs: number;
  logFormat: LogFormat;
}

/** One invocation, host -> worker. */
export interface InvokeTask {
  requestId: string;
  /** The event as JSON text, already validated by the host ('' means `{}`). */
  payload: string;
  invokedFunctionArn: string;
  /** Parsed X-Amz-Client-Context, or undefined. */
  clientContext: unknown;
  identity: unknown;
}

/** The answer to one task, worker -> host. */
export type InvokeOutcome =
  | {
      kind: 'success';
      /** The handler's result as JSON text. */
      payload: string;
      /** Set when this task ran INIT (a cold start). */
      initDurationMs: number | undefined;
      durationMs: number;
      maxMemoryUsedMb: number;
      logCount: number;
    }
  | {
      kind: 'error';
      error: ErrorPayload;
      initDurationMs: number | undefined;
      durationMs: number;
      maxMemoryUsedMb: number;
      logCount: number;
    };

/** Worker -> host, posted on parentPort while a task runs. */
export type WorkerEvent =
  | { type: 'log'; requestId: string; line: string }
  /** Sent once per environment, when its first task starts INIT (the module load); logged as INIT_START. */
  | { type: 'initStart'; requestId: string; logStreamName: string }
  | { type: 'initDone'; requestId: string; initDurationMs: number }
  | {
      /** The environment is dying (it exits right after): this is the invocation's answer. */
      type: 'fatal';
      requestId: string;
      error: ErrorPayload;
      /** Logged as `INIT_REPORT ... Status: error` when set: the failure happened during INIT. */
      duringInit: boolean;
      initDurationMs: number | undefined;
      durationMs: number;
      maxMemoryUsedMb: number;
      logCount: number;
      /** The worker's exit code (128 unhandled rejection, 129 uncaught exception or failed INIT). */
      exitCode: number;
    };

export function isWorkerEvent(value: unknown): value is WorkerEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { requestId?: unknown }).requestId === 'string'
  );
}
