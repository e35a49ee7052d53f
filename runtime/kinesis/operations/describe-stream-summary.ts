// DescribeStreamSummary: the stream without its shards, with open shard and consumer counts.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStreamSummary.html
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { creationTimestamp, streamArn, streamId, streamModeOf, streamName } from './shapes.ts';

export const constraints: ConstraintTable = {
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  StreamName?: string;
  StreamARN?: string;
}

export const describeStreamSummary: Operation<Input> = {
  name: 'DescribeStreamSummary',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    const { meta } = stream;
    const summary: Record<string, unknown> = {
      StreamName: meta.name,
      StreamARN: meta.arn,
      StreamStatus: meta.status,
      StreamModeDetails: streamModeOf(meta),
      RetentionPeriodHours: meta.retentionPeriodHours,
      StreamCreationTimestamp: creationTimestamp(meta),
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: meta.encryptionType,
      OpenShardCount: meta.status === 'CREATING' ? 0 : ctx.store.openShards(stream).length,
      ConsumerCount: meta.consumers.filter((c) => c.status !== 'DELETING').length,
      MaxRecordSizeInKiB: meta.maxRecordSizeInKiB,
    };
    if (meta.keyId !== undefined) summary['KeyId'] = meta.keyId;
    return { StreamDescriptionSummary: summary };
  },
};
