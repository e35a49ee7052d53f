// Event-source mappings end to end on eddy's own log: PutRecords -> Kinesis service -> mapping pollers
// (woken on appends, reading in-process as in the Emulator) -> a no-op handler in a worker thread, 4 shards, batch 100; and put -> handler-start
// latency with batchWindow 0 (one record at a time). Baseline in the same run: the same mapping engine
// reading an independent Kinesis emulator (kinesalite), and the put rate alone. Targets: >= 50 000
// records/s end to end; latency p50 <= 5 ms.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { systemClock } from '../runtime/clock.ts';
import type { FunctionConfig, ServiceConfig } from '../runtime/config/types.ts';
import { KinesisService } from '../runtime/kinesis/service.ts';
import { openLambdaService } from '../runtime/lambda/api/service.ts';
import { FunctionRuntime } from '../runtime/lambda/runtime.ts';
import { MemoryLogRoot } from '../runtime/log/memory-root.ts';
import { MappingEngine } from '../runtime/mappings/engine.ts';
import { API_DEFAULTS, defaultRoleArn, functionArnOf } from '../runtime/mappings/spec.ts';
import type { MappingSpec } from '../runtime/mappings/types.ts';
import { listen } from '../runtime/server/listener.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, '..', 'test', 'fixtures', 'mappings');
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const RECORDS = Number(process.env.BENCH_MAPPING_RECORDS ?? 100_000);
const BASELINE_RECORDS = Number(process.env.BENCH_MAPPING_BASELINE_RECORDS ?? 20_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_MAPPING_LATENCY_SAMPLES ?? 300);
const SHARDS = 4;
const DATA = Buffer.from(JSON.stringify({ bench: true, pad: 'x'.repeat(80) }));

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

/** Puts n records with PutRecords (500 per call, `concurrency` calls in flight); resolves with the elapsed ms. */
async function produce(client: KinesisClient, stream: string, n: number, concurrency: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const count = Math.min(500, n - next);
      const base = next;
      next += count;
      const out = await client.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: Array.from({ length: count }, (_, i) => ({ PartitionKey: `pk-${(base + i) % 997}`, Data: DATA })),
        }),
      );
      if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - start;
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

async function main(): Promise<void> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'eddy-bench-'));
  const root = new MemoryLogRoot();
  const kinesis = await KinesisService.open({ root, clock: systemClock, region: REGION, accountId: ACCOUNT, enforceLimits: false, statusDelayMs: 0 });
  const listener = await listen({ port: 0, host: '127.0.0.1', handler: (req, res) => kinesis.handle(req, res) });
  const endpoint = `http://127.0.0.1:${listener.port}`;
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
  const runtime = await FunctionRuntime.create({ config, endpoint, eager: true });
  const lambda = await openLambdaService({ root, clock: systemClock, runtime, region: REGION, accountId: ACCOUNT });
  const engine = await MappingEngine.create({
    root,
    invoker: lambda.invoker,
    clock: systemClock,
    region: REGION,
    accountId: ACCOUNT,
    kinesisEndpoint: endpoint,
    // As the Emulator wires it: the pollers' SDK client reaches eddy's own log in-process.
    localKinesis: kinesis,
    credentials: CREDENTIALS,
    wake: true,
  });
  kinesis.onEvent((e) => {
    if (e.type === 'appended') engine.wake(e.streamName, e.shardId);
  });
  const client = new KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS });

  // 1. Put rate alone (no mapping reading).
  await client.send(new CreateStreamCommand({ StreamName: 'put-only', ShardCount: SHARDS }));
  await waitActive(client, 'put-only');
  await produce(client, 'put-only', 10_000, 4);
  const putMs = await produce(client, 'put-only', RECORDS, 4);
  const putRate = RECORDS / (putMs / 1000);

  // 2. End to end on eddy's own log.
  await client.send(new CreateStreamCommand({ StreamName: 'e2e', ShardCount: SHARDS }));
  await waitActive(client, 'e2e');
  const uuid = '00000000-0000-4000-8000-000000000001';
  await engine.add(mapping('noop', 'e2e', uuid));
  await produce(client, 'e2e', 5_000, 4); // warm the workers
  await waitProcessed(engine, uuid, 5_000);
  const t0 = performance.now();
  await produce(client, 'e2e', RECORDS, 4);
  await waitProcessed(engine, uuid, 5_000 + RECORDS);
  const e2eMs = performance.now() - t0;
  const e2eRate = RECORDS / (e2eMs / 1000);
  const invocations = engine.status().find((m) => m.uuid === uuid)!.shards.reduce((n, s) => n + s.invocations, 0);

  // 2b. Reading a stream filled beforehand (the mapping side alone: GetRecords + invocations).
  await client.send(new CreateStreamCommand({ StreamName: 'prefilled', ShardCount: SHARDS }));
  await waitActive(client, 'prefilled');
  await produce(client, 'prefilled', RECORDS, 4);
  const preUuid = '00000000-0000-4000-8000-000000000004';
  const p0 = performance.now();
  await engine.add(mapping('noop', 'prefilled', preUuid));
  await waitProcessed(engine, preUuid, RECORDS);
  const preRate = RECORDS / ((performance.now() - p0) / 1000);
  await engine.remove(preUuid);

  // 3. Latency: one record at a time, batchWindow 0.
  await client.send(new CreateStreamCommand({ StreamName: 'latency', ShardCount: 1 }));
  await waitActive(client, 'latency');
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

  await engine.close();

  // 4. Baseline: the same engine and handler reading kinesalite (an independent Kinesis emulator).
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const kEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kClient = new KinesisClient({ endpoint: kEndpoint, region: REGION, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() });
  await kClient.send(new CreateStreamCommand({ StreamName: 'e2e', ShardCount: SHARDS }));
  await waitActive(kClient, 'e2e');
  const kEngine = await MappingEngine.create({
    root: new MemoryLogRoot(),
    invoker: lambda.invoker,
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
  await produce(kClient, 'e2e', BASELINE_RECORDS, 4);
  await waitProcessed(kEngine, kUuid, BASELINE_RECORDS);
  const kRate = BASELINE_RECORDS / ((performance.now() - k0) / 1000);
  await kEngine.close();
  kClient.destroy();
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  client.destroy();
  await lambda.close();
  await runtime.close();
  await listener.close();
  await kinesis.close();
  await rm(out, { recursive: true, force: true });

  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`records: ${fmt(RECORDS)} over ${SHARDS} shards, batch 100, no-op handler, ${invocations} invocations`);
  console.table([
    { what: 'PutRecords alone (eddy log, no mapping)', 'records/s': fmt(putRate) },
    { what: 'end to end, eddy log (target >= 50,000)', 'records/s': fmt(e2eRate) },
    { what: 'end to end, kinesalite baseline', 'records/s': fmt(kRate) },
    { what: 'mapping alone: reading a pre-filled stream, eddy log', 'records/s': fmt(preRate) },
  ]);
  console.log(`end to end vs kinesalite baseline: ${(e2eRate / kRate).toFixed(2)}x; vs put alone: ${(e2eRate / putRate).toFixed(2)}x`);
  console.log(`put -> handler start, batchWindow 0, ${samples.length} samples: p50 ${p50} ms (target <= 5), p99 ${p99} ms`);
}

await main();
