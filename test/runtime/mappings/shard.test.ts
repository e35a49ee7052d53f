// The shard reader's wake-ups on eddy's own log: an append that lands while a GetRecords is in flight
// must not be lost, or the shard would sit until the 1 s fallback poll. Timers are faked, so the
// fallback never fires here: only a kept wake makes the reader read again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import { CheckpointStore } from '../../../runtime/mappings/checkpoints.ts';
import type { MappingContext } from '../../../runtime/mappings/context.ts';
import { compileFilters } from '../../../runtime/mappings/filter.ts';
import { ShardProcessor } from '../../../runtime/mappings/shard.ts';
import type { FetchResult, KinesisSource } from '../../../runtime/mappings/source.ts';
import { spec } from './helpers.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** A source whose GetRecords calls the test answers one by one. */
function heldSource(): { source: KinesisSource; fetches: Array<(result: FetchResult) => void> } {
  const fetches: Array<(result: FetchResult) => void> = [];
  const source = {
    iterator: async () => 'iterator',
    fetch: () => new Promise<FetchResult>((resolve) => fetches.push(resolve)),
  } as unknown as KinesisSource;
  return { source, fetches };
}

function context(source: KinesisSource): MappingContext {
  const s = spec('noop', 'wake');
  return {
    spec: s,
    streamName: 'wake',
    awsRegion: 'us-east-1',
    filter: compileFilters([]),
    invoker: { invoke: () => Promise.reject(new Error('no records expected')), onReport: () => () => {} },
    clock: systemClock,
    source,
    checkpoints: new CheckpointStore(new MemoryLogRoot(), s.uuid, undefined),
    pollIntervalMs: undefined,
    retentionMs: undefined,
    readRetention: async () => {},
    drainEpoch: () => 0,
    sendToDestination: async () => {},
    setLastResult: () => {},
    warn: () => {},
    eventContext: (shardId) => ({ shardId, eventSourceArn: s.eventSourceArn, awsRegion: 'us-east-1', invokeIdentityArn: s.roleArn }),
  };
}

const EMPTY: FetchResult = { records: [], nextIterator: 'iterator', millisBehindLatest: 0 };

describe('ShardProcessor wake-ups', () => {
  it('reads again at once when woken during a GetRecords that came back empty', async () => {
    vi.useFakeTimers();
    const { source, fetches } = heldSource();
    const shard = new ShardProcessor(context(source), 'shardId-000000000000', { type: 'TRIM_HORIZON' }, () => {});
    void shard.start();
    await vi.waitFor(() => expect(fetches).toHaveLength(1));
    shard.wake(); // an append while the first GetRecords is in flight
    fetches[0]!(EMPTY);
    await vi.waitFor(() => expect(fetches).toHaveLength(2));
    // Not woken during the second one: the reader now waits for the next wake.
    fetches[1]!(EMPTY);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetches).toHaveLength(2);
    shard.wake();
    await vi.waitFor(() => expect(fetches).toHaveLength(3));
    // Stopping during a GetRecords does not wait for the fallback poll either.
    const stopped = shard.stop();
    fetches[2]!(EMPTY);
    await stopped;
  });
});
