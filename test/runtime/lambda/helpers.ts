// Shared test helpers for the function runtime: hand-built configs over the fixture service, and invoke shortcuts.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionConfig, ServiceConfig } from '../../../runtime/config/types.ts';
import type { LogSink } from '../../../runtime/lambda/logs.ts';
import { FunctionRuntime, type FunctionRuntimeOptions } from '../../../runtime/lambda/runtime.ts';
import type { InvokeRequest, InvokeResult } from '../../../runtime/lambda/types.ts';

export const SERVICE_DIR = fileURLToPath(new URL('../../fixtures/functions/service', import.meta.url));

export function fnConfig(key: string, handler: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    key,
    name: `svc-dev-${key}`,
    handler,
    runtime: 'nodejs20.x',
    memorySize: 256,
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

export function serviceConfig(functions: FunctionConfig[], overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    dir: SERVICE_DIR,
    service: 'svc',
    stage: 'dev',
    region: 'us-east-1',
    functions: Object.fromEntries(functions.map((f) => [f.key, f])),
    streams: [],
    esbuild: {},
    eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined },
    notices: [],
    ...overrides,
  };
}

/** A sink that remembers every line per function key (and the notices). */
export class MemorySink implements LogSink {
  readonly lines = new Map<string, string[]>();
  readonly notices: string[] = [];
  write(fn: { key: string }, line: string): void {
    let l = this.lines.get(fn.key);
    if (!l) this.lines.set(fn.key, (l = []));
    l.push(line);
  }
  notice(message: string): void {
    this.notices.push(message);
  }
  of(key: string): string[] {
    return this.lines.get(key) ?? [];
  }
  async close(): Promise<void> {}
}

export interface Harness {
  runtime: FunctionRuntime;
  sink: MemorySink;
  dataDir: string;
  close(): Promise<void>;
}

export async function harness(
  functions: FunctionConfig[],
  options: Partial<FunctionRuntimeOptions> & { service?: Partial<ServiceConfig> } = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
  const sink = new MemorySink();
  const { service, ...rest } = options;
  const runtime = await FunctionRuntime.create({
    config: serviceConfig(functions, service),
    dataDir,
    endpoint: 'http://127.0.0.1:4566',
    logSink: sink,
    ...rest,
  });
  return {
    runtime,
    sink,
    dataDir,
    async close() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function request(functionName: string, event: unknown = {}, extra: Partial<InvokeRequest> = {}): InvokeRequest {
  return { functionName, payload: Buffer.from(JSON.stringify(event)), ...extra };
}

export function json(result: InvokeResult): unknown {
  return JSON.parse(Buffer.from(result.payload).toString('utf8'));
}

export async function invokeJson(h: Harness, functionName: string, event: unknown = {}, extra: Partial<InvokeRequest> = {}) {
  const result = await h.runtime.invoke(request(functionName, event, extra));
  return { result, body: json(result) as Record<string, unknown> };
}
