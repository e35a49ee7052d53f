// What the rest of eddy sees of the Kinesis service: its options, and the events it reports.

import type { Clock } from '../clock.ts';
import type { LogRoot } from '../log/types.ts';

export interface KinesisOptions {
  root: LogRoot;
  clock: Clock;
  region: string;
  /** 12 digits; eddy uses 000000000000. */
  accountId: string;
  /** Per-shard throughput limits (1 MiB/s and 1,000 records/s in; 2 MiB/s and 5 reads/s out). */
  enforceLimits: boolean;
  /** How long CREATING / UPDATING / DELETING last, in ms of the clock. */
  statusDelayMs: number;
}

/** Reported as the service works: the cost meter, the pollers and `eddy status` listen. */
export type KinesisEvent =
  | { type: 'appended'; streamName: string; shardId: string; records: number; bytes: number; payloadUnits: number }
  | { type: 'read'; streamName: string; shardId: string; records: number; bytes: number }
  | { type: 'throttled'; streamName: string; shardId: string; operation: 'PutRecord' | 'PutRecords' | 'GetRecords' }
  | { type: 'streamCreated' | 'streamDeleted' | 'shardsChanged'; streamName: string };
