// The client side of bench/kinesis.ts, in its own process as users run it: the unmodified SDK drives
// PutRecords (500 x 100 B, N requests in flight) then GetRecords against one endpoint, for a few rounds,
// and prints one JSON line {put: [records/s per round], get: [...]}.
// Usage: run-ts.js bench/_kinesis-client.ts <endpoint> <h2|h1> <stream> <roundMs> <rounds> <inflight> <setup|nosetup>
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const [endpoint, transport, streamName, roundMsArg, roundsArg, inflightArg, setup] = process.argv.slice(2);
const roundMs = Number(roundMsArg);
const rounds = Number(roundsArg);
const inflight = Number(inflightArg);
const SHARDS = 4;

const client = new KinesisClient({
  endpoint: endpoint!,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
  ...(transport === 'h1' ? { requestHandler: new NodeHttpHandler() } : {}),
});

const data = new Uint8Array(100).map((_, i) => (i * 7 + 3) & 0xff);
let keyCounter = 0;
function batch(): { PartitionKey: string; Data: Uint8Array }[] {
  const out = new Array(500);
  for (let i = 0; i < 500; i++) out[i] = { PartitionKey: `pk-${keyCounter++ % 10007}`, Data: data };
  return out;
}

/** Records moved by the last round (for the parent's CPU per record). */
let roundRecords = 0;

async function putRound(ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let records = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (performance.now() < deadline) {
        const res = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: batch() }));
        if (res.FailedRecordCount) throw new Error(`${res.FailedRecordCount} records failed`);
        records += 500;
      }
    }),
  );
  roundRecords = records;
  return records / ((performance.now() - start) / 1000);
}

async function getRound(ms: number, shardIds: string[]): Promise<number> {
  const deadline = performance.now() + ms;
  let records = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async (_, w) => {
      const shardId = shardIds[w % shardIds.length]!;
      while (performance.now() < deadline) {
        let it = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })))
          .ShardIterator;
        while (it && performance.now() < deadline) {
          const res = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
          const n = res.Records?.length ?? 0;
          records += n;
          if (n === 0) break;
          it = res.NextShardIterator;
        }
      }
    }),
  );
  roundRecords = records;
  return records / ((performance.now() - start) / 1000);
}

/** Tells the parent (over IPC, when there is one) when a measured round starts and ends, so it can read its CPU. */
async function measured(phase: 'put' | 'get', round: () => Promise<number>): Promise<number> {
  await tell({ phase, at: 'start' });
  const rate = await round();
  await tell({ phase, at: 'end', rate, records: roundRecords });
  return rate;
}

function tell(msg: Record<string, unknown>): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()));
}

async function main(): Promise<void> {
  let shardIds = Array.from({ length: SHARDS }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
  if (setup === 'setup') {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: SHARDS }));
    for (;;) {
      const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    shardIds = ((await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? []).map((s) => s.ShardId!);
  }
  const phases = (process.env.BENCH_PHASES ?? 'put,get').split(',');
  await putRound(Math.min(1000, roundMs)); // warm-up (JIT, connections); GetRecords needs the data anyway
  const put: number[] = [];
  if (phases.includes('put')) {
    for (let i = 0; i < rounds; i++) put.push(await measured('put', () => putRound(roundMs)));
  }
  const get: number[] = [];
  if (phases.includes('get')) {
    await getRound(Math.min(1000, roundMs), shardIds);
    for (let i = 0; i < rounds; i++) get.push(await measured('get', () => getRound(roundMs, shardIds)));
  }
  process.stdout.write(JSON.stringify({ put, get }) + '\n');
  client.destroy();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
