// DescribeStream (legacy): the stream and a page of its shards (at most 100), ExclusiveStartShardId to go on.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStream.html
import { parseShardId } from '../model/sequence.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { byOrdinal, creationTimestamp, describeShard, shardId, streamArn, streamId, streamModeOf, streamName } from './shapes.ts';

export const constraints: ConstraintTable = {
  Limit: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: 10000 },
  ExclusiveStartShardId: shardId,
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

const PAGE_MAX = 100;

interface Input {
  Limit?: number;
  ExclusiveStartShardId?: string;
  StreamName?: string;
  StreamARN?: string;
}

export const describeStream: Operation<Input> = {
  name: 'DescribeStream',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    const { meta } = stream;
    // A CREATING stream has no shards to show yet (kinesalite, after AWS).
    let shards = meta.status === 'CREATING' ? [] : ctx.store.visibleShards(stream).sort(byOrdinal);
    if (input.ExclusiveStartShardId !== undefined) {
      const after = parseShardId(input.ExclusiveStartShardId);
      shards = after === undefined ? [] : shards.filter((s) => s.ordinal > after);
    }
    const limit = Math.min(input.Limit ?? PAGE_MAX, PAGE_MAX);
    const description: Record<string, unknown> = {
      StreamName: meta.name,
      StreamARN: meta.arn,
      StreamStatus: meta.status,
      StreamModeDetails: streamModeOf(meta),
      Shards: shards.slice(0, limit).map(describeShard),
      HasMoreShards: shards.length > limit,
      RetentionPeriodHours: meta.retentionPeriodHours,
      StreamCreationTimestamp: creationTimestamp(meta),
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: meta.encryptionType,
    };
    if (meta.keyId !== undefined) description['KeyId'] = meta.keyId;
    return { StreamDescription: description };
  },
};
