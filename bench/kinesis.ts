// Kinesis data-plane throughput: PutRecords (500 x 100 B records, 8 requests in flight, the SDK over h2c)
// then GetRecords (Limit 10000), for (a) eddy's KinesisService on a disk root with default durability,
// (b) a bare h2c server that only parses the JSON and answers a canned reply (the ceiling: the SDK client
// is the limit there) and (c) kinesalite 3.3.3 in memory over HTTP/1.1. The client runs in its own process
// (bench/_kinesis-client.ts); each target runs a few rounds and the medians are printed with the ratios.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kinesalite from 'kinesalite';
import { systemClock } from '../runtime/clock.ts';
import { openDiskRoot } from '../runtime/log/disk-root.ts';
import { listen } from '../runtime/server/listener.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INFLIGHT = 8;

interface Result {
  put: number[];
  get: number[];
  /** Server CPU (user + system, this process) per record in each measured round, in µs. */
  putCpu: number[];
  getCpu: number[];
}

function runClient(endpoint: string, transport: 'h2' | 'h1', stream: string, setup: boolean): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(here, '..', 'bin', 'run-ts.js'),
        path.join(here, '_kinesis-client.ts'),
        endpoint,
        transport,
        stream,
        String(ROUND_MS),
        String(ROUNDS),
        String(INFLIGHT),
        setup ? 'setup' : 'nosetup',
      ],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    // The server runs in this process: its CPU time over a round, per record, is robust to a busy machine.
    const cpu: { put: number[]; get: number[] } = { put: [], get: [] };
    let startCpu = process.cpuUsage();
    child.on('message', (m: { phase: 'put' | 'get'; at: 'start' | 'end'; records?: number }) => {
      if (m.at === 'start') startCpu = process.cpuUsage();
      else {
        const d = process.cpuUsage(startCpu);
        cpu[m.phase].push((d.user + d.system) / Math.max(1, m.records ?? 1));
      }
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`client exited with ${code}`));
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as { put: number[]; get: number[] };
      resolve({ ...r, putCpu: cpu.put, getCpu: cpu.get });
    });
  });
}

async function benchEddy(): Promise<Result> {
  const { KinesisService } = await import('../runtime/kinesis/service.ts');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-bench-'));
  const root = await openDiskRoot(dir, { fsync: false });
  const kinesis = await KinesisService.open({
    root,
    clock: systemClock,
    region: 'us-east-1',
    accountId: '000000000000',
    enforceLimits: false,
    statusDelayMs: 0,
  });
  const listener = await listen({ port: 0, host: '127.0.0.1', handler: (req, res) => kinesis.handle(req, res) });
  try {
    return await runClient(`http://127.0.0.1:${listener.port}`, 'h2', 'bench', true);
  } finally {
    await listener.close();
    await kinesis.close();
    await root.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The ceiling: parses each request's JSON and answers a reply of the right shape, nothing else. */
async function benchBare(): Promise<Result> {
  const seq = '49' + '1'.repeat(54);
  const putReply = JSON.stringify({
    FailedRecordCount: 0,
    Records: Array.from({ length: 500 }, () => ({ SequenceNumber: seq, ShardId: 'shardId-000000000000' })),
  });
  const data = Buffer.from(new Uint8Array(100).map((_, i) => (i * 7 + 3) & 0xff)).toString('base64');
  const getReply = JSON.stringify({
    Records: Array.from({ length: 10_000 }, () => ({
      SequenceNumber: seq,
      ApproximateArrivalTimestamp: Date.now() / 1000,
      Data: data,
      PartitionKey: 'pk-1',
    })),
    NextShardIterator: 'AAAA',
    MillisBehindLatest: 0,
  });
  const server = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const op = String(req.headers['x-amz-target']).split('.')[1];
      const body = op === 'PutRecords' ? putReply : op === 'GetRecords' ? getReply : op === 'GetShardIterator' ? '{"ShardIterator":"AAAA"}' : '{}';
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await runClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'h2', 'bench', false);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

async function benchKinesalite(): Promise<Result> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await runClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'h1', 'bench', true);
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9);

const which = process.argv.slice(2);
const targets: Array<[string, () => Promise<Result>]> = [
  ['eddy (disk, default durability, h2c)', benchEddy],
  ['bare h2c server (ceiling)', benchBare],
  ['kinesalite 3.3.3 (memory, HTTP/1.1)', benchKinesalite],
];
const results = new Map<string, { put: number; get: number; putCpu: number; getCpu: number }>();
for (const [name, run] of targets) {
  if (which.length > 0 && !which.some((w) => name.startsWith(w))) continue;
  let r: Result;
  try {
    r = await run();
  } catch (err) {
    console.log(`${name.padEnd(40)} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    continue;
  }
  const m = { put: median(r.put), get: median(r.get), putCpu: median(r.putCpu), getCpu: median(r.getCpu) };
  results.set(name, m);
  console.log(
    `${name.padEnd(40)} put ${fmt(m.put)} records/s  get ${fmt(m.get)} records/s   ` +
      `server CPU/record: put ${m.putCpu.toFixed(2)} µs, get ${m.getCpu.toFixed(2)} µs`,
  );
  console.log(`${''.padEnd(40)} (rounds: put ${r.put.map(Math.round).join(', ')}; get ${r.get.map(Math.round).join(', ')})`);
}
const eddy = results.get(targets[0]![0]);
const bare = results.get(targets[1]![0]);
const kl = results.get(targets[2]![0]);
if (eddy && bare) {
  console.log(`eddy / ceiling:    put ${(eddy.put / bare.put).toFixed(2)} (target >= 0.6)  get ${(eddy.get / bare.get).toFixed(2)} (target >= 0.6)`);
  console.log(`server CPU per record, eddy / ceiling: put ${(eddy.putCpu / bare.putCpu).toFixed(2)}x  get ${(eddy.getCpu / bare.getCpu).toFixed(2)}x`);
}
if (eddy && kl) {
  console.log(`eddy / kinesalite: put ${(eddy.put / kl.put).toFixed(2)} (target >= 5)    get ${(eddy.get / kl.get).toFixed(2)}`);
}
