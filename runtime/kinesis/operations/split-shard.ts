// SplitShard: one open shard becomes two at NewStartingHashKey, when the stream's UPDATING period ends.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SplitShard.html
import { KinesisApiError, limitExceeded, validationError } from '../errors.ts';
import { trackShardMapSave } from '../model/records.ts';
import { applyPlan, planSplit, type ReshardPlan, type ReshardResult } from '../model/resharding.ts';
import { shardIdOf } from '../model/sequence.ts';
import type { LiveStream } from '../model/types.ts';
import type { Operation, OperationContext } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';

const shardRef = { type: 'String', notNull: true, regex: '[a-zA-Z0-9_.-]+', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 } as const;

export const constraints: ConstraintTable = {
  NewStartingHashKey: { type: 'String', notNull: true, regex: '0|([1-9]\\d{0,38})' },
  StreamName: streamName,
  ShardToSplit: shardRef,
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  NewStartingHashKey: string;
  StreamName?: string;
  ShardToSplit: string;
  StreamARN?: string;
}

/** The checks every resharding call makes before its own: a provisioned stream, ACTIVE. */
export function reshardableStream(ctx: OperationContext, ref: { StreamName?: string; StreamARN?: string }, operation: string): LiveStream {
  const stream = ctx.store.resolve(ref);
  if (stream.meta.mode === 'ON_DEMAND') {
    // UNVERIFIED wording: the model documents ValidationException for on-demand streams, not its text.
    throw validationError(
      `${operation} is not supported for stream ${stream.meta.name} under account ${ctx.options.accountId} ` +
        'because it is in ON_DEMAND capacity mode. This API is only supported for streams in PROVISIONED mode.',
    );
  }
  ctx.store.requireActive(stream);
  return stream;
}

/** Throws the plan's error, or AWS's shard-limit error when the plan would open more shards than allowed. */
export function checkPlan(ctx: OperationContext, result: ReshardResult): ReshardPlan {
  if (!result.ok) throw new KinesisApiError(result.error.type, result.error.message);
  const { plan } = result;
  const opened = plan.create.filter((s) => !s.intermediate).length - plan.close.length;
  const current = ctx.store.openShardCount();
  if (opened > 0 && current + opened > ctx.store.shardLimit) {
    throw limitExceeded(
      `This request would exceed the shard limit for the account ${ctx.options.accountId} in ${ctx.options.region}. ` +
        `Current shard count for the account: ${current}. Limit: ${ctx.store.shardLimit}. ` +
        `Number of additional shards that would have resulted from this request: ${opened}. ` +
        'Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) ' +
        'for current limits and how to request higher limits.',
    );
  }
  return plan;
}

/**
 * Puts the stream in UPDATING; when the period ends the plan takes effect (see applyWhenUpdated). The plan is
 * saved with the stream, so a restart in the middle of the period still applies it (Operation.resume).
 */
export async function reshard(
  ctx: OperationContext,
  stream: LiveStream,
  plan: ReshardPlan,
  operation: 'SplitShard' | 'MergeShards' | 'UpdateShardCount',
): Promise<void> {
  stream.meta.nextShardOrdinal = plan.nextShardOrdinal;
  await ctx.store.beginUpdate(stream, applyWhenUpdated(ctx, stream, plan), { operation, data: plan });
}

/**
 * What ends a reshard's UPDATING period: the new shards' logs are opened first, then parents close at their
 * log's current end and routing switches to the children in the same tick, so no record lands in a parent
 * after its end. Puts wait for the new shard map to be saved.
 */
export function applyWhenUpdated(ctx: OperationContext, stream: LiveStream, plan: ReshardPlan): () => Promise<void> {
  return async () => {
    for (const spec of plan.create) {
      const id = shardIdOf(spec.ordinal);
      if (!stream.logs.has(id)) stream.logs.set(id, await ctx.store.root.openShard(stream.meta.storageKey, id));
    }
    const shards = applyPlan(stream.meta.shards, plan, ctx.clock.now(), (id) => stream.logs.get(id)!.nextIndex);
    const saved = ctx.store.setShards(stream, shards);
    trackShardMapSave(stream, saved);
    await saved;
  };
}

export const splitShard: Operation<Input, undefined> = {
  name: 'SplitShard',
  constraints,
  async run(input, ctx) {
    const stream = reshardableStream(ctx, input, 'SplitShard');
    const plan = checkPlan(
      ctx,
      planSplit(
        { streamName: stream.meta.name, accountId: ctx.options.accountId, shards: stream.meta.shards, nextShardOrdinal: stream.meta.nextShardOrdinal },
        input.ShardToSplit,
        input.NewStartingHashKey,
      ),
    );
    await reshard(ctx, stream, plan, 'SplitShard');
    return undefined;
  },
  resume: (data, stream, ctx) => applyWhenUpdated(ctx, stream, data as ReshardPlan),
};
