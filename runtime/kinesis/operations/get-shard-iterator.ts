// GetShardIterator: an iterator at a position of a shard (AT/AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST,
// AT_TIMESTAMP); closed shards still give one. Valid for 300 000 ms.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html
import { invalidArgument } from '../errors.ts';
import { encodeIterator } from '../model/iterators.ts';
import { endIndex, readableShard, shardNotFound, shardOrdinal } from '../model/records.ts';
import { indexForSequence, isFromShard, parseSequenceNumber, shardIdOf } from '../model/sequence.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';

export const constraints: ConstraintTable = {
  ShardId: { type: 'String', notNull: true, regex: '[a-zA-Z0-9_.-]+', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 },
  ShardIteratorType: {
    type: 'String',
    notNull: true,
    enum: ['AFTER_SEQUENCE_NUMBER', 'LATEST', 'AT_TIMESTAMP', 'AT_SEQUENCE_NUMBER', 'TRIM_HORIZON'],
  },
  StartingSequenceNumber: { type: 'String', regex: '0|([1-9]\\d{0,128})' },
  StreamName: streamName,
  Timestamp: { type: 'Timestamp' },
  StreamARN: streamArn,
  StreamId: streamId,
};

type IteratorType = 'AFTER_SEQUENCE_NUMBER' | 'LATEST' | 'AT_TIMESTAMP' | 'AT_SEQUENCE_NUMBER' | 'TRIM_HORIZON';

interface Input {
  ShardId: string;
  ShardIteratorType: IteratorType;
  StartingSequenceNumber?: string;
  StreamName?: string;
  /** Epoch ms (validation converts the wire's epoch seconds). */
  Timestamp?: number;
  StreamARN?: string;
}

const mustEither = (type: string, also: boolean): string =>
  'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or ' +
  `(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${type} and ` +
  `${also ? 'also a' : 'no'} StartingSequenceNumber.`;

export const getShardIterator: Operation<Input> = {
  name: 'GetShardIterator',
  constraints,
  async run(input, ctx) {
    const { accountId } = ctx.options;
    const ref = ctx.store.parseRef(input);
    const ordinal = shardOrdinal(ctx, input.ShardId, ref.name);
    const canonicalId = shardIdOf(ordinal);
    const stream = ref.local ? ctx.store.get(ref.name) : undefined;
    // For a missing stream AWS names the shard, not the stream (kinesalite, recorded from AWS). A CREATING
    // stream has no shards yet (DescribeStream lists none), so its shards are missing too.
    if (!stream || stream.meta.status === 'CREATING') throw shardNotFound(canonicalId, ref.name, ref.accountId);
    const found = readableShard(ctx, stream, ordinal);
    if (!found) throw shardNotFound(canonicalId, ref.name, accountId);
    const { shard, log } = found;
    const type = input.ShardIteratorType;
    const now = ctx.clock.now();
    const end = endIndex(shard, log);

    let index: bigint;
    if (input.StartingSequenceNumber !== undefined) {
      if (type !== 'AT_SEQUENCE_NUMBER' && type !== 'AFTER_SEQUENCE_NUMBER') throw invalidArgument(mustEither(type, true));
      const seq = input.StartingSequenceNumber;
      const parsed = parseSequenceNumber(seq);
      const where = `used in GetShardIterator on shard ${shard.shardId} in stream ${ref.name} under account ${accountId}`;
      if (!parsed) throw invalidArgument(`StartingSequenceNumber ${seq} ${where} is invalid.`);
      if (parsed.shardOrdinal !== shard.ordinal) {
        throw invalidArgument(
          `Invalid StartingSequenceNumber. It encodes ${shardIdOf(parsed.shardOrdinal)}, while it was used in a call to a shard with ${shard.shardId}`,
        );
      }
      if (!isFromShard(parsed, shard)) throw invalidArgument(`StartingSequenceNumber ${seq} ${where} is invalid because it did not come from this stream.`);
      index = indexForSequence(parsed, type === 'AT_SEQUENCE_NUMBER' ? 'AT' : 'AFTER');
      // A number past the shard's end (a closed shard's EndingSequenceNumber) starts at the end.
      if (index > end) index = end;
    } else if (type === 'TRIM_HORIZON') {
      index = log.firstIndex;
    } else if (type === 'LATEST') {
      index = end;
    } else if (type === 'AT_TIMESTAMP') {
      if (input.Timestamp === undefined) {
        throw invalidArgument(
          'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.',
        );
      }
      if (input.Timestamp > now) {
        throw invalidArgument(
          'The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. ' +
            `timestampInMillis: ${input.Timestamp}, currentTimestampInMillis: ${now}`,
        );
      }
      // Before the trim horizon this is the oldest record, as TRIM_HORIZON.
      index = await log.indexAtTime(input.Timestamp);
      if (index > end) index = end;
    } else {
      throw invalidArgument(mustEither(type, false));
    }

    return {
      ShardIterator: encodeIterator({
        streamName: stream.meta.name,
        streamCreatedAtMs: stream.meta.createdAtMs,
        shardOrdinal: shard.ordinal,
        index,
        createdAtMs: now,
      }),
    };
  },
};
