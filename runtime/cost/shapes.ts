// Stream shapes for the meter, read through the Kinesis API (ListStreams, DescribeStreamSummary, ListShards).
// ListShards gives no shard times, so a shard counts from when it was first seen and until it was first seen closed.
import type { Clock } from '../clock.ts';
import type { StreamShape } from './meter.ts';

/** One Kinesis API call with AWS's JSON input and output (KinesisService.call, or the SDK wrapped). */
export type KinesisCall = (operation: 'ListStreams' | 'DescribeStreamSummary' | 'ListShards', input: Record<string, unknown>) => Promise<unknown>;

interface ListStreamsOut {
  StreamNames?: string[];
  HasMoreStreams?: boolean;
  NextToken?: string;
}
interface SummaryOut {
  StreamDescriptionSummary?: {
    RetentionPeriodHours?: number;
    StreamModeDetails?: { StreamMode?: string };
    ConsumerCount?: number;
  };
}
interface ListShardsOut {
  Shards?: { ShardId?: string; SequenceNumberRange?: { EndingSequenceNumber?: string } }[];
  NextToken?: string;
}

export class ApiStreamShapes {
  readonly #call: KinesisCall;
  readonly #clock: Clock;
  readonly #seen = new Map<string, { createdAtMs: number; closedAtMs: number | undefined }>();
  readonly #known = new Set<string>();

  constructor(call: KinesisCall, clock: Clock) {
    this.#call = call;
    this.#clock = clock;
  }

  /** A stream name seen elsewhere (a Kinesis event, a workload), used when ListStreams is not available. */
  remember(name: string): void {
    this.#known.add(name);
  }

  async #names(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = (await this.#call('ListStreams', token ? { NextToken: token } : {})) as ListStreamsOut;
        names.push(...(page.StreamNames ?? []));
        token = page.HasMoreStreams ? page.NextToken : undefined;
      } while (token);
    } catch {
      return [...this.#known];
    }
    return [...new Set([...names, ...this.#known])];
  }

  async shapes(): Promise<StreamShape[]> {
    const now = this.#clock.now();
    const names = await this.#names();
    const out: StreamShape[] = [];
    for (const name of names) {
      let summary: SummaryOut['StreamDescriptionSummary'];
      const shards: { shardId: string; createdAtMs: number; closedAtMs?: number | undefined }[] = [];
      try {
        summary = ((await this.#call('DescribeStreamSummary', { StreamName: name })) as SummaryOut).StreamDescriptionSummary;
        let next: string | undefined;
        do {
          const page = (await this.#call('ListShards', next ? { NextToken: next } : { StreamName: name })) as ListShardsOut;
          for (const s of page.Shards ?? []) {
            if (!s.ShardId) continue;
            const key = `${name}/${s.ShardId}`;
            const known = this.#seen.get(key) ?? { createdAtMs: now, closedAtMs: undefined };
            if (s.SequenceNumberRange?.EndingSequenceNumber && known.closedAtMs === undefined) known.closedAtMs = now;
            this.#seen.set(key, known);
            shards.push({ shardId: s.ShardId, createdAtMs: known.createdAtMs, closedAtMs: known.closedAtMs });
          }
          next = page.NextToken;
        } while (next);
      } catch {
        continue; // deleted (or still being created) between the calls
      }
      out.push({
        name,
        mode: summary?.StreamModeDetails?.StreamMode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED',
        retentionPeriodHours: summary?.RetentionPeriodHours ?? 24,
        shards,
        consumers: Array.from({ length: summary?.ConsumerCount ?? 0 }, (_, i) => ({ consumerName: `consumer-${i}` })),
      });
    }
    return out;
  }
}
