// The shapes of a stream and its shards as the Kinesis model keeps them (and persists them as documents).

import type { ShardLog } from '../../log/types.ts';

export type StreamStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';
export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

export interface ShardMeta {
  /** `shardId-000000000007`. */
  shardId: string;
  /** The numeric part of shardId (7). */
  ordinal: number;
  /** Inclusive hash key range, decimal strings (BigInt on use). */
  startingHashKey: string;
  endingHashKey: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  /** When the shard was created; encoded in its sequence numbers. */
  createdAtMs: number;
  /** When a split or merge closed it; the shard takes no writes after. */
  closedAtMs?: number;
  /** Records in the shard when it was closed (its log's nextIndex then): the shard ends at index closedAtIndex - 1. */
  closedAtIndex?: string;
}

export interface ConsumerMeta {
  consumerName: string;
  consumerArn: string;
  createdAtMs: number;
  status: 'CREATING' | 'ACTIVE' | 'DELETING';
  /** Tags set with RegisterStreamConsumer / TagResource on the consumer's ARN. */
  tags?: Record<string, string>;
}

/** Everything about a stream except its records; saved as one document per stream (kind 'streams'). */
export interface StreamMeta {
  name: string;
  /** Storage key of its shard logs: `<name>-<createdAtMs>`, so a re-created stream never sees old records. */
  storageKey: string;
  arn: string;
  createdAtMs: number;
  status: StreamStatus;
  /** When the current CREATING / UPDATING / DELETING ends (clock ms). */
  statusUntilMs?: number;
  mode: StreamMode;
  retentionPeriodHours: number;
  encryptionType: 'NONE' | 'KMS';
  keyId?: string;
  maxRecordSizeInKiB: number;
  tags: Record<string, string>;
  consumers: ConsumerMeta[];
  shards: ShardMeta[];
  /** Ordinal the next shard created by a split or merge takes. */
  nextShardOrdinal: number;
  /** Clock ms of each UpdateShardCount, to enforce AWS's 10 per rolling 24 h. */
  scalingHistoryMs: number[];
  /** Clock ms of each UpdateStreamMode, to enforce AWS's 2 per rolling 24 h. */
  modeChangesMs?: number[];
  /**
   * What the current UPDATING period applies when it ends (e.g. a reshard plan), kept so a restart in the
   * middle still applies it: the operation named resumes it (Operation.resume).
   */
  pendingUpdate?: { operation: string; data: unknown };
}

/** A stream while eddy runs: its metadata plus the open log of every shard. */
export interface LiveStream {
  meta: StreamMeta;
  logs: Map<string, ShardLog>;
}
