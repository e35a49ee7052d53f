// Crash safety of the log through the real server: an eddy process ingesting PutRecords is SIGKILLed at
// random moments; after each restart every acknowledged record is readable, in order and byte-identical,
// and no corrupt record ever appears.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { afterEach, expect, it } from 'vitest';
import { startEddy, waitFor, type EddyProcess } from '../helpers/eddy-process.ts';

let eddy: EddyProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await eddy?.kill();
  eddy = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const STREAM = 'crash';
const ROUNDS = 20;

function client(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

/** A payload that proves its own integrity: random bytes followed by their SHA-256. */
function payload(): Buffer {
  const body = randomBytes(16 + Math.floor(Math.random() * 300));
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function intact(data: Uint8Array): boolean {
  const b = Buffer.from(data);
  if (b.length < 32) return false;
  return createHash('sha256').update(b.subarray(0, b.length - 32)).digest().equals(b.subarray(b.length - 32));
}

async function readAll(kinesis: KinesisClient): Promise<Map<string, Array<{ seq: string; data: Buffer }>>> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: STREAM }))).Shards ?? [];
  const out = new Map<string, Array<{ seq: string; data: Buffer }>>();
  for (const shard of shards) {
    const records: Array<{ seq: string; data: Buffer }> = [];
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    for (;;) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator! }));
      for (const r of page.Records ?? []) records.push({ seq: r.SequenceNumber!, data: Buffer.from(r.Data!) });
      iterator = page.NextShardIterator;
      if (!iterator || (page.Records ?? []).length === 0) break;
    }
    out.set(shard.ShardId!, records);
  }
  return out;
}

it(`keeps every acknowledged record across ${ROUNDS} SIGKILLs during PutRecords`, async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-crash-'));
  const args = ['--port', '0', '--data-dir', path.join(dir, 'data'), '--dir', dir, '--no-watch'];
  const acknowledged = new Map<string, { shardId: string; data: Buffer }>();

  eddy = await startEddy(args);
  let kinesis = client(eddy.endpoint);
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
  await waitFor(
    async () =>
      (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }))).StreamDescriptionSummary
        ?.StreamStatus === 'ACTIVE',
  );

  for (let round = 0; round < ROUNDS; round++) {
    const killAfter = 1 + Math.floor(Math.random() * 12);
    let acks = 0;
    let stop = false;
    const writer = async (): Promise<void> => {
      while (!stop) {
        const records = Array.from({ length: 1 + Math.floor(Math.random() * 100) }, (_, i) => ({
          PartitionKey: `k${i % 7}`,
          Data: payload(),
        }));
        let out;
        try {
          out = await kinesis.send(new PutRecordsCommand({ StreamName: STREAM, Records: records }));
        } catch {
          return; // the process died under this request: nothing in it was acknowledged
        }
        out.Records!.forEach((r, i) => {
          if (r.SequenceNumber) acknowledged.set(r.SequenceNumber, { shardId: r.ShardId!, data: records[i]!.Data });
        });
        acks++;
      }
    };
    const writers = [writer(), writer(), writer()];
    await waitFor(() => acks >= killAfter || !eddy!.child.pid, 20_000, 'acknowledged puts');
    await eddy.kill(); // SIGKILL with puts in flight
    stop = true;
    await Promise.all(writers);
    kinesis.destroy();

    eddy = await startEddy(args);
    kinesis = client(eddy.endpoint);
    const shards = await readAll(kinesis);
    const seen = new Map<string, { shardId: string; data: Buffer }>();
    for (const [shardId, records] of shards) {
      let previous = -1n;
      for (const r of records) {
        expect(intact(r.data), `corrupt record ${r.seq} in ${shardId}`).toBe(true);
        expect(BigInt(r.seq) > previous, `sequence numbers rise in ${shardId}`).toBe(true);
        previous = BigInt(r.seq);
        seen.set(r.seq, { shardId, data: r.data });
      }
    }
    for (const [seq, ack] of acknowledged) {
      const found = seen.get(seq);
      expect(found, `acknowledged record ${seq} is readable after round ${round}`).toBeDefined();
      expect(found!.shardId).toBe(ack.shardId);
      expect(found!.data.equals(ack.data)).toBe(true);
    }
  }
  kinesis.destroy();
}, 240_000);
