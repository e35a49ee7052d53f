// What every cost renderer (terminal, JSON, Markdown, HTML) shows: a bill, and optionally a simulation and a sweep.
import type { MonthlyBill } from '../bill.ts';
import type { TimelineBucket } from '../meter.ts';

export interface FunctionStats {
  functionKey: string;
  memorySizeMb: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Most invocations of the function running at once. */
  maxConcurrency: number;
}

export interface StreamStats {
  streamName: string;
  shards: number;
  /** Peak offered load over 1 s windows, whole stream. */
  peakRecordsPerSec: number;
  peakBytesPerSec: number;
  /** Busiest shard's peak over 1 s windows at the current shard count. */
  hottestShardRecordsPerSec: number;
  hottestShardBytesPerSec: number;
  throttledEntries: number;
  /** Fewest shards (even hash ranges) keeping every shard under 1 MiB/s and 1,000 records/s; undefined when none can. */
  recommendedShards: number | undefined;
  recommendation: string;
}

/** One point of a run's timeline (simulated time when compressed). */
export interface Sample {
  atMs: number;
  recordsPerSec: number;
  bytesPerSec: number;
  throttledPerSec: number;
  iteratorAgeMs: number;
}

export interface SimulationSummary {
  workload: string;
  speed: number;
  durationScale: number;
  /** Simulated time the workload covers. */
  durationMs: number;
  /** Real time the run took. */
  elapsedMs: number;
  offeredRecords: number;
  acceptedRecords: number;
  throttledEntries: number;
  droppedRecords: number;
  avgRecordsPerSec: number;
  avgBytesPerSec: number;
  maxIteratorAgeMs: number;
  streams: StreamStats[];
  functions: FunctionStats[];
  samples: Sample[];
}

export interface SweepPoint {
  memorySizeMb: number;
  avgDurationMs: number;
  p90DurationMs: number;
  lambdaMonthly: number;
  totalMonthly: number;
}

export interface BudgetCheck {
  limit: number;
  projected: number;
  over: boolean;
}

export interface CostReport {
  title: string;
  generatedAt: string;
  bill: MonthlyBill;
  /** The metered timeline, when there is no simulation to draw from. */
  timeline?: { bucketMs: number; buckets: TimelineBucket[] };
  simulation?: SimulationSummary;
  sweep?: SweepPoint[];
  budget?: BudgetCheck;
}
