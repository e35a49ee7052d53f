import { describe, expect, it } from 'vitest';
import { budgetError, checkBudget, functionStats, hottestShard, maxConcurrency, percentile, recommendShards } from '../../../../runtime/cost/simulate/analysis.ts';
import { hashSlice, type LoadGrid } from '../../../../runtime/cost/simulate/driver.ts';
import { parseBudget, parseDurationScale, parseMemoryList, parseSpeed } from '../../../../runtime/cost/simulate/options.ts';
import { hasErrorCode } from '../../../../runtime/errors.ts';
import type { InvocationReport } from '../../../../runtime/lambda/types.ts';
import type { MonthlyBill } from '../../../../runtime/cost/bill.ts';

function grid(seconds: number, perSecond: (s: number) => [key: string, records: number, bytesEach: number][]): LoadGrid {
  const load: LoadGrid = { slices: 4096, seconds: [] };
  for (let s = 0; s < seconds; s++) {
    const m = new Map<number, [number, number]>();
    for (const [key, records, bytes] of perSecond(s)) {
      const slice = hashSlice(key);
      const cell = m.get(slice) ?? [0, 0];
      cell[0] += records;
      cell[1] += records * (bytes + key.length);
      m.set(slice, cell);
    }
    load.seconds[s] = m;
  }
  return load;
}

const uniformKeys = (n: number, total: number, bytes: number): [string, number, number][] =>
  Array.from({ length: n }, (_, i) => [`key-${i}`, total / n, bytes]);

describe('shard recommendation', () => {
  it('needs 1 shard per 1,000 records/s of evenly spread keys, plus headroom for hashing unevenness', () => {
    const load = grid(5, () => uniformKeys(10_000, 3000, 10));
    const { shards, reason } = recommendShards(load);
    expect(shards).toBeGreaterThanOrEqual(3);
    expect(shards).toBeLessThanOrEqual(4);
    const [records] = hottestShard(load, shards!);
    expect(records).toBeLessThanOrEqual(1000);
    expect(hottestShard(load, shards! - 1)[0]).toBeGreaterThan(1000);
    expect(reason).toMatch(/^\d shards keep every shard under 1 MiB\/s and 1,000 records\/s at the peak second/);
  });

  it('counts bytes against 1 MiB/s (partition keys included)', () => {
    // 100 records/s of 50 KiB = 5,000 KiB/s: at least 5 shards by bytes although the record rate fits one.
    const load = grid(2, () => uniformKeys(2000, 100, 50 * 1024));
    expect(recommendShards(load).shards).toBeGreaterThanOrEqual(5);
  });

  it('uses the peak second, not the average', () => {
    const load = grid(10, (s) => uniformKeys(5000, s === 7 ? 2500 : 100, 10));
    expect(recommendShards(load).shards).toBeGreaterThanOrEqual(3);
  });

  it('finds no shard count when one hot key alone exceeds a shard', () => {
    const load = grid(3, () => [['hot', 1500, 10], ...uniformKeys(100, 100, 10)]);
    const rec = recommendShards(load);
    expect(rec.shards).toBeUndefined();
    expect(rec.reason).toMatch(/no shard count avoids throttling; spread that key/);
  });

  it('says when skew needs more shards than the total does', () => {
    const load = grid(3, () => [['tenant-a', 900, 10], ['tenant-b', 900, 10], ...uniformKeys(50, 100, 10)]);
    const rec = recommendShards(load);
    expect(rec.shards).toBeGreaterThanOrEqual(2);
    const [records] = hottestShard(load, rec.shards!);
    expect(records).toBeLessThanOrEqual(1000);
  });

  it('recommends 1 shard for an empty run', () => {
    expect(recommendShards({ slices: 4096, seconds: [] }).shards).toBe(1);
  });
});

describe('function statistics', () => {
  const report = (i: number, over: Partial<InvocationReport> = {}): InvocationReport => ({
    functionKey: 'f',
    functionName: 'svc-f',
    requestId: String(i),
    source: 'mapping:x',
    startedAtMs: i * 10,
    durationMs: i + 1,
    billedDurationMs: i + 1,
    initDurationMs: undefined,
    memorySizeMb: 128,
    maxMemoryUsedMb: 1,
    architecture: 'x86_64',
    errorType: undefined,
    ...over,
  });

  it('percentiles by nearest rank, scaled', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([], 50)).toBe(0);
    const reports = Array.from({ length: 100 }, (_, i) => report(i, { errorType: i === 3 ? 'Error' : undefined, initDurationMs: i === 0 ? 100 : undefined }));
    const [s] = functionStats(reports, 2);
    expect(s).toMatchObject({ functionKey: 'f', invocations: 100, errors: 1, coldStarts: 1, p50Ms: 100, p90Ms: 180, p99Ms: 198, maxMs: 200 });
  });

  it('concurrency counts overlapping invocations, not back-to-back ones', () => {
    expect(maxConcurrency([{ startMs: 0, durationMs: 10 }, { startMs: 10, durationMs: 10 }])).toBe(1);
    expect(maxConcurrency([{ startMs: 0, durationMs: 10 }, { startMs: 5, durationMs: 10 }, { startMs: 6, durationMs: 1 }])).toBe(3);
    expect(maxConcurrency([])).toBe(0);
  });
});

describe('budget', () => {
  const bill = { totals: { lambda: 1, kinesis: 9, total: 10 } } as MonthlyBill;
  it('passes at or under the limit and fails over it with EDDY_ERR_BUDGET_EXCEEDED', () => {
    expect(checkBudget(10, bill)).toEqual({ limit: 10, projected: 10, over: false });
    expect(budgetError(checkBudget(10, bill))).toBeUndefined();
    const over = checkBudget(9.99, bill);
    expect(over.over).toBe(true);
    const err = budgetError(over)!;
    expect(hasErrorCode(err, 'EDDY_ERR_BUDGET_EXCEEDED')).toBe(true);
    expect(err.message).toBe('The projected monthly cost $10.00 is over the budget of $9.99.');
  });
});

describe('simulate options', () => {
  it('parses --memory, --speed, --duration-scale, --budget and rejects bad values by flag', () => {
    expect(parseMemoryList('128, 256,1024')).toEqual([128, 256, 1024]);
    expect(parseSpeed('10')).toBe(10);
    expect(parseDurationScale('1.3')).toBe(1.3);
    expect(parseBudget('$99.50')).toBe(99.5);
    const bad: [() => unknown, string][] = [
      [() => parseMemoryList('64'), '--memory: must be a comma-separated list of whole MB from 128 to 10240, got "64"'],
      [() => parseMemoryList('128,,256'), '--memory: must be a comma-separated list of whole MB from 128 to 10240, got "128,,256"'],
      [() => parseMemoryList('128,128'), '--memory: must not repeat a size, got "128,128"'],
      [() => parseSpeed('0'), '--speed: must be a number above 0 and at most 1000, got "0"'],
      [() => parseDurationScale('x'), '--duration-scale: must be a number above 0 and at most 1000, got "x"'],
      [() => parseBudget('-1'), '--budget: must be an amount of dollars such as 100 or 99.50, got "-1"'],
    ];
    for (const [fn, message] of bad) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(hasErrorCode(err, 'EDDY_ERR_OPTION_INVALID')).toBe(true);
      expect((err as Error).message).toBe(message);
    }
  });
});

describe('progress bar', () => {
  it('shows the share done and the current rates', async () => {
    const { renderProgress } = await import('../../../../runtime/cost/simulate/progress.ts');
    expect(renderProgress({ simulatedMs: 15_000, durationMs: 60_000, accepted: 10, throttled: 1234, recordsPerSec: 999.6, iteratorAgeMs: 12.4 }, 10)).toBe(
      '[###.......]  25%  15/60 s  1,000 rec/s  throttled 1,234  iterator age 12 ms',
    );
  });
});

describe('--duration-statistic', () => {
  it('re-bills each function at its median or most frequent billed duration, keeping INIT', async () => {
    const { atDurationStatistic, mode } = await import('../../../../runtime/cost/simulate/analysis.ts');
    const { parseDurationStatistic } = await import('../../../../runtime/cost/simulate/options.ts');
    // Pre-empted samples spread thinly above the undisturbed 20.1 ms.
    const durations = [20.1, 20.2, 20.3, 22.5, 23.5, 24.5, 95, 130];
    const reports: InvocationReport[] = durations.map((d, i) => ({
      functionKey: 'f', functionName: 'svc-f', requestId: String(i), source: 'mapping:x', startedAtMs: i, durationMs: d, billedDurationMs: Math.ceil(d),
      initDurationMs: undefined, memorySizeMb: 2048, maxMemoryUsedMb: 1, architecture: 'x86_64', errorType: undefined,
    }));
    const fn = { functionKey: 'f', functionName: 'svc-f', architecture: 'x86_64' as const, memorySizeMb: 2048, requests: 8, errors: 0, coldStarts: 0, durationMs: 0, maxDurationMs: 130, billedMs: 0, initBilledMs: 7, gbSeconds: 0, initGbSeconds: 0.014, bySource: {} };
    const run = { reports, durationScale: 1, usage: { functions: [fn] } } as unknown as Parameters<typeof atDurationStatistic>[0];
    const p50 = atDurationStatistic(run, 'p50');
    expect(p50.usage.functions[0]).toMatchObject({ billedMs: 8 * 23, initGbSeconds: 0.014 });
    expect(p50.notes).toEqual(['f (2048 MB): every invocation billed at its median billed duration, 23 ms (--duration-statistic p50).']);
    const m = atDurationStatistic(run, 'mode');
    expect(m.usage.functions[0]!.gbSeconds).toBeCloseTo((8 * 21 * 2) / 1000, 12);
    expect(m.notes).toEqual(['f (2048 MB): every invocation billed at its most frequent billed duration, 21 ms (--duration-statistic mode).']);
    expect(mode([3, 1, 3, 1, 2])).toBe(1);
    expect(mode([])).toBe(0);
    expect(parseDurationStatistic('mode')).toBe('mode');
    expect(() => parseDurationStatistic('p90')).toThrow('--duration-statistic: must be mean, p50 or mode, got "p90"');
  });
});
