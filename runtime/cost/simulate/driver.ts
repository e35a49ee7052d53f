// The simulation driver: plays a workload into a target (an Emulator, or anything speaking PutRecords), on the
// target's clock, and records what happened: puts, throttles, iterator age, invocation reports and metered usage.
import { createHash } from 'node:crypto';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { Clock } from '../../clock.ts';
import { EddyError } from '../../errors.ts';
import type { KinesisEvent } from '../../kinesis/types.ts';
import type { InvocationReport } from '../../lambda/types.ts';
import { CostMeter, type CostSnapshot, type StreamShape } from '../meter.ts';
import type { Sample } from '../report/model.ts';
import { WorkloadGenerator, type GeneratedRecord } from './generator.ts';
import type { Workload } from './workload.ts';

/** The outcome of one PutRecords entry, as the response's Records[i] gives it. */
export interface PutEntryResult {
  shardId?: string | undefined;
  errorCode?: string | undefined;
}

/**
 * What a simulation runs against. The Emulator facade implements it; so can a test double or a remote endpoint.
 * Durations in InvocationReports are taken as real milliseconds; everything else runs on `clock`.
 */
export interface SimulationTarget {
  /** The clock the target runs on (a ScaledClock when the run is compressed with --speed). */
  readonly clock: Clock;
  readonly region: string;
  putRecords(streamName: string, records: readonly GeneratedRecord[]): Promise<PutEntryResult[]>;
  onReport(listener: (report: InvocationReport) => void): () => void;
  onKinesisEvent(listener: (event: KinesisEvent) => void): () => void;
  /** The streams' current shapes (shards with lifetimes, mode, retention, consumers). */
  streams(): Promise<readonly StreamShape[]>;
  /** The largest iterator age over the event-source mappings now, ms; without it the driver estimates it. */
  iteratorAgeMs?(): Promise<number>;
  /**
   * Records of each stream its slowest consumer has finished with (processed, filtered out or discarded): the
   * driver's iterator-age estimate is the age of the oldest record not yet finished. Without it, records read count.
   */
  consumed?(): Promise<ReadonlyMap<string, number>>;
  /** Resolves when the mappings have handled every record put so far. */
  drain(): Promise<void>;
}

/** putRecords over the real SDK client (the Emulator's endpoint, or any Kinesis). */
export function sdkPutRecords(client: KinesisClient): SimulationTarget['putRecords'] {
  return async (streamName, records) => {
    const out = await client.send(
      new PutRecordsCommand({ StreamName: streamName, Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })) }),
    );
    return (out.Records ?? []).map((r) => ({ shardId: r.ShardId, errorCode: r.ErrorCode }));
  };
}

/** A clock running `speed` times faster than the system clock: the Emulator and the driver share it under --speed. */
export class ScaledClock implements Clock {
  readonly speed: number;
  readonly #realStart = Date.now();
  readonly #start: number;

  constructor(speed: number, start = Date.now()) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new EddyError('EDDY_ERR_OPTION_INVALID', `--speed: must be a number above 0, got ${speed}`);
    this.speed = speed;
    this.#start = start;
  }

  now(): number {
    return this.#start + (Date.now() - this.#realStart) * this.speed;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const t = setTimeout(fn, Math.max(0, ms) / this.speed);
    t.unref?.();
    return () => clearTimeout(t);
  }
}

export interface Progress {
  simulatedMs: number;
  durationMs: number;
  accepted: number;
  throttled: number;
  recordsPerSec: number;
  iteratorAgeMs: number;
}

export interface DriverOptions {
  /** Multiplies measured durations (calibration against AWS), default 1. */
  durationScale?: number;
  /** Simulated ms of records sent per step, default 100. */
  tickMs?: number;
  /** Simulated ms per timeline sample, default 1000. */
  sampleMs?: number;
  /** Puts of a throttled entry before it is dropped (retried on the next tick, as SDK producers do), default 3. */
  maxAttempts?: number;
  onProgress?: (p: Progress) => void;
}

/** Offered load per simulated second and 1/4096 slice of the hash-key space, the basis of the shard analysis. */
export interface LoadGrid {
  /** Number of hash-key slices (the top bits of MD5(partition key)). */
  slices: number;
  /** seconds[i]: Map slice -> [records, bytes incl. partition key]. */
  seconds: Map<number, [number, number]>[];
}

export interface StreamRun {
  streamName: string;
  offered: number;
  accepted: number;
  throttledEntries: number;
  dropped: number;
  bytesAccepted: number;
  openShards: number;
  load: LoadGrid;
}

export interface SimulationRun {
  workload: Workload;
  speed: number;
  durationScale: number;
  startedAtMs: number;
  durationMs: number;
  elapsedRealMs: number;
  streams: StreamRun[];
  samples: Sample[];
  reports: InvocationReport[];
  /** Metered usage over the workload's duration (invocations after it, while draining, included). */
  usage: CostSnapshot;
}

const SLICES = 4096;
const sliceCache = new Map<string, number>();

/** Which 1/4096 of the 128-bit hash-key space a partition key falls in (Kinesis hashes keys with MD5). */
export function hashSlice(partitionKey: string): number {
  let s = sliceCache.get(partitionKey);
  if (s === undefined) {
    const d = createHash('md5').update(partitionKey, 'utf8').digest();
    s = ((d[0]! << 4) | (d[1]! >> 4)) & (SLICES - 1);
    if (sliceCache.size > 1_000_000) sliceCache.clear();
    sliceCache.set(partitionKey, s);
  }
  return s;
}

function sleepUntil(clock: Clock, at: number): Promise<void> {
  const wait = at - clock.now();
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.setTimer(resolve, wait));
}

interface Pending {
  record: GeneratedRecord;
  attempts: number;
}

/** Plays the workload into the target and drains it. */
export async function runWorkload(workload: Workload, target: SimulationTarget, options: DriverOptions = {}): Promise<SimulationRun> {
  const clock = target.clock;
  const tickMs = options.tickMs ?? 100;
  const sampleMs = options.sampleMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 3;
  const durationScale = options.durationScale ?? 1;
  const speed = clock instanceof ScaledClock ? clock.speed : 1;
  const realStart = Date.now();
  const reports: InvocationReport[] = [];
  const meter = new CostMeter({ clock, region: target.region, durationScale });
  const start = clock.now();
  const generator = new WorkloadGenerator(workload, start);
  const runs = new Map<string, StreamRun>();
  const retry = new Map<string, Pending[]>();
  // For the iterator-age estimate: per stream, accepted counts over time, and records read by consumers.
  const acceptedAt = new Map<string, { atMs: number; total: number }[]>();
  const readCount = new Map<string, number>();

  const refreshShapes = async () => {
    for (const shape of await target.streams()) {
      meter.observeStream(shape);
      const run = runs.get(shape.name);
      if (run) run.openShards = shape.shards.filter((s) => s.closedAtMs === undefined).length;
    }
  };
  const offReport = target.onReport((r) => {
    reports.push(r);
    meter.recordInvocation(r);
  });
  const offEvents = target.onKinesisEvent((e) => {
    meter.recordKinesis(e);
    if (e.type === 'read') readCount.set(e.streamName, (readCount.get(e.streamName) ?? 0) + e.records);
    if (e.type === 'streamCreated' || e.type === 'shardsChanged') void refreshShapes().catch(() => undefined);
  });

  const streamRun = (name: string): StreamRun => {
    let r = runs.get(name);
    if (!r) {
      r = { streamName: name, offered: 0, accepted: 0, throttledEntries: 0, dropped: 0, bytesAccepted: 0, openShards: 0, load: { slices: SLICES, seconds: [] } };
      runs.set(name, r);
    }
    return r;
  };
  for (const p of workload.producers) streamRun(p.stream);

  const samples: Sample[] = [];
  let sampleAccepted = 0;
  let sampleBytes = 0;
  let sampleThrottled = 0;
  let totalAccepted = 0;
  let totalThrottled = 0;

  const estimateAge = async (now: number): Promise<number> => {
    const consumed = target.consumed ? await target.consumed() : readCount;
    let age = 0;
    for (const [name, points] of acceptedAt) {
      const read = consumed.get(name) ?? 0;
      // The oldest unfinished record was accepted when the accepted total first passed `read` (totals only rise).
      let lo = 0;
      let hi = points.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (points[mid]!.total > read) hi = mid;
        else lo = mid + 1;
      }
      const first = points[lo];
      if (first) age = Math.max(age, now - first.atMs);
    }
    return age;
  };
  const iteratorAge = async (now: number): Promise<number> => (target.iteratorAgeMs ? target.iteratorAgeMs() : estimateAge(now));

  try {
    await refreshShapes();
    meter.reset();
    let nextSample = sampleMs;
    for (let t = 0; t < workload.durationMs; t += tickMs) {
      await sleepUntil(clock, start + t);
      const dt = Math.min(tickMs, workload.durationMs - t);
      const second = Math.floor(t / 1000);
      const byStream = new Map<string, { batchSize: number; entries: Pending[] }>();
      for (const batch of generator.tick(t, dt)) {
        const run = streamRun(batch.stream);
        run.offered += batch.records.length;
        const grid = (run.load.seconds[second] ??= new Map());
        for (const r of batch.records) {
          const slice = hashSlice(r.partitionKey);
          const cell = grid.get(slice) ?? [0, 0];
          cell[0] += 1;
          cell[1] += r.data.length + Buffer.byteLength(r.partitionKey);
          grid.set(slice, cell);
        }
        const group = byStream.get(batch.stream) ?? { batchSize: batch.batchSize, entries: [...(retry.get(batch.stream) ?? [])] };
        retry.delete(batch.stream);
        group.batchSize = Math.min(group.batchSize, batch.batchSize);
        for (const record of batch.records) group.entries.push({ record, attempts: 0 });
        byStream.set(batch.stream, group);
      }
      const calls: Promise<void>[] = [];
      for (const [stream, group] of byStream) {
        const run = streamRun(stream);
        for (let i = 0; i < group.entries.length; i += group.batchSize) {
          const chunk = group.entries.slice(i, i + group.batchSize);
          calls.push(
            target.putRecords(stream, chunk.map((c) => c.record)).catch((err: unknown) => {
              if ((err as { name?: string }).name === 'ResourceNotFoundException') {
                throw new EddyError('EDDY_ERR_WORKLOAD_INVALID', `workload ${workload.name}: stream ${stream} does not exist (${(err as Error).message})`, { cause: err });
              }
              throw err;
            }).then((results) => {
              const now = clock.now();
              chunk.forEach((entry, j) => {
                const res = results[j];
                if (res && res.errorCode === undefined) {
                  run.accepted += 1;
                  run.bytesAccepted += entry.record.data.length;
                  sampleAccepted += 1;
                  sampleBytes += entry.record.data.length;
                  totalAccepted += 1;
                  return;
                }
                if (res?.errorCode === 'ProvisionedThroughputExceededException') {
                  run.throttledEntries += 1;
                  sampleThrottled += 1;
                  totalThrottled += 1;
                }
                entry.attempts += 1;
                if (entry.attempts < maxAttempts) {
                  const q = retry.get(stream) ?? [];
                  q.push(entry);
                  retry.set(stream, q);
                } else {
                  run.dropped += 1;
                }
              });
              const points = acceptedAt.get(stream) ?? [];
              points.push({ atMs: now, total: run.accepted });
              acceptedAt.set(stream, points);
            }),
          );
        }
      }
      await Promise.all(calls);
      if (t + dt >= nextSample || t + dt >= workload.durationMs) {
        const span = Math.min(sampleMs, t + dt - (nextSample - sampleMs)) / 1000;
        const age = await iteratorAge(clock.now());
        samples.push({
          atMs: nextSample - sampleMs,
          recordsPerSec: sampleAccepted / span,
          bytesPerSec: sampleBytes / span,
          throttledPerSec: sampleThrottled / span,
          iteratorAgeMs: age,
        });
        options.onProgress?.({
          simulatedMs: t + dt,
          durationMs: workload.durationMs,
          accepted: totalAccepted,
          throttled: totalThrottled,
          recordsPerSec: sampleAccepted / span,
          iteratorAgeMs: age,
        });
        sampleAccepted = 0;
        sampleBytes = 0;
        sampleThrottled = 0;
        nextSample += sampleMs;
      }
    }
    // Entries still waiting for a retry when the workload ends are dropped.
    for (const [stream, q] of retry) streamRun(stream).dropped += q.length;
    await sleepUntil(clock, start + workload.durationMs);
    await refreshShapes();
    const atEnd = meter.snapshot();
    // Keep sampling the iterator age while the pipeline works off what is left.
    let drained = false;
    const draining = target.drain().then(() => {
      drained = true;
    });
    for (let at = workload.durationMs; !drained; at += sampleMs) {
      await Promise.race([draining, sleepUntil(clock, start + at + sampleMs)]);
      if (drained) break;
      samples.push({ atMs: at, recordsPerSec: 0, bytesPerSec: 0, throttledPerSec: 0, iteratorAgeMs: await iteratorAge(clock.now()) });
    }
    await draining;
    const afterDrain = meter.snapshot();
    // Shard time belongs to the workload's duration; invocations and reads that finish while draining count too.
    const hoursFix = atEnd.windowMs > 0 ? workload.durationMs / atEnd.windowMs : 1;
    const usage: CostSnapshot = {
      ...atEnd,
      windowMs: workload.durationMs,
      endedAtMs: atEnd.startedAtMs + workload.durationMs,
      functions: afterDrain.functions,
      streams: afterDrain.streams.map((s) => {
        const end = atEnd.streams.find((x) => x.streamName === s.streamName);
        const hours = (v: number | undefined) => (v ?? 0) * hoursFix;
        return {
          ...s,
          provisionedShardHours: hours(end?.provisionedShardHours),
          onDemandStreamHours: hours(end?.onDemandStreamHours),
          extendedRetentionShardHours: hours(end?.extendedRetentionShardHours),
          longTermRetentionHourHours: hours(end?.longTermRetentionHourHours),
          efoConsumerShardHours: hours(end?.efoConsumerShardHours),
        };
      }),
      timeline: afterDrain.timeline,
    };
    return {
      workload,
      speed,
      durationScale,
      startedAtMs: start,
      durationMs: workload.durationMs,
      elapsedRealMs: Date.now() - realStart,
      streams: [...runs.values()],
      samples,
      reports,
      usage,
    };
  } finally {
    offReport();
    offEvents();
  }
}
