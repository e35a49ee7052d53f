// The cost meter: counts what a run would be billed for (invocations, shard time, payload units, bytes) on a clock,
// and turns it into a JSON snapshot that the bill projection, `eddy cost` and the reports read.
import { readFile, writeFile, rename } from 'node:fs/promises';
import type { Clock } from '../clock.ts';
import { EddyError } from '../errors.ts';
import type { InvocationReport } from '../lambda/types.ts';
import type { KinesisEvent } from '../kinesis/types.ts';
import type { LogRoot } from '../log/types.ts';

const MS_PER_HOUR = 3_600_000;
/** Retention that is included in the shard-hour price; above it, extended retention is billed. */
const BASE_RETENTION_HOURS = 24;
/** Extended retention covers up to 7 days; data kept longer is long-term retention. */
const EXTENDED_RETENTION_HOURS = 168;
/** Timeline buckets are merged pairwise (width doubled) when there are more than this many. */
const MAX_BUCKETS = 2048;

/** The part of a stream's shape that billing depends on; runtime/kinesis StreamMeta satisfies it. */
export interface StreamShape {
  readonly name: string;
  readonly mode: 'PROVISIONED' | 'ON_DEMAND';
  readonly retentionPeriodHours: number;
  readonly shards: readonly { readonly shardId: string; readonly createdAtMs: number; readonly closedAtMs?: number | undefined }[];
  readonly consumers: readonly { readonly consumerName: string }[];
}

export interface SourceUsage {
  requests: number;
  errors: number;
  billedMs: number;
  gbSeconds: number;
  initGbSeconds: number;
}

/** Lambda usage of one function at one memory size and architecture. */
export interface FunctionUsage {
  functionKey: string;
  functionName: string;
  architecture: 'x86_64' | 'arm64';
  memorySizeMb: number;
  requests: number;
  errors: number;
  coldStarts: number;
  /** Sum of measured handler durations (after durationScale), ms. */
  durationMs: number;
  maxDurationMs: number;
  /** Sum of billed invoke durations (each rounded up to 1 ms), ms. */
  billedMs: number;
  /** Sum of billed INIT durations (billed since 2025-08-01), ms. */
  initBilledMs: number;
  /** billedMs × memory in GB / 1000. */
  gbSeconds: number;
  initGbSeconds: number;
  /** By who invoked: 'api', 'cli', 'async', 'mapping:<uuid>'. */
  bySource: Record<string, SourceUsage>;
}

export interface ShardUsage {
  shardId: string;
  recordsIn: number;
  bytesIn: number;
  throttled: number;
}

/** Kinesis usage of one stream over the window. */
export interface StreamUsage {
  streamName: string;
  /** Mode at the last observation. */
  mode: 'PROVISIONED' | 'ON_DEMAND';
  retentionPeriodHours: number;
  /** Open provisioned shards × hours. */
  provisionedShardHours: number;
  /** Hours the stream existed in on-demand mode. */
  onDemandStreamHours: number;
  /** Provisioned shard-hours while retention was above 24 h. */
  extendedRetentionShardHours: number;
  /** Σ hours × (retention − 168 h) while retention was above 7 days: the bill turns it into stored GB-months. */
  longTermRetentionHourHours: number;
  /** Registered enhanced fan-out consumers × open shards × hours. */
  efoConsumerShardHours: number;
  /** Most shards open at once during the window. */
  maxOpenShards: number;
  recordsIn: number;
  bytesIn: number;
  payloadUnits: number;
  /**
   * Bytes in as On-demand bills them (each record rounded up to 1 KB). The events carry per-batch totals,
   * so this is max(bytes, records × 1 KB): exact when records are ≤ 1 KB, a lower bound otherwise.
   */
  onDemandBilledBytesIn: number;
  recordsOut: number;
  bytesOut: number;
  throttledPuts: number;
  throttledReads: number;
  shards: ShardUsage[];
}

export interface TimelineBucket {
  /** Start of the bucket, ms since the window start. */
  atMs: number;
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  throttled: number;
  invocations: number;
  errors: number;
}

/** Everything metered over one window; plain JSON. */
export interface CostSnapshot {
  version: 1;
  region: string;
  startedAtMs: number;
  endedAtMs: number;
  /** The interval the usage covers (ms); the bill extrapolates from it to a month. */
  windowMs: number;
  durationScale: number;
  functions: FunctionUsage[];
  streams: StreamUsage[];
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
}

export interface CostMeterOptions {
  clock: Clock;
  region: string;
  /** Multiplies every measured duration (calibration of local durations to AWS's), default 1. */
  durationScale?: number;
  /** Width of a timeline bucket in clock ms, default 1000 (doubles as the run grows). */
  bucketMs?: number;
  /** On-demand rounds each record up to this for data in (the price table's onDemandRecordRoundingBytes), default 1024. */
  onDemandRecordRoundingBytes?: number;
}

interface Segment {
  fromMs: number;
  mode: StreamShape['mode'];
  retentionHours: number;
  consumers: number;
}

interface StreamState {
  name: string;
  segments: Segment[];
  shards: Map<string, { createdAtMs: number; closedAtMs: number | undefined }>;
  deletedAtMs: number | undefined;
  usage: Omit<StreamUsage, 'streamName' | 'mode' | 'retentionPeriodHours' | 'provisionedShardHours' | 'onDemandStreamHours' | 'extendedRetentionShardHours' | 'longTermRetentionHourHours' | 'efoConsumerShardHours' | 'maxOpenShards' | 'shards'>;
  shardUsage: Map<string, ShardUsage>;
}

function overlap(aFrom: number, aTo: number, bFrom: number, bTo: number): number {
  return Math.max(0, Math.min(aTo, bTo) - Math.max(aFrom, bFrom));
}

export class CostMeter {
  readonly #clock: Clock;
  readonly #region: string;
  readonly #scale: number;
  #startMs: number;
  #functions = new Map<string, FunctionUsage>();
  #streams = new Map<string, StreamState>();
  #bucketMs: number;
  #buckets: TimelineBucket[] = [];
  readonly #onDemandRoundingBytes: number;

  constructor(options: CostMeterOptions) {
    this.#clock = options.clock;
    this.#region = options.region;
    this.#scale = options.durationScale ?? 1;
    if (!(this.#scale > 0) || !Number.isFinite(this.#scale)) {
      throw new EddyError('EDDY_ERR_OPTION_INVALID', `--duration-scale: must be a number above 0, got ${this.#scale}`);
    }
    this.#bucketMs = options.bucketMs ?? 1000;
    this.#onDemandRoundingBytes = options.onDemandRecordRoundingBytes ?? 1024;
    this.#startMs = this.#clock.now();
  }

  /** Starts a new window now (keeps the stream shapes, clears the counts). */
  reset(): void {
    const now = this.#clock.now();
    this.#startMs = now;
    this.#functions.clear();
    this.#buckets = [];
    for (const s of this.#streams.values()) {
      if (s.deletedAtMs !== undefined) {
        this.#streams.delete(s.name);
        continue;
      }
      const last = s.segments[s.segments.length - 1];
      if (last) s.segments = [{ ...last, fromMs: now }];
      s.usage = emptyStreamCounters();
      s.shardUsage.clear();
    }
  }

  recordInvocation(report: InvocationReport): void {
    const key = `${report.functionKey}\u0000${report.architecture}\u0000${report.memorySizeMb}`;
    let fn = this.#functions.get(key);
    if (!fn) {
      fn = {
        functionKey: report.functionKey,
        functionName: report.functionName,
        architecture: report.architecture,
        memorySizeMb: report.memorySizeMb,
        requests: 0,
        errors: 0,
        coldStarts: 0,
        durationMs: 0,
        maxDurationMs: 0,
        billedMs: 0,
        initBilledMs: 0,
        gbSeconds: 0,
        initGbSeconds: 0,
        bySource: {},
      };
      this.#functions.set(key, fn);
    }
    // Billed duration is computed here from the measured durations (not taken from report.billedDurationMs) so
    // the INIT share can be shown apart: AWS rounds the whole billed duration (INIT + invoke) up to 1 ms.
    const duration = report.durationMs * this.#scale;
    const init = (report.initDurationMs ?? 0) * this.#scale;
    const invokeBilled = Math.max(1, Math.ceil(duration));
    const totalBilled = Math.max(invokeBilled, Math.ceil(duration + init));
    const initBilled = totalBilled - invokeBilled;
    const gb = report.memorySizeMb / 1024;
    const gbSeconds = (invokeBilled / 1000) * gb;
    const initGbSeconds = (initBilled / 1000) * gb;
    const failed = report.errorType !== undefined;
    fn.requests += 1;
    fn.errors += failed ? 1 : 0;
    fn.coldStarts += report.initDurationMs !== undefined ? 1 : 0;
    fn.durationMs += duration;
    fn.maxDurationMs = Math.max(fn.maxDurationMs, duration);
    fn.billedMs += invokeBilled;
    fn.initBilledMs += initBilled;
    fn.gbSeconds += gbSeconds;
    fn.initGbSeconds += initGbSeconds;
    const src = (fn.bySource[report.source] ??= { requests: 0, errors: 0, billedMs: 0, gbSeconds: 0, initGbSeconds: 0 });
    src.requests += 1;
    src.errors += failed ? 1 : 0;
    src.billedMs += invokeBilled + initBilled;
    src.gbSeconds += gbSeconds;
    src.initGbSeconds += initGbSeconds;
    const bucket = this.#bucket(report.startedAtMs);
    if (bucket) {
      bucket.invocations += 1;
      bucket.errors += failed ? 1 : 0;
    }
  }

  recordKinesis(event: KinesisEvent): void {
    const stream = this.#stream(event.streamName);
    const now = this.#clock.now();
    switch (event.type) {
      case 'appended': {
        stream.usage.recordsIn += event.records;
        stream.usage.bytesIn += event.bytes;
        stream.usage.payloadUnits += event.payloadUnits;
        stream.usage.onDemandBilledBytesIn += Math.max(event.bytes, event.records * this.#onDemandRoundingBytes);
        const shard = this.#shardUsage(stream, event.shardId);
        shard.recordsIn += event.records;
        shard.bytesIn += event.bytes;
        const bucket = this.#bucket(now);
        if (bucket) {
          bucket.recordsIn += event.records;
          bucket.bytesIn += event.bytes;
        }
        return;
      }
      case 'read': {
        stream.usage.recordsOut += event.records;
        stream.usage.bytesOut += event.bytes;
        const bucket = this.#bucket(now);
        if (bucket) bucket.recordsOut += event.records;
        return;
      }
      case 'throttled': {
        if (event.operation === 'GetRecords') stream.usage.throttledReads += 1;
        else stream.usage.throttledPuts += 1;
        this.#shardUsage(stream, event.shardId).throttled += 1;
        const bucket = this.#bucket(now);
        if (bucket) bucket.throttled += 1;
        return;
      }
      case 'streamDeleted':
        stream.deletedAtMs = now;
        return;
      case 'streamCreated':
      case 'shardsChanged':
        // The shape itself arrives through observeStream (the events carry only the name).
        return;
    }
  }

  /** Tells the meter a stream's current shape (on create, reshard, retention or mode change, consumer change). */
  observeStream(shape: StreamShape): void {
    const now = this.#clock.now();
    let stream = this.#streams.get(shape.name);
    if (!stream || stream.deletedAtMs !== undefined) {
      const counters = stream?.usage;
      stream = newStreamState(shape.name);
      if (counters) stream.usage = counters;
      this.#streams.set(shape.name, stream);
    }
    for (const shard of shape.shards) {
      stream.shards.set(shard.shardId, { createdAtMs: shard.createdAtMs, closedAtMs: shard.closedAtMs });
    }
    const last = stream.segments[stream.segments.length - 1];
    const next: Segment = { fromMs: now, mode: shape.mode, retentionHours: shape.retentionPeriodHours, consumers: shape.consumers.length };
    if (!last || last.mode !== next.mode || last.retentionHours !== next.retentionHours || last.consumers !== next.consumers) {
      // A segment starting where the previous one did replaces it (several changes at one instant).
      if (last && last.fromMs === now) stream.segments[stream.segments.length - 1] = next;
      else stream.segments.push(first(stream, next, this.#startMs));
    }
  }

  snapshot(): CostSnapshot {
    const end = this.#clock.now();
    const start = this.#startMs;
    const streams: StreamUsage[] = [];
    for (const s of this.#streams.values()) streams.push(this.#streamUsage(s, start, end));
    return structuredClone({
      version: 1 as const,
      region: this.#region,
      startedAtMs: start,
      endedAtMs: end,
      windowMs: end - start,
      durationScale: this.#scale,
      functions: [...this.#functions.values()],
      streams,
      timeline: { bucketMs: this.#bucketMs, buckets: this.#buckets.filter(Boolean) },
    });
  }

  #streamUsage(s: StreamState, start: number, end: number): StreamUsage {
    const streamEnd = Math.min(end, s.deletedAtMs ?? end);
    let provisioned = 0;
    let onDemand = 0;
    let extended = 0;
    let longTerm = 0;
    let efo = 0;
    s.segments.forEach((seg, i) => {
      const segTo = Math.min(s.segments[i + 1]?.fromMs ?? streamEnd, streamEnd);
      const segMs = overlap(seg.fromMs, segTo, start, end);
      if (segMs <= 0) return;
      const segFrom = Math.max(seg.fromMs, start);
      // Only open shards are billed: a closed parent keeps its data but takes no shard-hour (UNVERIFIED).
      let shardMs = 0;
      for (const shard of s.shards.values()) shardMs += overlap(shard.createdAtMs, shard.closedAtMs ?? Infinity, segFrom, segFrom + segMs);
      const shardHours = shardMs / MS_PER_HOUR;
      if (seg.mode === 'PROVISIONED') {
        provisioned += shardHours;
        if (seg.retentionHours > BASE_RETENTION_HOURS) extended += shardHours;
      } else {
        onDemand += segMs / MS_PER_HOUR;
      }
      if (seg.retentionHours > EXTENDED_RETENTION_HOURS) longTerm += (segMs / MS_PER_HOUR) * (seg.retentionHours - EXTENDED_RETENTION_HOURS);
      efo += seg.consumers * shardHours;
    });
    const last = s.segments[s.segments.length - 1];
    return {
      streamName: s.name,
      mode: last?.mode ?? 'PROVISIONED',
      retentionPeriodHours: last?.retentionHours ?? BASE_RETENTION_HOURS,
      provisionedShardHours: provisioned,
      onDemandStreamHours: onDemand,
      extendedRetentionShardHours: extended,
      longTermRetentionHourHours: longTerm,
      efoConsumerShardHours: efo,
      maxOpenShards: maxOpenShards(s, start, streamEnd),
      ...s.usage,
      shards: [...s.shardUsage.values()],
    };
  }

  #stream(name: string): StreamState {
    let s = this.#streams.get(name);
    if (!s) {
      s = newStreamState(name);
      this.#streams.set(name, s);
    }
    return s;
  }

  #shardUsage(s: StreamState, shardId: string): ShardUsage {
    let u = s.shardUsage.get(shardId);
    if (!u) {
      u = { shardId, recordsIn: 0, bytesIn: 0, throttled: 0 };
      s.shardUsage.set(shardId, u);
    }
    return u;
  }

  #bucket(atMs: number): TimelineBucket | undefined {
    const offset = atMs - this.#startMs;
    if (offset < 0) return undefined;
    let index = Math.floor(offset / this.#bucketMs);
    while (index >= MAX_BUCKETS) {
      // Coarsen: merge neighbours so the timeline stays bounded however long the run.
      const merged: TimelineBucket[] = [];
      this.#buckets.forEach((b, i) => {
        if (!b) return;
        const j = Math.floor(i / 2);
        const into = (merged[j] ??= emptyBucket(j * this.#bucketMs * 2));
        into.recordsIn += b.recordsIn;
        into.bytesIn += b.bytesIn;
        into.recordsOut += b.recordsOut;
        into.throttled += b.throttled;
        into.invocations += b.invocations;
        into.errors += b.errors;
      });
      this.#buckets = merged;
      this.#bucketMs *= 2;
      index = Math.floor(offset / this.#bucketMs);
    }
    return (this.#buckets[index] ??= emptyBucket(index * this.#bucketMs));
  }
}

function first(stream: StreamState, seg: Segment, windowStart: number): Segment {
  // The first observation of a stream that existed before the window began covers the window from its start.
  if (stream.segments.length === 0) {
    const created = Math.min(...[...stream.shards.values()].map((s) => s.createdAtMs), seg.fromMs);
    return { ...seg, fromMs: Math.max(created, windowStart) };
  }
  return seg;
}

function maxOpenShards(s: StreamState, from: number, to: number): number {
  const points: [number, number][] = [];
  for (const shard of s.shards.values()) {
    const a = Math.max(shard.createdAtMs, from);
    const b = Math.min(shard.closedAtMs ?? Infinity, to);
    if (b > a || (a === b && shard.closedAtMs === undefined)) points.push([a, 1], [b, -1]);
  }
  points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}

function emptyBucket(atMs: number): TimelineBucket {
  return { atMs, recordsIn: 0, bytesIn: 0, recordsOut: 0, throttled: 0, invocations: 0, errors: 0 };
}

function emptyStreamCounters(): StreamState['usage'] {
  return { recordsIn: 0, bytesIn: 0, payloadUnits: 0, onDemandBilledBytesIn: 0, recordsOut: 0, bytesOut: 0, throttledPuts: 0, throttledReads: 0 };
}

function newStreamState(name: string): StreamState {
  return { name, segments: [], shards: new Map(), deletedAtMs: undefined, usage: emptyStreamCounters(), shardUsage: new Map() };
}

// ---- persistence: the Emulator saves the last run's snapshot so `eddy cost` can read it after it stops ----

const DOCUMENT_KIND = 'cost';
const DOCUMENT_KEY = 'last-run';

export function parseSnapshot(doc: unknown, origin: string): CostSnapshot {
  const d = doc as Partial<CostSnapshot> | null;
  if (
    typeof d !== 'object' || d === null || d.version !== 1 || typeof d.windowMs !== 'number' ||
    !Array.isArray(d.functions) || !Array.isArray(d.streams) || typeof d.region !== 'string'
  ) {
    throw new EddyError('EDDY_ERR_DATA_CORRUPT', `${origin}: not a cost snapshot of version 1`);
  }
  return d as CostSnapshot;
}

/** Saves the snapshot as the data dir's `cost/last-run` document. */
export async function saveSnapshot(root: LogRoot, snapshot: CostSnapshot): Promise<void> {
  await root.saveDocument(DOCUMENT_KIND, DOCUMENT_KEY, snapshot);
}

/** The last run's snapshot in the data dir, or undefined when none was saved. */
export async function loadSnapshot(root: LogRoot): Promise<CostSnapshot | undefined> {
  const doc = (await root.loadDocuments(DOCUMENT_KIND)).get(DOCUMENT_KEY);
  return doc === undefined ? undefined : parseSnapshot(doc, 'cost/last-run');
}

export async function writeSnapshotFile(file: string, snapshot: CostSnapshot): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(snapshot));
  await rename(tmp, file);
}

export async function readSnapshotFile(file: string): Promise<CostSnapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EddyError('EDDY_ERR_DATA_CORRUPT', `${file}: cannot read the cost snapshot: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseSnapshot(JSON.parse(text), file);
  } catch (err) {
    if (err instanceof EddyError) throw err;
    throw new EddyError('EDDY_ERR_DATA_CORRUPT', `${file}: not valid JSON`, { cause: err });
  }
}
