// PutRecords: up to 500 records in one call, each routed to its shard; one result per entry, in order.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
import { invalidArgument } from '../errors.ts';
import { appendEntries, checkRecordSize, PUT_RECORDS_MAX_BYTES, writableStream, type PutResults } from '../model/records.ts';
import { PrebuiltOutput, type Operation } from '../operation.ts';
import { anchored, decodeBase64, type ConstraintTable } from '../validation.ts';
import { MAX_DATA_BYTES } from './put-record.ts';
import { streamArn, streamId, streamName } from './shapes.ts';

const MAX_ENTRIES = 500;
const MAX_PARTITION_KEY = 256;
const EXPLICIT_HASH_KEY = '0|([1-9]\\d{0,38})';

export const constraints: ConstraintTable = {
  Records: {
    type: 'List',
    notNull: true,
    lengthGreaterThanOrEqual: 1,
    lengthLessThanOrEqual: MAX_ENTRIES,
    memberStr: 'com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310',
    children: {
      type: 'Structure',
      members: {
        PartitionKey: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: MAX_PARTITION_KEY },
        ExplicitHashKey: { type: 'String', regex: EXPLICIT_HASH_KEY },
        Data: { type: 'Blob', notNull: true, lengthLessThanOrEqual: MAX_DATA_BYTES },
      },
    },
  },
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  Records: Array<{ PartitionKey: string; ExplicitHashKey?: string; Data: Buffer }>;
  StreamName?: string;
  StreamARN?: string;
}

const STREAM_NAME = anchored(streamName.regex!);
const STREAM_NAME_MIN = streamName.lengthGreaterThanOrEqual!;
const STREAM_NAME_MAX = streamName.lengthLessThanOrEqual!;
const HASH_KEY = anchored(EXPLICIT_HASH_KEY);

/**
 * The table's checks for the shape every SDK sends (JSON, StreamName, entries of a string key and base64
 * data), without its per-value closures and copies; anything else goes to the table.
 */
function fastInput(raw: Record<string, unknown>): Input | undefined {
  const { Records: list, StreamName: name } = raw;
  if (raw['StreamARN'] != null || raw['StreamId'] != null) return undefined;
  if (typeof name !== 'string' || name.length < STREAM_NAME_MIN || name.length > STREAM_NAME_MAX || !STREAM_NAME.test(name)) return undefined;
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_ENTRIES) return undefined;
  const records = new Array<Input['Records'][number]>(list.length);
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i];
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return undefined;
    const { PartitionKey: key, ExplicitHashKey: hashKey, Data: text } = e as Record<string, unknown>;
    if (typeof key !== 'string' || key.length < 1 || key.length > MAX_PARTITION_KEY || typeof text !== 'string') return undefined;
    const data = decodeBase64(text);
    if (data === undefined || data.length > MAX_DATA_BYTES) return undefined;
    if (hashKey == null) {
      records[i] = { PartitionKey: key, Data: data };
    } else {
      if (typeof hashKey !== 'string' || !HASH_KEY.test(hashKey)) return undefined;
      records[i] = { PartitionKey: key, ExplicitHashKey: hashKey, Data: data };
    }
  }
  return { Records: records, StreamName: name };
}

export const putRecords: Operation<Input> = {
  name: 'PutRecords',
  constraints,
  fastInput,
  async run(input, ctx) {
    const stream = writableStream(ctx, input);
    const entries = input.Records;
    const n = entries.length;
    const sizes = new Array<number>(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += sizes[i] = checkRecordSize(stream, entries[i]!, i);
    if (total > PUT_RECORDS_MAX_BYTES) {
      // UNVERIFIED wording: AWS documents the 10 MiB request limit (data plus partition keys), not this text.
      throw invalidArgument(
        `The records of this PutRecords request total ${total} bytes (data blobs plus partition keys), over the limit of ${PUT_RECORDS_MAX_BYTES} bytes.`,
      );
    }
    const results = await appendEntries(ctx, stream, entries, sizes, 'PutRecords');
    return new PutRecordsOutput(results, stream.meta.encryptionType);
  },
};

const THROTTLED = 'ProvisionedThroughputExceededException';

/** One entry per record, in request order: its shard and sequence number, or (throttled) the error. */
export class PutRecordsOutput extends PrebuiltOutput {
  readonly #results: PutResults;
  readonly #encryptionType: string;
  readonly #failed: number;

  constructor(results: PutResults, encryptionType: string) {
    super();
    this.#results = results;
    this.#encryptionType = encryptionType;
    let failed = 0;
    for (const error of results.throttled ?? []) if (error !== undefined) failed++;
    this.#failed = failed;
  }

  value(): Record<string, unknown> {
    const { shardIds, sequenceNumbers, throttled } = this.#results;
    const records = new Array<Record<string, string>>(shardIds.length);
    for (let i = 0; i < records.length; i++) {
      const error = throttled?.[i];
      records[i] =
        error === undefined
          ? { SequenceNumber: sequenceNumbers[i]!, ShardId: shardIds[i]! }
          : { ErrorCode: THROTTLED, ErrorMessage: error };
    }
    // FailedRecordCount is 0, not absent, when every record succeeded (kinesalite, recorded from AWS).
    return { FailedRecordCount: this.#failed, Records: records, EncryptionType: this.#encryptionType };
  }

  json(): Buffer {
    // A string built up and encoded once is cheaper here than a JsonWriter: PutRecords entries are short.
    const { shardIds, sequenceNumbers, throttled } = this.#results;
    let out = `{"FailedRecordCount":${this.#failed},"Records":[`;
    for (let i = 0; i < shardIds.length; i++) {
      if (i > 0) out += ',';
      const error = throttled?.[i];
      // Shard ids are eddy's own (shardId-000000000001): nothing to escape.
      out +=
        error === undefined
          ? '{"SequenceNumber":"' + sequenceNumbers[i]! + '","ShardId":"' + shardIds[i]! + '"}'
          : `{"ErrorCode":"${THROTTLED}","ErrorMessage":${JSON.stringify(error)}}`;
    }
    return Buffer.from(out + '],"EncryptionType":' + JSON.stringify(this.#encryptionType) + '}', 'utf8');
  }
}
