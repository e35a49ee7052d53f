// Event-source mappings end to end on eddy's own log: PutRecords -> Kinesis service -> mapping pollers
// (woken on appends, reading in-process as in the Emulator) -> a no-op handler in a worker thread, 4 shards,
// batch 100, with the log in memory and on disk (the default); and put -> handler-start latency with
// batchWindow 0 (one record at a time). The producer is a process of its own
// (bench/_mappings-producer.ts), as a user's application is. Baseline in the same run: the same mapping
// engine reading an independent Kinesis emulator (kinesalite), and the put rate alone. Targets: >= 50 000
// records/s end to end; latency p50 <= 5 ms.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { systemClock } from '../runtime/clock.ts';
import type { FunctionConfig, ServiceConfig } from '../runtime/config/types.ts';
import { KinesisService } from '../runtime/kinesis/service.ts';
import { openLambdaService } from '../runtime/lambda/api/service.ts';
import type { LambdaInvoker } from '../runtime/lambda/invoker.ts';
import { FunctionRuntime } from '../runtime/lambda/runtime.ts';
import { openDiskRoot } from '../runtime/log/disk-root.ts';
import { MemoryLogRoot } from '../runtime/log/memory-root.ts';
import type { LogRoot } from '../runtime/log/types.ts';
import { MappingEngine } from '../runtime/mappings/engine.ts';
import { API_DEFAULTS, defaultRoleArn, functionArnOf } from '../runtime/mappings/spec.ts';
import type { MappingSpec } from '../runtime/mappings/types.ts';
import { listen } from '../runtime/server/listener.ts';
import type { ProducerCommand } from './_mappings-producer.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, '..', 'test', 'fixtures', 'mappings');
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const RECORDS = Number(process.env.BENCH_MAPPING_RECORDS ?? 100_000);
const BASELINE_RECORDS = Number(process.env.BENCH_MAPPING_BASELINE_RECORDS ?? 20_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_MAPPING_LATENCY_SAMPLES ?? 300);
const SHARDS = 4;

function fn(key: string, handler: string, out: string): FunctionConfig {
  return {
    key,
    name: `bench-${key}`,
    handler: `handlers.${handler}`,
    runtime: 'nodejs20.x',
    memorySize: 128,
    timeout: 30,
    architecture: 'x86_64',
    environment: { OUT_DIR: out },
    reservedConcurrency: undefined,
    maximumRetryAttempts: 0,
    maximumEventAge: 60,
    destinations: {},
    layers: [],
    logFormat: 'Text',
    applicationLogLevel: undefined,
    systemLogLevel: undefined,
    events: [],
    packagePatterns: [],
  };
}

function mapping(key: string, stream: string, uuid: string): MappingSpec {
  const name = `bench-${key}`;
  return {
    uuid,
    functionName: name,
    functionArn: functionArnOf(REGION, ACCOUNT, name),
    eventSourceArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${stream}`,
    ...API_DEFAULTS,
    batchSize: 100,
    startingPosition: 'TRIM_HORIZON',
    startingPositionTimestamp: undefined,
    reportBatchItemFailures: false,
    filterPatterns: [],
    onFailure: undefined,
    roleArn: defaultRoleArn(ACCOUNT, name),
    origin: 'api',
    lastModifiedMs: Date.now(),
  };
}

async function waitActive(client: KinesisClient, stream: string): Promise<void> {
  for (;;) {
    const s = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The producer process: puts records into a stream and answers how long that took. */
interface Producer {
  put(endpoint: string, transport: 'h2' | 'h1', stream: string, records: number): Promise<number>;
  exit(): Promise<void>;
}

function startProducer(): Promise<Producer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, '..', 'bin', 'run-ts.js'), path.join(here, '_mappings-producer.ts')], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let pending: ((ms: number) => void) | undefined;
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const send = (cmd: ProducerCommand): void => void child.send(cmd);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the producer exited with ${code}`));
    });
    child.on('message', (m: { ready?: true; ms: number }) => {
      if (m.ready) {
        resolve({
          put: (endpoint, transport, stream, records) =>
            new Promise((r) => {
              pending = r;
              send({ endpoint, transport, stream, records, inflight: 4 });
            }),
          exit: () => {
            send({ exit: true });
            return exited;
          },
        });
      } else pending?.(m.ms);
    });
  });
}

function processed(engine: MappingEngine, uuid: string): number {
  const s = engine.status().find((m) => m.uuid === uuid);
  return s ? s.shards.reduce((n, sh) => n + sh.recordsProcessed, 0) : 0;
}

async function waitProcessed(engine: MappingEngine, uuid: string, n: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (processed(engine, uuid) < n) {
    if (Date.now() > deadline) throw new Error(`only ${processed(engine, uuid)} of ${n} records processed`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** eddy's Kinesis API on a port and a mapping engine reading it in-process, as the Emulator wires them. */
interface Eddy {
  endpoint: string;
  engine: MappingEngine;
  invoker: LambdaInvoker;
  close(): Promise<void>;
}

async function openEddy(root: LogRoot, runtimeFor: (endpoint: string) => Promise<FunctionRuntime>): Promise<Eddy> {
  const kinesis = await KinesisService.open({ root, clock: systemClock, region: REGION, accountId: ACCOUNT, enforceLimits: false, statusDelayMs: 0 });
  const listener = await listen({ port: 0, host: '127.0.0.1', handler: (req, res) => kinesis.handle(req, res) });
  const endpoint = `http://127.0.0.1:${listener.port}`;
  const runtime = await runtimeFor(endpoint);
  const lambda = await openLambdaService({ root, clock: systemClock, runtime, region: REGION, accountId: ACCOUNT });
  const engine = await MappingEngine.create({
    root,
    invoker: lambda.invoker,
    clock: systemClock,
    region: REGION,
    accountId: ACCOUNT,
    kinesisEndpoint: endpoint,
    localKinesis: kinesis,
    credentials: CREDENTIALS,
    wake: true,
  });
  kinesis.onEvent((e) => {
    if (e.type === 'appended') engine.wake(e.streamName, e.shardId);
  });
  return {
    endpoint,
    engine,
    invoker: lambda.invoker,
    async close() {
      await engine.close();
      await lambda.close();
      await listener.close();
      await kinesis.close();
    },
  };
}

async function createStream(endpoint: string, stream: string, shards: number): Promise<void> {
  const client = new KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitActive(client, stream);
  client.destroy();
}

/** Records/s from the start of a put of RECORDS records until the mapping has processed them all. */
async function endToEnd(eddy: Eddy, producer: Producer, uuid: string): Promise<{ rate: number; invocations: number }> {
  await createStream(eddy.endpoint, 'e2e', SHARDS);
  await eddy.engine.add(mapping('noop', 'e2e', uuid));
  await producer.put(eddy.endpoint, 'h2', 'e2e', 5_000); // warm the workers
  await waitProcessed(eddy.engine, uuid, 5_000);
  const t0 = performance.now();
  await producer.put(eddy.endpoint, 'h2', 'e2e', RECORDS);
  await waitProcessed(eddy.engine, uuid, 5_000 + RECORDS);
  const rate = RECORDS / ((performance.now() - t0) / 1000);
  const invocations = eddy.engine.status().find((m) => m.uuid === uuid)!.shards.reduce((n, s) => n + s.invocations, 0);
  return { rate, invocations };
}

async function main(): Promise<void> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'eddy-bench-'));
  const config: ServiceConfig = {
    dir: FIXTURES,
    service: 'bench',
    stage: 'dev',
    region: REGION,
    functions: { noop: fn('noop', 'noop', out), noop2: fn('noop2', 'noop', out), latency: fn('latency', 'latency', out) },
    streams: [],
    esbuild: {},
    eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined },
    notices: [],
  };
  let runtime: FunctionRuntime | undefined;
  const runtimeFor = async (endpoint: string): Promise<FunctionRuntime> => (runtime ??= await FunctionRuntime.create({ config, endpoint, eager: true }));
  const producer = await startProducer();

  // 1. End to end on a log kept on disk, as `eddy start` keeps it by default (no fsync).
  const diskDir = await mkdtemp(path.join(os.tmpdir(), 'eddy-bench-log-'));
  const onDisk = await openEddy(await openDiskRoot(diskDir, { fsync: false }), runtimeFor);
  const disk = await endToEnd(onDisk, producer, '00000000-0000-4000-8000-000000000005');
  await onDisk.close();
  await rm(diskDir, { recursive: true, force: true });

  // The rest on a log in memory (`eddy start --in-memory`).
  const eddy = await openEddy(new MemoryLogRoot(), runtimeFor);
  const { endpoint, engine } = eddy;

  // 2. Put rate alone (no mapping reading).
  await createStream(endpoint, 'put-only', SHARDS);
  await producer.put(endpoint, 'h2', 'put-only', 10_000);
  const putMs = await producer.put(endpoint, 'h2', 'put-only', RECORDS);
  const putRate = RECORDS / (putMs / 1000);

  // 3. End to end.
  const memory = await endToEnd(eddy, producer, '00000000-0000-4000-8000-000000000001');

  // 4. Reading a stream filled beforehand (the mapping side alone: GetRecords + invocations).
  await createStream(endpoint, 'prefilled', SHARDS);
  await producer.put(endpoint, 'h2', 'prefilled', RECORDS);
  const preUuid = '00000000-0000-4000-8000-000000000004';
  const p0 = performance.now();
  await engine.add(mapping('noop', 'prefilled', preUuid));
  await waitProcessed(engine, preUuid, RECORDS);
  const preRate = RECORDS / ((performance.now() - p0) / 1000);
  await engine.remove(preUuid);

  // 5. Latency: one record at a time, batchWindow 0.
  await createStream(endpoint, 'latency', 1);
  const client = new KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  await engine.add(mapping('latency', 'latency', '00000000-0000-4000-8000-000000000002'));
  const latFile = path.join(out, 'bench-latency.jsonl');
  const lines = async (): Promise<Array<{ start: number; sent: number[] }>> => {
    try {
      return (await readFile(latFile, 'utf8')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  };
  for (let i = 0; i < 20 + LATENCY_SAMPLES; i++) {
    const t = Date.now();
    await client.send(new PutRecordCommand({ StreamName: 'latency', PartitionKey: 'k', Data: Buffer.from(JSON.stringify({ t, i })) }));
    // Wait for the handler before the next put, so each put is measured alone.
    for (;;) {
      const seen = await lines();
      if (seen.length > 0 && seen[seen.length - 1]!.sent.includes(t)) break;
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  const samples = (await lines())
    .slice(20)
    .flatMap((l) => l.sent.map((t) => l.start - t))
    .sort((a, b) => a - b);
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  client.destroy();

  // 6. Baseline: the same engine and handler reading kinesalite (an independent Kinesis emulator).
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const kEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kClient = new KinesisClient({ endpoint: kEndpoint, region: REGION, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() });
  await kClient.send(new CreateStreamCommand({ StreamName: 'e2e', ShardCount: SHARDS }));
  await waitActive(kClient, 'e2e');
  const kEngine = await MappingEngine.create({
    root: new MemoryLogRoot(),
    invoker: eddy.invoker,
    clock: systemClock,
    region: REGION,
    accountId: ACCOUNT,
    kinesisEndpoint: kEndpoint,
    credentials: CREDENTIALS,
    pollIntervalMs: 10,
  });
  const kUuid = '00000000-0000-4000-8000-000000000003';
  await kEngine.add(mapping('noop2', 'e2e', kUuid));
  const k0 = performance.now();
  await producer.put(kEndpoint, 'h1', 'e2e', BASELINE_RECORDS);
  await waitProcessed(kEngine, kUuid, BASELINE_RECORDS);
  const kRate = BASELINE_RECORDS / ((performance.now() - k0) / 1000);
  await kEngine.close();
  kClient.destroy();
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  await producer.exit();
  await eddy.close();
  await runtime?.close();
  await rm(out, { recursive: true, force: true });

  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`records: ${fmt(RECORDS)} over ${SHARDS} shards, batch 100, no-op handler, ${memory.invocations} invocations (in memory)`);
  console.table([
    { what: 'PutRecords alone (eddy log in memory, no mapping)', 'records/s': fmt(putRate) },
    { what: 'end to end, eddy log in memory (target >= 50,000)', 'records/s': fmt(memory.rate) },
    { what: 'end to end, eddy log on disk (the default)', 'records/s': fmt(disk.rate) },
    { what: 'end to end, kinesalite baseline', 'records/s': fmt(kRate) },
    { what: 'mapping alone: reading a pre-filled stream, in memory', 'records/s': fmt(preRate) },
  ]);
  console.log(`end to end in memory vs kinesalite baseline: ${(memory.rate / kRate).toFixed(2)}x; vs put alone: ${(memory.rate / putRate).toFixed(2)}x`);
  console.log(`put -> handler start, batchWindow 0, ${samples.length} samples: p50 ${p50} ms (target <= 5), p99 ${p99} ms`);
}

await main();
