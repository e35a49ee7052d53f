// What a simulation run means: duration percentiles and concurrency per function, the shard count that would avoid
// throttling, the projected monthly bill, the budget verdict and a point of a --memory sweep.
import { EddyError } from '../../errors.ts';
import type { InvocationReport } from '../../lambda/types.ts';
import { projectMonthlyBill, type MonthlyBill } from '../bill.ts';
import type { PriceTable } from '../prices.ts';
import type { BudgetCheck, CostReport, FunctionStats, StreamStats, SweepPoint } from '../report/model.ts';
import type { LoadGrid, SimulationRun } from './driver.ts';

/** AWS's per-shard write limits (reference §2). */
export const SHARD_RECORDS_PER_SEC = 1000;
export const SHARD_BYTES_PER_SEC = 1024 * 1024;
const MAX_SHARDS_CONSIDERED = 4096;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Most intervals [start, start + duration) open at once. */
export function maxConcurrency(intervals: readonly { startMs: number; durationMs: number }[]): number {
  const points: [number, number][] = [];
  for (const i of intervals) points.push([i.startMs, 1], [i.startMs + i.durationMs, -1]);
  // Ends sort before starts at the same instant: back-to-back invocations are not concurrent.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}

export function functionStats(reports: readonly InvocationReport[], durationScale: number): FunctionStats[] {
  const groups = new Map<string, InvocationReport[]>();
  for (const r of reports) {
    const key = `${r.functionKey}\u0000${r.memorySizeMb}`;
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const durations = g.map((r) => r.durationMs * durationScale).sort((a, b) => a - b);
    return {
      functionKey: g[0]!.functionKey,
      memorySizeMb: g[0]!.memorySizeMb,
      invocations: g.length,
      errors: g.filter((r) => r.errorType !== undefined).length,
      coldStarts: g.filter((r) => r.initDurationMs !== undefined).length,
      p50Ms: percentile(durations, 50),
      p90Ms: percentile(durations, 90),
      p99Ms: percentile(durations, 99),
      maxMs: durations[durations.length - 1] ?? 0,
      maxConcurrency: maxConcurrency(g.map((r) => ({ startMs: r.startedAtMs, durationMs: r.durationMs + (r.initDurationMs ?? 0) }))),
    };
  });
}

interface DenseSecond {
  slices: Uint16Array;
  records: Float64Array;
  bytes: Float64Array;
}

const dense = new WeakMap<Map<number, [number, number]>, DenseSecond>();

function denseOf(second: Map<number, [number, number]>): DenseSecond {
  let d = dense.get(second);
  if (!d) {
    d = { slices: new Uint16Array(second.size), records: new Float64Array(second.size), bytes: new Float64Array(second.size) };
    let i = 0;
    for (const [slice, [records, bytes]] of second) {
      d.slices[i] = slice;
      d.records[i] = records;
      d.bytes[i] = bytes;
      i++;
    }
    dense.set(second, d);
  }
  return d;
}

/** The busiest shard's peak second with `shards` even hash ranges: [records/s, bytes/s]. */
export function hottestShard(load: LoadGrid, shards: number): [number, number] {
  let maxRecords = 0;
  let maxBytes = 0;
  // The slice's midpoint decides its shard (exact when shards divides the slice count).
  const shardOf = new Uint16Array(load.slices);
  for (let slice = 0; slice < load.slices; slice++) shardOf[slice] = Math.min(shards - 1, Math.floor(((slice + 0.5) / load.slices) * shards));
  const records = new Float64Array(shards);
  const bytes = new Float64Array(shards);
  for (const second of load.seconds) {
    if (!second) continue;
    const d = denseOf(second);
    records.fill(0);
    bytes.fill(0);
    for (let i = 0; i < d.slices.length; i++) {
      const shard = shardOf[d.slices[i]!]!;
      records[shard]! += d.records[i]!;
      bytes[shard]! += d.bytes[i]!;
    }
    for (let shard = 0; shard < shards; shard++) {
      if (records[shard]! > maxRecords) maxRecords = records[shard]!;
      if (bytes[shard]! > maxBytes) maxBytes = bytes[shard]!;
    }
  }
  return [maxRecords, maxBytes];
}

function peakSecond(load: LoadGrid): [number, number] {
  let r = 0;
  let b = 0;
  for (const second of load.seconds) {
    if (!second) continue;
    let sr = 0;
    let sb = 0;
    for (const [records, bytes] of second.values()) {
      sr += records;
      sb += bytes;
    }
    r = Math.max(r, sr);
    b = Math.max(b, sb);
  }
  return [r, b];
}

const fits = ([records, bytes]: [number, number]) => records <= SHARD_RECORDS_PER_SEC && bytes <= SHARD_BYTES_PER_SEC;

/**
 * The fewest shards with even hash ranges (as CreateStream and UpdateShardCount make them) for which no shard
 * exceeds 1,000 records/s or 1 MiB/s in any second of the offered load; undefined when a single slice of the key
 * space (in practice one hot partition key) exceeds it alone, which no shard count fixes.
 */
export function recommendShards(load: LoadGrid): { shards: number | undefined; reason: string } {
  const [peakRecords, peakBytes] = peakSecond(load);
  if (peakRecords === 0) return { shards: 1, reason: 'no records were offered: 1 shard.' };
  if (!fits(hottestShard(load, load.slices))) {
    return {
      shards: undefined,
      reason: 'one partition key (or a 1/4096 slice of the key space) alone exceeds a shard\'s 1,000 records/s or 1 MiB/s: no shard count avoids throttling; spread that key.',
    };
  }
  let n = Math.max(1, Math.ceil(peakRecords / SHARD_RECORDS_PER_SEC), Math.ceil(peakBytes / SHARD_BYTES_PER_SEC));
  for (let steps = 0; n < MAX_SHARDS_CONSIDERED; steps++) {
    if (fits(hottestShard(load, n))) break;
    n = steps < 256 ? n + 1 : Math.ceil(n * 1.25);
  }
  n = Math.min(n, MAX_SHARDS_CONSIDERED);
  const skew = n > Math.max(Math.ceil(peakRecords / SHARD_RECORDS_PER_SEC), Math.ceil(peakBytes / SHARD_BYTES_PER_SEC));
  return {
    shards: n,
    reason: `${n} shard${n === 1 ? ' keeps' : 's keep'} every shard under 1 MiB/s and 1,000 records/s at the peak second${skew ? ' (more than the total alone needs: the partition keys are skewed)' : ''}.`,
  };
}

export function streamStats(run: SimulationRun): StreamStats[] {
  return run.streams.map((s) => {
    const [peakRecords, peakBytes] = peakSecond(s.load);
    const [hotRecords, hotBytes] = hottestShard(s.load, Math.max(1, s.openShards));
    const rec = recommendShards(s.load);
    return {
      streamName: s.streamName,
      shards: s.openShards,
      peakRecordsPerSec: peakRecords,
      peakBytesPerSec: peakBytes,
      hottestShardRecordsPerSec: hotRecords,
      hottestShardBytesPerSec: hotBytes,
      throttledEntries: s.throttledEntries,
      recommendedShards: rec.shards,
      recommendation: rec.reason,
    };
  });
}

export function checkBudget(limit: number, bill: MonthlyBill): BudgetCheck {
  return { limit, projected: bill.totals.total, over: bill.totals.total > limit };
}

/** The error a CLI turns into its budget exit code, or undefined within budget. */
export function budgetError(check: BudgetCheck): EddyError | undefined {
  if (!check.over) return undefined;
  return new EddyError(
    'EDDY_ERR_BUDGET_EXCEEDED',
    `The projected monthly cost $${check.projected.toFixed(2)} is over the budget of $${check.limit.toFixed(2)}.`,
  );
}

export interface AnalyseOptions {
  freeTier: boolean;
  budget?: number;
  title?: string;
  hoursPerMonth?: number;
  /** Region to price (default the target's). */
  region?: string;
  /**
   * 'mean' (default): every invocation billed at its own measured duration, as AWS bills.
   * 'p50': every invocation billed at its function's median billed duration.
   * 'mode': every invocation billed at its function's most frequent billed duration (1 ms bins).
   * A busy machine (a shared CI runner) pre-empts the worker threads and lengthens some local durations far beyond
   * what Lambda's dedicated CPU share would see; that noise only adds time and spreads it thinly, so the mode finds
   * the undisturbed duration of a steady handler even when most samples are disturbed, and the median when fewer
   * than half are. Both misjudge handlers whose durations genuinely vary (use 'mean' for those).
   */
  durationStatistic?: DurationStatistic;
  now?: () => Date;
}

export type DurationStatistic = 'mean' | 'p50' | 'mode';

const statisticName: Record<Exclude<DurationStatistic, 'mean'>, string> = { p50: 'median', mode: 'most frequent' };

/** Most frequent value (ties: the smallest). */
export function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount || (c === bestCount && v < best)) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** The usage with each function's invoke time re-billed at one statistic of its billed durations (INIT as measured). */
export function atDurationStatistic(run: SimulationRun, statistic: Exclude<DurationStatistic, 'mean'>): { usage: SimulationRun['usage']; notes: string[] } {
  const notes: string[] = [];
  const functions = run.usage.functions.map((f) => {
    const billedDurations = run.reports
      .filter((r) => r.functionKey === f.functionKey && r.memorySizeMb === f.memorySizeMb && r.architecture === f.architecture)
      .map((r) => Math.max(1, Math.ceil(r.durationMs * run.durationScale)))
      .sort((a, b) => a - b);
    if (billedDurations.length === 0 || f.requests === 0) return f;
    const billed = statistic === 'p50' ? percentile(billedDurations, 50) : mode(billedDurations);
    notes.push(`${f.functionKey} (${f.memorySizeMb} MB): every invocation billed at its ${statisticName[statistic]} billed duration, ${billed} ms (--duration-statistic ${statistic}).`);
    const gbSecondsPerBilledMs = f.memorySizeMb / 1024 / 1000;
    return { ...f, billedMs: billed * f.requests, gbSeconds: billed * f.requests * gbSecondsPerBilledMs };
  });
  return { usage: { ...run.usage, functions }, notes };
}

/** The report of one run: simulation summary, bill (INIT counted once: a short run's cold starts are warm-up). */
export function analyse(run: SimulationRun, prices: PriceTable, options: AnalyseOptions): CostReport {
  const restated = options.durationStatistic && options.durationStatistic !== 'mean' ? atDurationStatistic(run, options.durationStatistic) : undefined;
  const bill = projectMonthlyBill(restated?.usage ?? run.usage, prices, {
    freeTier: options.freeTier,
    initExtrapolation: 'once',
    ...(options.hoursPerMonth !== undefined ? { hoursPerMonth: options.hoursPerMonth } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
  });
  if (restated) bill.notes.unshift(...restated.notes);
  const seconds = run.durationMs / 1000;
  const accepted = run.streams.reduce((a, s) => a + s.accepted, 0);
  const report: CostReport = {
    title: options.title ?? `eddy simulate: ${run.workload.name}`,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    bill,
    simulation: {
      workload: run.workload.name,
      speed: run.speed,
      durationScale: run.durationScale,
      durationMs: run.durationMs,
      elapsedMs: run.elapsedRealMs,
      offeredRecords: run.streams.reduce((a, s) => a + s.offered, 0),
      acceptedRecords: accepted,
      throttledEntries: run.streams.reduce((a, s) => a + s.throttledEntries, 0),
      droppedRecords: run.streams.reduce((a, s) => a + s.dropped, 0),
      avgRecordsPerSec: accepted / seconds,
      avgBytesPerSec: run.streams.reduce((a, s) => a + s.bytesAccepted, 0) / seconds,
      maxIteratorAgeMs: Math.max(0, ...run.samples.map((s) => s.iteratorAgeMs)),
      streams: streamStats(run),
      functions: functionStats(run.reports, run.durationScale),
      samples: run.samples,
    },
  };
  if (options.budget !== undefined) report.budget = checkBudget(options.budget, bill);
  return report;
}

/** One point of a --memory sweep, from the report of the run at that memory size. */
export function sweepPoint(memorySizeMb: number, report: CostReport): SweepPoint {
  const fns = report.simulation?.functions ?? [];
  const invocations = fns.reduce((a, f) => a + f.invocations, 0);
  const bill = report.bill;
  const avg = bill.functions.reduce((a, f) => a + f.avgBilledMs * f.requests, 0) / Math.max(1, bill.functions.reduce((a, f) => a + f.requests, 0));
  return {
    memorySizeMb,
    avgDurationMs: avg,
    p90DurationMs: invocations > 0 ? Math.max(...fns.map((f) => f.p90Ms)) : 0,
    lambdaMonthly: bill.totals.lambda,
    totalMonthly: bill.totals.total,
  };
}
