// CreateStream: a provisioned stream of ShardCount shards, or an on-demand stream (4 shards to start).
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html
import { invalidArgument } from '../errors.ts';
import { ON_DEMAND_INITIAL_SHARDS } from '../model/streams.ts';
import type { StreamMode } from '../model/types.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { checkTagCharacters, requiredStreamName, streamModeDetails, tagMap } from './shapes.ts';

export const constraints: ConstraintTable = {
  ShardCount: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: 100000 },
  StreamName: requiredStreamName,
  StreamModeDetails: streamModeDetails,
  Tags: tagMap(false),
  WarmThroughputMiBps: { type: 'Integer', greaterThanOrEqual: 0 },
  MaxRecordSizeInKiB: { type: 'Integer', greaterThanOrEqual: 1024, lessThanOrEqual: 10240 },
};

interface Input {
  ShardCount?: number;
  StreamName: string;
  StreamModeDetails?: { StreamMode: StreamMode };
  Tags?: Record<string, string>;
  MaxRecordSizeInKiB?: number;
}

export const createStream: Operation<Input, undefined> = {
  name: 'CreateStream',
  constraints,
  async run(input, ctx) {
    const mode = input.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
    if (mode === 'PROVISIONED' && input.ShardCount === undefined) {
      // UNVERIFIED wording: the model made ShardCount optional for on-demand streams.
      throw invalidArgument('ShardCount must be specified for a stream in PROVISIONED mode.');
    }
    if (input.Tags) {
      const all = Object.entries(input.Tags).flat();
      const bad = checkTagCharacters(all, 'add tags to', input.StreamName, ctx.options.accountId);
      if (bad) throw invalidArgument(bad);
    }
    await ctx.store.create({
      name: input.StreamName,
      // On-demand streams start at 4 MB/s of write capacity: 4 shards. A ShardCount given with ON_DEMAND is ignored.
      shardCount: mode === 'ON_DEMAND' ? ON_DEMAND_INITIAL_SHARDS : input.ShardCount!,
      mode,
      ...(input.Tags ? { tags: input.Tags } : {}),
      ...(input.MaxRecordSizeInKiB !== undefined ? { maxRecordSizeInKiB: input.MaxRecordSizeInKiB } : {}),
    });
    return undefined;
  },
};
