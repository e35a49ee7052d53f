// Invoke API throughput and latency: warm RequestResponse invocations, one at a time, through
// @aws-sdk/client-lambda (HTTP/1.1 keep-alive) against
//   (a) a bare `http` server answering the same Invoke request with a canned `null` (the floor of the
//       HTTP path: the SDK client and the socket, nothing else),
//   (b) eddy's Lambda API over an in-process function host that answers `null` at once (the API layer:
//       routing, validation, the invoker), and
//   (c) eddy's Lambda API over a host that hands each invocation to a raw piscina pool whose worker answers
//       `null` (the thread hop alone, nothing of eddy's runtime: the best a piscina-based runtime can do
//       through this API on this machine), and
//   (d) eddy's Lambda API over the real FunctionRuntime running a no-op handler in a worker thread.
// The client runs in its own process (this file, started with `client`); rounds alternate between the
// targets and the medians are printed with the ratio to the floor. Target: (d) >= 0.8 x (a).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Piscina } from 'piscina';
import type { FunctionConfig, ServiceConfig } from '../runtime/config/types.ts';
import { createLambdaApi } from '../runtime/lambda/api/index.ts';
import { LambdaInvoker, type FunctionHost } from '../runtime/lambda/invoker.ts';
import { FunctionRuntime } from '../runtime/lambda/runtime.ts';
import { payloadText } from '../runtime/lambda/payload.ts';
import type { InvokeRequest, InvokeResult } from '../runtime/lambda/types.ts';
import { listen, type Listener } from '../runtime/server/listener.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 300;
const PAYLOAD = '{"bench":true}';

interface RoundResult {
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
  /** Server process CPU (user + system, all threads) per invocation, in µs: robust to a busy machine. */
  serverCpuUs?: number;
}

// ---------------------------------------------------------------- client process

async function client(endpoint: string, functionName: string, roundMs: number): Promise<void> {
  const lambda = new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const payload = Buffer.from(PAYLOAD);
  const once = async (): Promise<void> => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: payload }));
    if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`bad answer ${out.StatusCode} ${out.FunctionError}`);
  };
  for (let i = 0; i < WARMUP; i++) await once();
  const latencies: number[] = [];
  const start = performance.now();
  let now = start;
  while (now - start < roundMs) {
    const t = performance.now();
    await once();
    now = performance.now();
    latencies.push(now - t);
  }
  latencies.sort((a, b) => a - b);
  const result: RoundResult = {
    perSecond: latencies.length / ((now - start) / 1000),
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    count: latencies.length + WARMUP,
  };
  lambda.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runClient(endpoint: string, functionName: string): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(here, '..', 'bin', 'run-ts.js'), fileURLToPath(import.meta.url), 'client', endpoint, functionName, String(ROUND_MS)],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`client exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as RoundResult);
    });
  });
}

// ---------------------------------------------------------------- targets

interface Target {
  label: string;
  endpoint: string;
  functionName: string;
  close(): Promise<void>;
}

/** (a) The floor: reads the body, answers what Lambda answers for a `null` result. */
async function bareTarget(): Promise<Target> {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': 4,
        'x-amzn-requestid': randomUUID(),
        'x-amz-executed-version': '$LATEST',
      });
      res.end('null');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    label: 'bare http server (floor)',
    endpoint: `http://127.0.0.1:${port}`,
    functionName: 'noop',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function apiTarget(label: string, host: FunctionHost, functionName: string, onClose: () => Promise<void>): Promise<Target> {
  const invoker = new LambdaInvoker({ host, queue: undefined, region: 'us-east-1', accountId: '000000000000' });
  const api = createLambdaApi({ invoker, runtime: host, region: 'us-east-1', accountId: '000000000000' });
  const listener: Listener = await listen({
    port: 0,
    host: '127.0.0.1',
    handler: (req, res) => {
      if (api.matches(req)) api.handle(req, res);
      else {
        res.writeHead(404);
        res.end();
      }
    },
  });
  return {
    label,
    endpoint: `http://127.0.0.1:${listener.port}`,
    functionName,
    async close() {
      await listener.close();
      await onClose();
    },
  };
}

function noopConfig(): FunctionConfig {
  return {
    key: 'noop',
    name: 'bench-dev-noop',
    handler: 'handler.handler',
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
  };
}

/** A host with one function that answers `null` at once, without running anything. */
function nullHost(config: FunctionConfig): FunctionHost {
  const nullPayload = Buffer.from('null');
  return {
    async resolve(name) {
      if (name === config.key || name === config.name) return config;
      throw { name: 'ResourceNotFoundException', statusCode: 404, message: name };
    },
    functions: () => [config],
    onReport: () => () => {},
    async invoke(request: InvokeRequest): Promise<InvokeResult> {
      return { statusCode: 200, payload: nullPayload, functionError: undefined, logResult: undefined, executedVersion: '$LATEST', requestId: request.requestId ?? randomUUID() };
    },
  };
}

/** (b) The API layer alone. */
async function apiOnlyTarget(): Promise<Target> {
  return apiTarget('eddy Invoke API, in-process no-op host', nullHost(noopConfig()), 'noop', async () => {});
}

/** (c) The thread hop alone: each invocation is one task on a raw piscina pool (one thread), as eddy's runtime uses. */
async function piscinaHopTarget(): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-bench-'));
  await writeFile(path.join(dir, 'null-worker.mjs'), 'export default (task) => (JSON.parse(task.payload), "null");\n');
  const pool = new Piscina<{ payload: string }, string>({
    filename: path.join(dir, 'null-worker.mjs'),
    minThreads: 1,
    maxThreads: 1,
    concurrentTasksPerWorker: 1,
    execArgv: [],
    recordTiming: false,
  });
  const config = noopConfig();
  const host: FunctionHost = {
    ...nullHost(config),
    async invoke(request: InvokeRequest): Promise<InvokeResult> {
      const payload = Buffer.from(await pool.run({ payload: payloadText(request.payload) }));
      return { statusCode: 200, payload, functionError: undefined, logResult: undefined, executedVersion: '$LATEST', requestId: request.requestId ?? randomUUID() };
    },
  };
  return apiTarget('eddy Invoke API, raw piscina no-op task', host, 'noop', async () => {
    await pool.destroy();
    await rm(dir, { recursive: true, force: true });
  });
}

/** (d) The whole path: the FunctionRuntime with a no-op handler in a worker thread. */
async function runtimeTarget(): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-bench-'));
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
  await writeFile(path.join(dir, 'noop.mjs'), 'export const handler = async () => null;\n');
  const fn: FunctionConfig = { ...noopConfig(), handler: 'noop.handler' };
  const config: ServiceConfig = {
    dir,
    service: 'bench',
    stage: 'dev',
    region: 'us-east-1',
    functions: { noop: fn },
    streams: [],
    esbuild: {},
    eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined },
    notices: [],
  };
  const runtime = await FunctionRuntime.create({ config, endpoint: 'http://127.0.0.1:1', eager: true });
  return apiTarget('eddy Invoke API, no-op handler in a worker', runtime, 'noop', async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });
}

// ---------------------------------------------------------------- main

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const targets: Target[] = [await bareTarget(), await apiOnlyTarget(), await piscinaHopTarget(), await runtimeTarget()];
  const results = new Map<Target, RoundResult[]>(targets.map((t) => [t, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const before = process.cpuUsage();
        const r = await runClient(t.endpoint, t.functionName);
        const cpu = process.cpuUsage(before);
        r.serverCpuUs = (cpu.user + cpu.system) / r.count;
        results.get(t)!.push(r);
      }
    }
  } finally {
    for (const t of targets) await t.close();
  }
  const floor = median(results.get(targets[0]!)!.map((r) => r.perSecond));
  const floorP50 = median(results.get(targets[0]!)!.map((r) => r.p50));
  console.log(`warm RequestResponse invocations, one at a time, ${ROUNDS} rounds of ${ROUND_MS} ms (medians)`);
  console.log('x floor = inv/s ÷ the floor\'s; p50 ratio = the floor\'s p50 ÷ this p50 (steadier on a busy machine); target: row 4 >= 0.8');
  console.log(
    `${'target'.padEnd(48)} ${'inv/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'x floor'.padStart(8)} ${'p50 ratio'.padStart(10)} ${'srv cpu/inv'.padStart(12)}`,
  );
  for (const t of targets) {
    const rs = results.get(t)!;
    const perSecond = median(rs.map((r) => r.perSecond));
    console.log(
      `${t.label.padEnd(48)} ${perSecond.toFixed(0).padStart(8)} ${median(rs.map((r) => r.p50)).toFixed(3).padStart(8)} ${median(rs.map((r) => r.p99)).toFixed(3).padStart(8)} ${(perSecond / floor).toFixed(2).padStart(8)} ${(floorP50 / median(rs.map((r) => r.p50))).toFixed(2).padStart(10)} ${`${median(rs.map((r) => r.serverCpuUs ?? 0)).toFixed(0)} µs`.padStart(12)}`,
    );
  }
}

if (process.argv[2] === 'client') {
  await client(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
} else {
  await main();
}
