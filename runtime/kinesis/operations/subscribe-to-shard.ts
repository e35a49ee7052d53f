// SubscribeToShard (enhanced fan-out push over an HTTP/2 event stream) is not served yet: the input is
// validated as AWS would, then eddy answers InvalidArgumentException saying so, so the SDK raises a clear,
// non-retried error. Read with GetShardIterator + GetRecords instead.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html
import { invalidArgument } from '../errors.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { consumerArn, shardId } from './shapes.ts';

export const constraints: ConstraintTable = {
  ConsumerARN: { ...consumerArn, notNull: true },
  ShardId: { ...shardId, notNull: true },
  StartingPosition: {
    type: 'Structure',
    notNull: true,
    members: {
      Type: {
        type: 'String',
        notNull: true,
        enum: ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'],
      },
      SequenceNumber: { type: 'String', regex: '0|([1-9]\\d{0,128})' },
      Timestamp: { type: 'Timestamp' },
    },
  },
};

export const SUBSCRIBE_UNSUPPORTED =
  'eddy does not support SubscribeToShard (enhanced fan-out) yet; read the shard with GetShardIterator and GetRecords.';

export const subscribeToShard: Operation = {
  name: 'SubscribeToShard',
  constraints,
  async run() {
    throw invalidArgument(SUBSCRIBE_UNSUPPORTED);
  },
};
