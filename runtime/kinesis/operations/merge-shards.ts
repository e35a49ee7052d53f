// MergeShards: two adjacent open shards become one, when the stream's UPDATING period ends.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_MergeShards.html
import { planMerge, type ReshardPlan } from '../model/resharding.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';
import { applyWhenUpdated, checkPlan, reshard, reshardableStream } from './split-shard.ts';

const shardRef = { type: 'String', notNull: true, regex: '[a-zA-Z0-9_.-]+', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 } as const;

export const constraints: ConstraintTable = {
  ShardToMerge: shardRef,
  AdjacentShardToMerge: shardRef,
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  ShardToMerge: string;
  AdjacentShardToMerge: string;
  StreamName?: string;
  StreamARN?: string;
}

export const mergeShards: Operation<Input, undefined> = {
  name: 'MergeShards',
  constraints,
  async run(input, ctx) {
    const stream = reshardableStream(ctx, input, 'MergeShards');
    const plan = checkPlan(
      ctx,
      planMerge(
        { streamName: stream.meta.name, accountId: ctx.options.accountId, shards: stream.meta.shards, nextShardOrdinal: stream.meta.nextShardOrdinal },
        input.ShardToMerge,
        input.AdjacentShardToMerge,
      ),
    );
    await reshard(ctx, stream, plan, 'MergeShards');
    return undefined;
  },
  resume: (data, stream, ctx) => applyWhenUpdated(ctx, stream, data as ReshardPlan),
};
