// PutRecord: one record into the shard its partition key (or ExplicitHashKey) hashes to.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
import { KinesisApiError, invalidArgument } from '../errors.ts';
import { appendEntries, checkRecordSize, writableStream } from '../model/records.ts';
import { parseSequenceNumber } from '../model/sequence.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';

/** The largest record any stream takes (MaxRecordSizeInKiB 10240); each stream's own limit is checked in run. */
export const MAX_DATA_BYTES = 10 * 1024 * 1024;

export const constraints: ConstraintTable = {
  SequenceNumberForOrdering: { type: 'String', regex: '0|([1-9]\\d{0,128})' },
  PartitionKey: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 256 },
  ExplicitHashKey: { type: 'String', regex: '0|([1-9]\\d{0,38})' },
  Data: { type: 'Blob', notNull: true, lengthLessThanOrEqual: MAX_DATA_BYTES },
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  SequenceNumberForOrdering?: string;
  PartitionKey: string;
  ExplicitHashKey?: string;
  Data: Buffer;
  StreamName?: string;
  StreamARN?: string;
}

export const putRecord: Operation<Input> = {
  name: 'PutRecord',
  constraints,
  async run(input, ctx) {
    const stream = writableStream(ctx, input);
    const { meta } = stream;
    const entry = input;
    const size = checkRecordSize(stream, entry);
    if (input.SequenceNumberForOrdering !== undefined) {
      // Numbers eddy issues already rise strictly per shard; the value is only checked, as kinesalite recorded:
      // it must be a sequence number, not from the future.
      const parsed = parseSequenceNumber(input.SequenceNumberForOrdering);
      if (!parsed || parsed.writeSecs * 1000 > ctx.clock.now()) {
        throw invalidArgument(
          `ExclusiveMinimumSequenceNumber ${input.SequenceNumberForOrdering} used in PutRecord on stream ${meta.name} ` +
            `under account ${ctx.options.accountId} is invalid.`,
        );
      }
    }
    const result = await appendEntries(ctx, stream, [entry], [size], 'PutRecord');
    const throttled = result.throttled?.[0];
    if (throttled !== undefined) throw new KinesisApiError('ProvisionedThroughputExceededException', throttled);
    // UNVERIFIED: whether AWS includes EncryptionType NONE for unencrypted streams; eddy always sends it.
    return { ShardId: result.shardIds[0], SequenceNumber: result.sequenceNumbers[0], EncryptionType: meta.encryptionType };
  },
};
