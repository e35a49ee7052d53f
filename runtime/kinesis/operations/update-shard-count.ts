// UpdateShardCount (UNIFORM_SCALING): the open shards become TargetShardCount equal ranges, through splits and
// merges, when the stream's UPDATING period ends. At most 10 per rolling 24 h, within 2x and 1/2.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
import { planUniformScaling, type ReshardPlan } from '../model/resharding.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';
import { applyWhenUpdated, checkPlan, reshard, reshardableStream } from './split-shard.ts';

export const constraints: ConstraintTable = {
  StreamName: streamName,
  TargetShardCount: { type: 'Integer', notNull: true, greaterThanOrEqual: 1, lessThanOrEqual: 100000 },
  ScalingType: { type: 'String', notNull: true, enum: ['UNIFORM_SCALING'] },
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  StreamName?: string;
  TargetShardCount: number;
  ScalingType: 'UNIFORM_SCALING';
  StreamARN?: string;
}

export const updateShardCount: Operation<Input> = {
  name: 'UpdateShardCount',
  constraints,
  async run(input, ctx) {
    const stream = reshardableStream(ctx, input, 'UpdateShardCount');
    const { meta } = stream;
    const now = ctx.clock.now();
    const current = ctx.store.openShards(stream).length;
    const plan = checkPlan(
      ctx,
      planUniformScaling(
        { streamName: meta.name, accountId: ctx.options.accountId, shards: meta.shards, nextShardOrdinal: meta.nextShardOrdinal },
        input.TargetShardCount,
        meta.scalingHistoryMs,
        now,
      ),
    );
    meta.scalingHistoryMs = [...meta.scalingHistoryMs.filter((t) => t > now - 24 * 3_600_000), now];
    await reshard(ctx, stream, plan, 'UpdateShardCount');
    return { StreamName: meta.name, CurrentShardCount: current, TargetShardCount: input.TargetShardCount, StreamARN: meta.arn };
  },
  resume: (data, stream, ctx) => applyWhenUpdated(ctx, stream, data as ReshardPlan),
};
