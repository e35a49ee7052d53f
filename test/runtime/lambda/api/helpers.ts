// Test support for the Lambda API: function configs, a Lambda API server on port 0, an SDK client,
// and waitFor. `InProcessHost` runs plain JS handlers in-process: it stands in for the function runtime
// only where a test is about the API, the invoker or the queue (routing, validation, retries), not
// about executing functions (those tests use the real FunctionRuntime).
import { randomUUID } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionConfig } from '../../../../runtime/config/types.ts';
import { createLambdaApi, type LambdaApi } from '../../../../runtime/lambda/api/index.ts';
import type { FunctionHost } from '../../../../runtime/lambda/invoker.ts';
import { LambdaInvoker } from '../../../../runtime/lambda/invoker.ts';
import type { AsyncQueue } from '../../../../runtime/lambda/async/queue.ts';
import type { InvocationReport, InvokeRequest, InvokeResult, LambdaServiceError } from '../../../../runtime/lambda/types.ts';
import { listen, type Listener } from '../../../../runtime/server/listener.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export function fnConfig(key: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    key,
    name: `svc-dev-${key}`,
    handler: `src/${key}.handler`,
    runtime: 'nodejs20.x',
    memorySize: 1024,
    timeout: 6,
    architecture: 'x86_64',
    environment: {},
    reservedConcurrency: undefined,
    maximumRetryAttempts: 2,
    maximumEventAge: 21600,
    destinations: {},
    layers: [],
    logFormat: 'Text',
    applicationLogLevel: undefined,
    systemLogLevel: undefined,
    events: [],
    packagePatterns: [],
    ...overrides,
  };
}

export type TestHandler = (event: unknown, call: { requestId: string; clientContext: string | undefined }) => unknown;

export interface HostCall {
  key: string;
  requestId: string;
  payload: string;
  source: string | undefined;
  waitForCapacity: boolean;
}

/** Runs JS handlers in-process; a thrown error becomes `{errorType, errorMessage, trace}` + Unhandled. */
export class InProcessHost implements FunctionHost {
  readonly calls: HostCall[] = [];
  readonly #fns = new Map<string, { config: FunctionConfig; handler: TestHandler }>();
  #reports = new Set<(r: InvocationReport) => void>();

  add(config: FunctionConfig, handler: TestHandler): this {
    this.#fns.set(config.key, { config, handler });
    return this;
  }

  setHandler(key: string, handler: TestHandler): void {
    this.#fns.get(key)!.handler = handler;
  }

  async resolve(functionName: string): Promise<FunctionConfig> {
    for (const { config } of this.#fns.values()) {
      if (config.key === functionName || config.name === functionName) return config;
    }
    throw { name: 'ResourceNotFoundException', statusCode: 404, message: `Function not found: ${functionName}` } satisfies LambdaServiceError;
  }

  functions(): Iterable<FunctionConfig> {
    return [...this.#fns.values()].map((f) => f.config);
  }

  onReport(listener: (r: InvocationReport) => void): () => void {
    this.#reports.add(listener);
    return () => this.#reports.delete(listener);
  }

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    const config = await this.resolve(request.functionName);
    const fn = this.#fns.get(config.key)!;
    const requestId = request.requestId ?? randomUUID();
    const payload = Buffer.from(request.payload).toString('utf8');
    this.calls.push({ key: config.key, requestId, payload, source: request.source, waitForCapacity: request.waitForCapacity ?? false });
    if (request.invocationType === 'DryRun') {
      return { statusCode: 204, payload: new Uint8Array(0), functionError: undefined, logResult: undefined, executedVersion: '$LATEST', requestId };
    }
    const log = `START RequestId: ${requestId} Version: $LATEST\nEND RequestId: ${requestId}\n`;
    const logResult = request.logType === 'Tail' ? Buffer.from(log).toString('base64') : undefined;
    try {
      const value = await fn.handler(payload === '' ? {} : JSON.parse(payload), { requestId, clientContext: request.clientContext });
      return { statusCode: 200, payload: Buffer.from(JSON.stringify(value ?? null)), functionError: undefined, logResult, executedVersion: '$LATEST', requestId };
    } catch (err) {
      const e = err as Error;
      const body = { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
      return { statusCode: 200, payload: Buffer.from(JSON.stringify(body)), functionError: 'Unhandled', logResult, executedVersion: '$LATEST', requestId };
    }
  }
}

export interface ApiServer {
  listener: Listener;
  endpoint: string;
  api: LambdaApi;
  client: LambdaClient;
  close(): Promise<void>;
}

export async function startApi(host: FunctionHost, queue?: AsyncQueue): Promise<ApiServer> {
  const invoker = new LambdaInvoker({ host, queue, region: REGION, accountId: ACCOUNT });
  const api = createLambdaApi({ invoker, runtime: host, region: REGION, accountId: ACCOUNT, startedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678) });
  const listener = await listen({
    port: 0,
    host: '127.0.0.1',
    handler: (req, res) => {
      if (api.matches(req)) api.handle(req, res);
      else {
        res.writeHead(418);
        res.end();
      }
    },
  });
  const endpoint = `http://127.0.0.1:${listener.port}`;
  const client = new LambdaClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    listener,
    endpoint,
    api,
    client,
    async close() {
      client.destroy();
      await listener.close();
    },
  };
}

/** Polls until check() returns a truthy value (or throws on the deadline). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the error a promise rejects with (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number }; [k: string]: unknown }> {
  try {
    await p;
  } catch (err) {
    return err as never;
  }
  throw new Error('expected a rejection');
}
