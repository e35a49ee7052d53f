// Test support for the mapping tests: a kinesalite started by the test, the real FunctionRuntime with
// the fixture handlers, a MappingEngine over them, and readers for what the handlers wrote.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import type { AddressInfo } from 'node:net';
import type { Clock, VirtualClock } from '../../../runtime/clock.ts';
import type { FunctionConfig, ServiceConfig } from '../../../runtime/config/types.ts';
import type { Invoker } from '../../../runtime/lambda/types.ts';
import { openLambdaService, type LambdaService } from '../../../runtime/lambda/api/service.ts';
import { FunctionRuntime } from '../../../runtime/lambda/runtime.ts';
import type { LogRoot } from '../../../runtime/log/types.ts';
import { KinesisService } from '../../../runtime/kinesis/service.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import { listen } from '../../../runtime/server/listener.ts';
import { MappingEngine, type MappingEngineOptions } from '../../../runtime/mappings/engine.ts';
import { API_DEFAULTS, defaultRoleArn, functionArnOf } from '../../../runtime/mappings/spec.ts';
import type { MappingSpec } from '../../../runtime/mappings/types.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const FIXTURES = fileURLToPath(new URL('../../fixtures/mappings', import.meta.url));

export function streamArn(name: string): string {
  return `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
}

export interface Kinesis {
  endpoint: string;
  client: KinesisClient;
  close(): Promise<void>;
}

/** A kinesalite on port 0 and an SDK client for it (HTTP/1.1: kinesalite does not speak h2c). */
export async function startKinesalite(): Promise<Kinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() });
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** eddy's Kinesis service, and how to have a mapping engine woken by its appends. */
export type EddyKinesis = Kinesis & { service: KinesisService; wake(engine: MappingEngine): () => void };

/**
 * eddy's own Kinesis service on port 0 (h1 + h2c listener), on the given clock; onAppended tells a
 * mapping engine to wake its pollers, as the Emulator does.
 */
export async function startEddyKinesis(clock: Clock, root: LogRoot = new MemoryLogRoot()): Promise<EddyKinesis> {
  const service = await KinesisService.open({ root, clock, region: REGION, accountId: ACCOUNT, enforceLimits: false, statusDelayMs: 0 });
  const listener = await listen({ port: 0, host: '127.0.0.1', handler: (req, res) => service.handle(req, res) });
  const endpoint = `http://127.0.0.1:${listener.port}`;
  const client = new KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  return {
    endpoint,
    client,
    service,
    wake(engine) {
      return service.onEvent((e) => {
        if (e.type === 'appended') engine.wake(e.streamName, e.shardId);
        else if (e.type === 'shardsChanged' || e.type === 'streamCreated') engine.wake(e.streamName);
      });
    },
    async close() {
      client.destroy();
      await listener.close();
      await service.close();
    },
  };
}

/** Creates a stream and waits for ACTIVE (on a virtual clock, its zero-delay status timer is fired). */
export async function createStream(k: Kinesis, name: string, shards: number, clock?: VirtualClock): Promise<string[]> {
  await k.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitFor(async () => {
    clock?.advance(0);
    const s = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, 'stream ACTIVE');
  const out = await k.client.send(new ListShardsCommand({ StreamName: name }));
  return (out.Shards ?? []).map((s) => s.ShardId!);
}

/** Puts JSON records (in order, 500 per call); returns [shardId, sequenceNumber] per record. */
export async function put(
  k: Kinesis,
  stream: string,
  records: Array<{ pk: string; data: unknown }>,
): Promise<Array<{ shardId: string; seq: string }>> {
  const out: Array<{ shardId: string; seq: string }> = [];
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500);
    const res = await k.client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: chunk.map((r) => ({
          PartitionKey: r.pk,
          Data: Buffer.from(typeof r.data === 'string' ? r.data : JSON.stringify(r.data)),
        })),
      }),
    );
    if (res.FailedRecordCount) throw new Error(`${res.FailedRecordCount} records failed`);
    for (const r of res.Records ?? []) out.push({ shardId: r.ShardId!, seq: r.SequenceNumber! });
  }
  return out;
}

export function fnConfig(key: string, handler: string, environment: Record<string, string>): FunctionConfig {
  return {
    key,
    name: `svc-dev-${key}`,
    handler: `handlers.${handler}`,
    runtime: 'nodejs20.x',
    memorySize: 1024,
    timeout: 6,
    architecture: 'x86_64',
    environment,
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
  };
}

export interface Functions {
  out: string;
  runtime: FunctionRuntime;
  lambda: LambdaService;
  close(): Promise<void>;
}

/**
 * The real FunctionRuntime running the fixture handlers: functions maps key -> export name (and extra env).
 * Each function writes to <out>/svc-dev-<key>.jsonl.
 */
export async function startFunctions(
  root: LogRoot,
  clock: Clock,
  functions: Record<string, string | { handler: string; env: Record<string, string> }>,
): Promise<Functions> {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'eddy-'));
  const fns = Object.entries(functions).map(([key, h]) =>
    typeof h === 'string' ? fnConfig(key, h, { OUT_DIR: out }) : fnConfig(key, h.handler, { OUT_DIR: out, ...h.env }),
  );
  const config: ServiceConfig = {
    dir: FIXTURES,
    service: 'svc',
    stage: 'dev',
    region: REGION,
    functions: Object.fromEntries(fns.map((f) => [f.key, f])),
    streams: [],
    esbuild: {},
    eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined },
    notices: [],
  };
  const runtime = await FunctionRuntime.create({ config, endpoint: 'http://127.0.0.1:9', dataDir: path.join(out, '.eddy') });
  const lambda = await openLambdaService({ root, clock, runtime, region: REGION, accountId: ACCOUNT, retryDelaysMs: [10, 10] });
  return {
    out,
    runtime,
    lambda,
    async close() {
      await lambda.close();
      await runtime.close();
      await fs.rm(out, { recursive: true, force: true });
    },
  };
}

/** Every JSON line a function wrote. */
export async function linesOf<T = Record<string, unknown>>(out: string, key: string): Promise<T[]> {
  try {
    const text = await fs.readFile(path.join(out, `svc-dev-${key}.jsonl`), 'utf8');
    return text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as T);
  } catch {
    return [];
  }
}

export interface Seen {
  requestId: string;
  records: Array<{ seq: string; pk: string; data: Record<string, unknown>; eventID: string }>;
}

export async function engineFor(
  k: Kinesis,
  root: LogRoot,
  clock: Clock,
  fns: Functions,
  extra: Partial<MappingEngineOptions> = {},
): Promise<MappingEngine> {
  return MappingEngine.create({
    root,
    invoker: fns.lambda.invoker,
    clock,
    region: REGION,
    accountId: ACCOUNT,
    kinesisEndpoint: k.endpoint,
    credentials: CREDENTIALS,
    pollIntervalMs: 20,
    onWarning: () => {},
    ...extra,
  });
}

/** eddy's own log in memory with the fixture functions and a mapping engine reading it. */
export interface OwnLog {
  k: EddyKinesis;
  fns: Functions;
  engine: MappingEngine;
  close(): Promise<void>;
}

/**
 * eddy's own log in memory, the fixture functions, and an engine woken by appends (no poll interval), as
 * the Emulator wires them; `inProcess` hands the pollers' requests to the service without a socket, and
 * `invoker` may wrap the real invoker.
 */
export async function startOwnLog(
  clock: Clock,
  functions: Record<string, string | { handler: string; env: Record<string, string> }>,
  options: { inProcess?: boolean; onWarning?: (message: string) => void; invoker?: (real: Invoker) => Invoker } = {},
): Promise<OwnLog> {
  const root = new MemoryLogRoot();
  const k = await startEddyKinesis(clock, root);
  const fns = await startFunctions(root, clock, functions);
  const engine = await engineFor(k, root, clock, fns, {
    wake: true,
    pollIntervalMs: undefined as never,
    onWarning: options.onWarning ?? (() => {}),
    ...(options.inProcess && { localKinesis: k.service }),
    ...(options.invoker && { invoker: options.invoker(fns.lambda.invoker) }),
  });
  k.wake(engine);
  return {
    k,
    fns,
    engine,
    async close() {
      await engine.close();
      await fns.close();
      await k.close();
    },
  };
}

let counter = 0;

/** A mapping spec with AWS's API defaults, for function key `key` on stream `stream`. */
export function spec(key: string, stream: string, overrides: Partial<MappingSpec> = {}): MappingSpec {
  const name = `svc-dev-${key}`;
  return {
    uuid: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    functionName: name,
    functionArn: functionArnOf(REGION, ACCOUNT, name),
    eventSourceArn: streamArn(stream),
    ...API_DEFAULTS,
    startingPosition: 'TRIM_HORIZON',
    startingPositionTimestamp: undefined,
    reportBatchItemFailures: false,
    filterPatterns: [],
    onFailure: undefined,
    roleArn: defaultRoleArn(ACCOUNT, name),
    origin: 'api',
    lastModifiedMs: Date.now(),
    ...overrides,
  };
}

/** Polls until check() returns a truthy value (or throws on the deadline). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'eddy-'));
}
