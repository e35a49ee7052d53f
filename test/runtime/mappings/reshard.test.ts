// Reading through a split and a merge made while the mapping consumes: every record once, per-key order,
// and each parent read to its end before any of its children.
import { DescribeStreamSummaryCommand, MergeShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import { createStream, engineFor, startEddyKinesis, linesOf, put, spec, startFunctions, startKinesalite, waitFor, type Functions, type Kinesis, type Seen } from './helpers.ts';

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;

afterEach(async () => {
  await engine?.close();
  await fns?.close();
  await k?.close();
});

async function setup(backend: 'kinesalite' | 'eddy'): Promise<void> {
  const root = new MemoryLogRoot();
  fns = await startFunctions(root, systemClock, { reshard: 'record' });
  if (backend === 'kinesalite') {
    k = await startKinesalite();
    engine = await engineFor(k, root, systemClock, fns);
  } else {
    const own = await startEddyKinesis(systemClock, root);
    k = own;
    engine = await engineFor(own, root, systemClock, fns, { wake: true, pollIntervalMs: undefined as never });
    own.wake(engine);
  }
}

async function active(stream: string): Promise<void> {
  await waitFor(async () => {
    const s = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, 'ACTIVE');
}

describe('resharding while consuming', () => {
  it.each(['kinesalite', 'eddy'] as const)('reads parents to their end before children, through a split and a merge (%s)', async (backend) => {
    await setup(backend);
    const stream = 'reshard';
    const [parent] = await createStream(k, stream, 1);
    const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
    let n = 0;
    const batch = (count: number): Array<{ pk: string; data: { i: number } }> =>
      Array.from({ length: count }, () => ({ pk: keys[n % keys.length]!, data: { i: n++ } }));
    const all = batch(60);
    await put(k, stream, all);
    await engine.add(spec('reshard', stream, { batchSize: 5 }));
    await waitFor(async () => (await linesOf(fns.out, 'reshard')).length > 0, 'the first batch');

    await k.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: parent, NewStartingHashKey: (2n ** 127n).toString() }));
    await active(stream);
    const afterSplit = batch(60);
    const placedSplit = await put(k, stream, afterSplit);
    const children = [...new Set(placedSplit.map((p) => p.shardId))].sort();
    expect(children).toHaveLength(2);
    await k.client.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: children[0], AdjacentShardToMerge: children[1] }));
    await active(stream);
    const afterMerge = batch(60);
    const placedMerge = await put(k, stream, afterMerge);
    const merged = placedMerge[0]!.shardId;
    all.push(...afterSplit, ...afterMerge);

    await engine.drain({ timeoutMs: 20_000 });
    const lines = await linesOf<Seen>(fns.out, 'reshard');
    const seen = lines.flatMap((l, at) => l.records.map((r) => ({ ...r, at, shard: r.eventID.split(':')[0]! })));
    expect(seen.map((r) => r.data['i']).sort((a, b) => (a as number) - (b as number))).toEqual(all.map((r) => r.data.i));
    for (const key of keys) {
      expect(seen.filter((r) => r.pk === key).map((r) => r.data['i'])).toEqual(all.filter((r) => r.pk === key).map((r) => r.data.i));
    }
    const lastOf = (shard: string): number => Math.max(...seen.filter((r) => r.shard === shard).map((r) => r.at));
    const firstOf = (shard: string): number => Math.min(...seen.filter((r) => r.shard === shard).map((r) => r.at));
    for (const child of children) expect(firstOf(child)).toBeGreaterThan(lastOf(parent!));
    expect(firstOf(merged)).toBeGreaterThan(Math.max(lastOf(children[0]!), lastOf(children[1]!)));
    const shards = engine.status()[0]!.shards;
    expect(shards.map((s) => [s.shardId, s.state])).toEqual([
      [parent, 'finished'],
      [children[0], 'finished'],
      [children[1], 'finished'],
      [merged, 'reading'],
    ]);
  });
});
