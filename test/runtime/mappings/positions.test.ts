// Starting positions (TRIM_HORIZON, LATEST, AT_TIMESTAMP) and the batching window
// (MaximumBatchingWindowInSeconds) on a virtual clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, VirtualClock, type Clock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import type { ShardStatus } from '../../../runtime/mappings/types.ts';
import { createStream, engineFor, linesOf, put, spec, startFunctions, startKinesalite, waitFor, type Functions, type Kinesis, type Seen } from './helpers.ts';

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;
const root = new MemoryLogRoot();

beforeAll(async () => {
  k = await startKinesalite();
  fns = await startFunctions(root, systemClock, { latest: 'record', atTime: 'record' });
  engine = await engineFor(k, root, systemClock, fns);
});

afterAll(async () => {
  await engine?.close();
  await fns?.close();
  await k?.close();
});

const ids = async (key: string): Promise<number[]> => (await linesOf<Seen>(fns.out, key)).flatMap((l) => l.records.map((r) => r.data['i'] as number));

describe('starting positions', () => {
  it('LATEST delivers only records put after the mapping started', async () => {
    await createStream(k, 'latest', 2);
    await put(k, 'latest', [0, 1, 2, 3].map((i) => ({ pk: `k${i}`, data: { i } })));
    await engine.add(spec('latest', 'latest', { startingPosition: 'LATEST' }));
    await engine.drain({ timeoutMs: 10_000 });
    await put(k, 'latest', [4, 5, 6, 7].map((i) => ({ pk: `k${i}`, data: { i } })));
    await engine.drain({ timeoutMs: 10_000 });
    expect((await ids('latest')).sort()).toEqual([4, 5, 6, 7]);
  });

  it('AT_TIMESTAMP delivers records that arrived at or after the timestamp', async () => {
    await createStream(k, 'at-time', 1);
    await put(k, 'at-time', [0, 1, 2].map((i) => ({ pk: 'k', data: { i } })));
    // A moment strictly after the first puts arrived, and before the next ones.
    const after = Date.now() + 2;
    await waitFor(() => Date.now() > after, 'the clock to pass the timestamp');
    await put(k, 'at-time', [3, 4].map((i) => ({ pk: 'k', data: { i } })));
    await engine.add(spec('atTime', 'at-time', { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: after / 1000 }));
    await engine.drain({ timeoutMs: 10_000 });
    expect(await ids('atTime')).toEqual([3, 4]);
  });
});

describe('batching window', () => {
  it('waits MaximumBatchingWindowInSeconds for more records unless the batch is full', async () => {
    const clock = new VirtualClock(Date.now());
    // The engine's clock, seen through a wrapper that notes when the mapping arms a timer (the lane's
    // batching window), so the test knows when the lane has decided to wait.
    const armed: number[] = [];
    const engineClock: Clock = {
      now: () => clock.now(),
      setTimer: (fn, ms) => {
        armed.push(clock.now() + ms);
        return clock.setTimer(fn, ms);
      },
    };
    const fns2 = await startFunctions(root, clock, { windowed: 'record' });
    const engine2 = await engineFor(k, root, engineClock, fns2);
    try {
      await createStream(k, 'batch-window', 1);
      const mapping = spec('windowed', 'batch-window', { batchSize: 10, batchWindow: 5 });
      await engine2.add(mapping);
      const t0 = clock.now();
      await put(k, 'batch-window', [0, 1, 2].map((i) => ({ pk: 'k', data: { i } })));
      const shard = (): ShardStatus | undefined => engine2.status().find((s) => s.uuid === mapping.uuid)?.shards[0];
      await waitFor(() => shard()?.recordsPending === 3 && armed.includes(t0 + 5_000), 'the records read and the window armed');
      expect(shard()).toMatchObject({ invocations: 0, batchesInFlight: 0, recordsPending: 3 });
      clock.advance(4_999);
      expect(shard()).toMatchObject({ invocations: 0, batchesInFlight: 0, recordsPending: 3 });
      expect(await linesOf(fns2.out, 'windowed')).toEqual([]);
      clock.advance(1);
      await waitFor(async () => (await linesOf(fns2.out, 'windowed')).length === 1, 'the batch after the window');
      expect(shard()).toMatchObject({ invocations: 1 });
      // A full batch does not wait for the window.
      await put(k, 'batch-window', Array.from({ length: 10 }, (_, i) => ({ pk: 'k', data: { i: 3 + i } })));
      await waitFor(async () => (await linesOf(fns2.out, 'windowed')).length === 2, 'the full batch');
      const lines = await linesOf<Seen>(fns2.out, 'windowed');
      expect(lines.map((l) => l.records.map((r) => r.data['i']))).toEqual([[0, 1, 2], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]);
    } finally {
      await engine2.close();
      await fns2.close();
    }
  });
});
