// Test support for the Lambda API: function configs, the Lambda API over the real FunctionRuntime on
// port 0 (fixture handlers in test/fixtures/functions/api), an SDK client, and waitFor.
// `InProcessHost` runs plain JS handlers in-process: the async-queue tests use it where they need to
// hold an invocation open or inject a throttle; everything about executing functions uses the runtime.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { VirtualClock } from '../../../../runtime/clock.ts';
import type { FunctionConfig, ServiceConfig } from '../../../../runtime/config/types.ts';
import { openLambdaService, type LambdaService } from '../../../../runtime/lambda/api/service.ts';
import { FunctionRuntime } from '../../../../runtime/lambda/runtime.ts';
import { MemoryLogRoot } from '../../../../runtime/log/memory-root.ts';
import { createLambdaApi, type LambdaApi } from '../../../../runtime/lambda/api/index.ts';
import type { FunctionHost } from '../../../../runtime/lambda/invoker.ts';
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

export const FIXTURE_DIR = fileURLToPath(new URL('../../../fixtures/functions/api', import.meta.url));

export interface RuntimeApi {
  runtime: FunctionRuntime;
  lambda: LambdaService;
  listener: Listener;
  endpoint: string;
  client: LambdaClient;
  clock: VirtualClock;
  /** A temp dir handed to the fixtures as OUT_DIR (the `record` handler appends there). */
  out: string;
  /** What the `record`-style handler of a function (by deployed name) wrote, one object per invocation. */
  recorded(fnName: string): Promise<Array<{ event: unknown; requestId: string }>>;
  close(): Promise<void>;
}

/**
 * The whole Lambda side as the Emulator wires it (FunctionRuntime + openLambdaService on a memory root,
 * async delays on a VirtualClock) behind a listener on port 0. Functions get OUT_DIR in their environment.
 */
export async function startRuntimeApi(functions: FunctionConfig[], options: { startedAtMs?: number } = {}): Promise<RuntimeApi> {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'eddy-'));
  const fns = functions.map((f) => ({ ...f, environment: { OUT_DIR: out, ...f.environment } }));
  const config: ServiceConfig = {
    dir: FIXTURE_DIR,
    service: 'svc',
    stage: 'dev',
    region: REGION,
    functions: Object.fromEntries(fns.map((f) => [f.key, f])),
    streams: [],
    esbuild: {},
    eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined },
    notices: [],
  };
  let api: LambdaApi | undefined;
  const listener = await listen({
    port: 0,
    host: '127.0.0.1',
    handler: (req, res) => {
      if (api?.matches(req)) api.handle(req, res);
      else {
        res.writeHead(418);
        res.end();
      }
    },
  });
  const endpoint = `http://127.0.0.1:${listener.port}`;
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const runtime = await FunctionRuntime.create({ config, endpoint });
  const lambda = await openLambdaService({ root: new MemoryLogRoot(), clock, runtime, region: REGION, accountId: ACCOUNT });
  api = options.startedAtMs === undefined
    ? lambda.api
    : createLambdaApi({ invoker: lambda.invoker, runtime, region: REGION, accountId: ACCOUNT, startedAtMs: options.startedAtMs });
  const client = new LambdaClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return {
    runtime,
    lambda,
    listener,
    endpoint,
    client,
    clock,
    out,
    async recorded(fnName) {
      try {
        const text = await fs.readFile(path.join(out, `${fnName}.jsonl`), 'utf8');
        return text.trim().split('\n').map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    async close() {
      client.destroy();
      await listener.close();
      await lambda.close();
      await runtime.close();
      await fs.rm(out, { recursive: true, force: true });
    },
  };
}
