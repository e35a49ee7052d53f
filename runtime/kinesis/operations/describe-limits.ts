// DescribeLimits: the account's shard quota and use, and its on-demand stream quota and use.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeLimits.html
import { ON_DEMAND_STREAM_LIMIT } from '../model/streams.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';

export const constraints: ConstraintTable = {};

export const describeLimits: Operation<Record<string, never>> = {
  name: 'DescribeLimits',
  constraints,
  async run(_input, ctx) {
    const streams = ctx.store.list();
    return {
      ShardLimit: ctx.store.shardLimit,
      OpenShardCount: ctx.store.openShardCount(),
      OnDemandStreamCount: streams.filter((s) => s.meta.mode === 'ON_DEMAND').length,
      OnDemandStreamCountLimit: ON_DEMAND_STREAM_LIMIT,
    };
  },
};
