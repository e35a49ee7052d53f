// The client side of bench/kinesis.ts, in its own process as users run it: the unmodified SDK drives
// PutRecords (500 x 100 B, N requests in flight) or GetRecords against one endpoint, one round per IPC
// command from the parent, answering {rate: records/s, records}.
// Usage: run-ts.js bench/_kinesis-client.ts <endpoint> <h2|h1> <stream> <inflight> <setup|nosetup>
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

const [endpoint, transport, streamName, inflightArg, setup] = process.argv.slice(2);
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

/** What a round answers the parent: its rate, and the records moved (for the parent's CPU per record). */
interface RoundResult {
  rate: number;
  records: number;
}

async function putRound(ms: number): Promise<RoundResult> {
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
  return { rate: records / ((performance.now() - start) / 1000), records };
}

async function getRound(ms: number, shardIds: string[]): Promise<RoundResult> {
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
  return { rate: records / ((performance.now() - start) / 1000), records };
}

/** One command from the parent: run a round of `phase` for `ms`, or finish. */
type Command = { phase: 'put' | 'get'; ms: number } | { phase: 'exit' };

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
  // Warm-up (JIT, connections); GetRecords needs data to read anyway.
  await putRound(1000);
  await getRound(500, shardIds);
  // The parent drives the rounds so it can alternate targets round by round: a busy spell on a shared
  // machine then lands on both sides of a ratio instead of on one target's rounds only.
  process.on('message', (cmd: Command) => {
    if (cmd.phase === 'exit') {
      client.destroy();
      process.disconnect();
      return;
    }
    const round = cmd.phase === 'put' ? putRound(cmd.ms) : getRound(cmd.ms, shardIds);
    round.then(
      (result) => process.send!(result),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.send!({ ready: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
