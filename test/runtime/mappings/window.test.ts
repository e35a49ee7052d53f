// Tumbling windows end to end on a virtual clock: state carried across invocations of a window,
// the final invocation once the window has passed, min/max/average computed through state, and the
// early end past 1 MB of state.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import { createStream, engineFor, linesOf, put, spec, startEddyKinesis, startFunctions, startKinesalite, waitFor, type Functions, type Kinesis } from './helpers.ts';

const WINDOW_S = 900;

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;
let clock: VirtualClock;

beforeAll(async () => {
  k = await startKinesalite();
});

// Kinesalite stamps arrivals with the real time: each test's virtual clock starts there and only moves when told.
beforeEach(async () => {
  const root = new MemoryLogRoot();
  clock = new VirtualClock(Date.now());
  fns = await startFunctions(root, clock, { aggregate: 'aggregate', big: 'bigState' });
  engine = await engineFor(k, root, clock, fns);
});

afterEach(async () => {
  await engine?.close();
  await fns?.close();
});

afterAll(async () => {
  await k?.close();
});

interface Line {
  window?: { start: string; end: string };
  records?: number;
  stateIn?: Record<string, number>;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
  shardId?: string;
  result?: { min: number; max: number; average: number; count: number };
  stateKeys?: string[];
}

describe('tumbling windows', () => {
  it('computes min/max/average across several invocations through state, with a final invocation after the window', async () => {
    const [shardId] = await createStream(k, 'window-agg', 1);
    const values = [5, 3, 9, 1, 7, 4, 8, 2, 6, 10];
    await put(k, 'window-agg', values.map((value) => ({ pk: 'k', data: { value } })));
    const mapping = spec('aggregate', 'window-agg', { batchSize: 3, tumblingWindowInSeconds: WINDOW_S });
    await engine.add(mapping);
    await engine.drain({ timeoutMs: 15_000 });
    const before = await linesOf<Line>(fns.out, 'aggregate');
    // Records were delivered in batches of at most 3; state flowed from one invocation to the next.
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.every((l) => l.isFinalInvokeForWindow === false && l.isWindowTerminatedEarly === false)).toBe(true);
    expect(before[0]!.stateIn).toEqual({});
    expect(before[1]!.stateIn).toMatchObject({ count: 3 });
    expect(before.reduce((n, l) => n + l.records!, 0)).toBe(10);
    expect(before[0]!.shardId).toBe(shardId);
    const start = Date.parse(before[0]!.window!.start);
    expect(Date.parse(before[0]!.window!.end) - start).toBe(WINDOW_S * 1000);
    expect(start % (WINDOW_S * 1000)).toBe(0);
    // Nothing is checkpointed while the window is open.
    expect(engine.status().find((s) => s.uuid === mapping.uuid)!.shards[0]!.checkpoint).toBeUndefined();

    // Past the window's end whenever in it the records arrived (their arrival is real time, after the clock's start).
    clock.advance(WINDOW_S * 1000 + 60_000);
    const lines = await waitFor(async () => {
      const l = await linesOf<Line>(fns.out, 'aggregate');
      return l.some((x) => x.result) && l;
    }, 'the final invocation');
    const final = lines.find((l) => l.isFinalInvokeForWindow)!;
    expect(final).toMatchObject({ records: 0, isWindowTerminatedEarly: false, stateIn: { count: 10 } });
    expect(lines.find((l) => l.result)!.result).toEqual({ min: 1, max: 10, average: 5.5, count: 10 });
    await waitFor(() => engine.status().find((s) => s.uuid === mapping.uuid)!.shards[0]!.checkpoint, 'the checkpoint after the window');
  });

  it('ends a window early once its state passes 1 MB', async () => {
    await createStream(k, 'window-big', 1);
    await put(k, 'window-big', [1, 2, 3, 4].map((value) => ({ pk: 'k', data: { value } })));
    await engine.add(spec('big', 'window-big', { batchSize: 2, tumblingWindowInSeconds: WINDOW_S }));
    await engine.drain({ timeoutMs: 15_000 });
    const lines = await linesOf<Line>(fns.out, 'big');
    expect(lines.map((l) => [l.records, l.isFinalInvokeForWindow, l.isWindowTerminatedEarly, l.stateKeys])).toEqual([
      [2, false, false, []],
      [0, true, true, ['blob']],
      [2, false, false, []],
      [0, true, true, ['blob']],
    ]);
  });

  it('a window that ends while its last records are still unread waits for them: one final invocation per window', async () => {
    // eddy's own log on the test's virtual clock, so arrival times and window ends share one clock. The poller
    // is not woken by appends and polls once a minute (real time), so a record put late in the window stays
    // unread when the window ends, behind a read that came back empty before the end.
    const ownClock = new VirtualClock(Date.UTC(2026, 0, 1, 0, 0, 10));
    const own = await startEddyKinesis(ownClock);
    const ownFns = await startFunctions(new MemoryLogRoot(), ownClock, { aggregate: 'aggregate' });
    const ownEngine = await engineFor(own, new MemoryLogRoot(), ownClock, ownFns, { pollIntervalMs: 60_000 });
    try {
      await createStream(own, 'window-late', 1, ownClock);
      await put(own, 'window-late', [{ pk: 'k', data: { value: 1 } }]);
      const mapping = spec('aggregate', 'window-late', { tumblingWindowInSeconds: 60 });
      await ownEngine.add(mapping);
      await ownEngine.drain({ timeoutMs: 15_000 }); // the first record invoked, then an empty read at 0:10
      expect(await linesOf<Line>(ownFns.out, 'aggregate')).toHaveLength(1);
      ownClock.advance(20_000);
      await put(own, 'window-late', [{ pk: 'k', data: { value: 3 } }]); // arrives at 0:30, inside [0:00, 1:00)
      ownClock.advance(60_000);
      const lines = await waitFor(async () => {
        const l = await linesOf<Line>(ownFns.out, 'aggregate');
        return l.some((x) => x.result) && l;
      }, 'the final invocation');
      expect(lines.find((l) => l.result)!.result).toEqual({ min: 1, max: 3, average: 2, count: 2 });
      await ownEngine.drain({ timeoutMs: 15_000 });
      const all = await linesOf<Line>(ownFns.out, 'aggregate');
      expect(all.filter((l) => l.isFinalInvokeForWindow)).toHaveLength(1);
    } finally {
      await ownEngine.close();
      await ownFns.close();
      await own.close();
    }
  });
});
