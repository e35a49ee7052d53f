// What the rest of eddy sees of the function runtime: invoke a function, and hear of every invocation.
import type { Payload } from './payload.ts';

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeRequest {
  /** Function key, deployed name, full or partial ARN, optionally with `:qualifier`. */
  functionName: string;
  /** The event: the caller's bytes, or JSON text eddy built itself (a mapping's batch). */
  payload: Payload;
  /** Default RequestResponse. */
  invocationType?: InvocationType;
  /** 'Tail' asks for the last 4 KB of the log, base64 (sync only). */
  logType?: 'None' | 'Tail';
  /** base64 JSON from X-Amz-Client-Context. */
  clientContext?: string;
  qualifier?: string;
  /** Event-source mappings and async invocations wait for a free environment instead of a 429. */
  waitForCapacity?: boolean;
  /** Who invoked, for metering ('api', 'cli', 'mapping:<uuid>', 'async'). */
  source?: string;
  /**
   * The awsRequestId to use instead of a fresh uuid: async invocations keep the id the 202 answered
   * with across their retries, as on AWS.
   */
  requestId?: string;
  /**
   * Set by eddy's own callers when they serialised the payload as JSON themselves (a mapping's batch), and
   * by the invoker on what it forwards to the runtime once it has checked the caller's bytes: the invoker
   * and the runtime then skip parsing it only to check it. Never set on a caller's unchecked bytes.
   */
  jsonByEddy?: boolean;
}

export interface InvokeResult {
  /** 200 sync, 202 Event, 204 DryRun. */
  statusCode: number;
  /** The function's response or error object as JSON bytes (empty for Event/DryRun). */
  payload: Uint8Array;
  /** 'Unhandled' when the function failed (error, timeout, crash), else undefined. */
  functionError: 'Unhandled' | 'Handled' | undefined;
  /** base64 of the last 4 KB of the invocation's log, when logType was Tail. */
  logResult: string | undefined;
  executedVersion: string;
  requestId: string;
}

/** What one finished invocation cost and how it went: the cost meter and `eddy status` read these. */
export interface InvocationReport {
  functionKey: string;
  functionName: string;
  requestId: string;
  source: string;
  startedAtMs: number;
  durationMs: number;
  billedDurationMs: number;
  /** Set on a cold start. */
  initDurationMs: number | undefined;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  architecture: 'x86_64' | 'arm64';
  /** undefined on success; otherwise the errorType (e.g. 'Error', 'Sandbox.Timedout', 'Runtime.ExitError'). */
  errorType: string | undefined;
}

/** A Lambda API error with AWS's name, HTTP status and body fields (restJson1). */
export interface LambdaServiceError {
  name: string;
  statusCode: number;
  message: string;
  /** Extra body fields, e.g. { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }. */
  fields?: Record<string, string>;
  retryAfterSeconds?: number;
}

export interface Invoker {
  /** Resolves with the result, or rejects with an object satisfying LambdaServiceError. */
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  onReport(listener: (report: InvocationReport) => void): () => void;
}
