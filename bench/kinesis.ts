// Kinesis data-plane throughput: PutRecords (500 x 100 B records, 8 requests in flight, the SDK over h2c)
// then GetRecords (Limit 10000), for (a) eddy's KinesisService on a disk root with default durability,
// (b) a bare h2c server that only parses the JSON and answers a canned reply (the ceiling: the SDK client
// is the limit there) and (c) kinesalite 3.3.3 in memory over HTTP/1.1. Each target's client runs in its own
// process (bench/_kinesis-client.ts); rounds alternate between targets and the medians are printed with
// the ratios.
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
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const INFLIGHT = 8;
const EDDY = 'eddy (disk, default durability, h2c)';
const CEILING = 'bare h2c server (ceiling)';
const KINESALITE = 'kinesalite 3.3.3 (memory, HTTP/1.1)';

/** A server under test, running in this process, with the client process that drives it. */
interface Target {
  name: string;
  endpoint: string;
  transport: 'h2' | 'h1';
  /** Whether the client creates the stream first (the ceiling has none to create). */
  setup: boolean;
  close(): Promise<void>;
}

/** A client process, warmed up and waiting for commands. */
interface Client {
  round(phase: 'put' | 'get', ms: number): Promise<{ rate: number; records: number }>;
  exit(): Promise<void>;
}

function startClient(t: Target): Promise<Client> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(here, '..', 'bin', 'run-ts.js'), path.join(here, '_kinesis-client.ts'), t.endpoint, t.transport, 'bench', String(INFLIGHT), t.setup ? 'setup' : 'nosetup'],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    let pending: ((m: { rate: number; records: number }) => void) | undefined;
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`client of ${t.name} exited with ${code}`));
    });
    child.on('message', (m: { ready?: true; rate: number; records: number }) => {
      if (m.ready) {
        resolve({
          round: (phase, ms) =>
            new Promise((r) => {
              pending = r;
              child.send({ phase, ms });
            }),
          exit: () => {
            child.send({ phase: 'exit' });
            return exited;
          },
        });
      } else pending?.(m);
    });
  });
}

async function eddyTarget(): Promise<Target> {
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
  return {
    name: EDDY,
    endpoint: `http://127.0.0.1:${listener.port}`,
    transport: 'h2',
    setup: true,
    async close() {
      await listener.close();
      await kinesis.close();
      await root.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The ceiling: parses each request's JSON and answers a reply of the right shape, nothing else. */
async function bareTarget(): Promise<Target> {
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
  return {
    name: CEILING,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    transport: 'h2',
    setup: false,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function kinesaliteTarget(): Promise<Target> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    name: KINESALITE,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    transport: 'h1',
    setup: true,
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9);

const which = process.argv.slice(2);
/** Per target: records/s and server CPU µs per record, one entry per round. */
interface Rounds {
  put: number[];
  get: number[];
  putCpu: number[];
  getCpu: number[];
}

/** Runs the targets side by side, round r of each before round r + 1 of any, one target at a time. */
async function runAlternating(starts: Array<() => Promise<Target>>): Promise<Map<string, Rounds>> {
  const targets: Target[] = [];
  for (const start of starts) targets.push(await start());
  const rounds = new Map(targets.map((t) => [t.name, { put: [], get: [], putCpu: [], getCpu: [] } as Rounds]));
  try {
    const clients = await Promise.all(targets.map(startClient));
    // GetRecords rounds read what the PutRecords rounds wrote, so all the puts come first.
    for (const phase of ['put', 'get'] as const) {
      for (let r = 0; r < ROUNDS; r++) {
        for (const [i, t] of targets.entries()) {
          // The servers run in this process: its CPU time over a round, per record, is robust to a busy machine.
          const cpu0 = process.cpuUsage();
          const { rate, records } = await clients[i]!.round(phase, ROUND_MS);
          const cpu = process.cpuUsage(cpu0);
          const row = rounds.get(t.name)!;
          row[phase].push(rate);
          row[phase === 'put' ? 'putCpu' : 'getCpu'].push((cpu.user + cpu.system) / Math.max(1, records));
        }
      }
    }
    await Promise.all(clients.map((c) => c.exit()));
  } finally {
    for (const t of targets) await t.close();
  }
  return rounds;
}

const chosen = (starts: Array<() => Promise<Target>>, names: string[]): Array<() => Promise<Target>> =>
  which.length === 0 || names.some((n) => which.some((w) => n.startsWith(w))) ? starts : [];
// eddy and the ceiling alternate (their ratio is the close one); kinesalite runs after them, alone, so its
// in-memory records do not sit in the same heap while they are measured.
const rounds = new Map([
  ...(await runAlternating(chosen([eddyTarget, bareTarget], [EDDY, CEILING]))),
  ...(await runAlternating(chosen([kinesaliteTarget], [KINESALITE]))),
]);

for (const [name, r] of rounds) {
  const m = { put: median(r.put), get: median(r.get), putCpu: median(r.putCpu), getCpu: median(r.getCpu) };
  console.log(
    `${name.padEnd(40)} put ${fmt(m.put)} records/s  get ${fmt(m.get)} records/s   ` +
      `server CPU/record: put ${m.putCpu.toFixed(2)} µs, get ${m.getCpu.toFixed(2)} µs`,
  );
  console.log(`${''.padEnd(40)} (rounds: put ${r.put.map(Math.round).join(', ')}; get ${r.get.map(Math.round).join(', ')})`);
}
/** The median over rounds of a's rate / b's rate in the same round (neighbours in time). */
const pairedRatio = (a: number[], b: number[]): number => median(a.map((x, i) => x / b[i]!));
const eddy = rounds.get(EDDY);
const bare = rounds.get(CEILING);
const kl = rounds.get(KINESALITE);
if (eddy && bare) {
  console.log('eddy / ceiling: the median over rounds of the ratio within each round (its rounds alternate)');
  console.log(`eddy / ceiling:    put ${pairedRatio(eddy.put, bare.put).toFixed(2)} (target >= 0.6)  get ${pairedRatio(eddy.get, bare.get).toFixed(2)} (target >= 0.6)`);
  console.log(`server CPU per record, eddy / ceiling: put ${(median(eddy.putCpu) / median(bare.putCpu)).toFixed(2)}x  get ${(median(eddy.getCpu) / median(bare.getCpu)).toFixed(2)}x`);
}
if (eddy && kl) {
  console.log(`eddy / kinesalite: put ${(median(eddy.put) / median(kl.put)).toFixed(2)} (target >= 5)    get ${(median(eddy.get) / median(kl.get)).toFixed(2)}`);
}
