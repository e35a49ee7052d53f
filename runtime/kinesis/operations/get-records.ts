// GetRecords: the records at an iterator's position, the next iterator, how far behind the tip the reader
// is, and at the end of a closed shard its children (and no next iterator).
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
import { KinesisApiError } from '../errors.ts';
import { decodeIterator, encodeIterator } from '../model/iterators.ts';
import {
  chargeThroughputRead,
  checkThroughputRead,
  endIndex,
  GET_RECORDS_MAX_BYTES,
  readableShard,
  shardNotFound,
  wireRecords,
  writeWireRecords,
} from '../model/records.ts';
import { childShards } from '../model/resharding.ts';
import { shardIdOf } from '../model/sequence.ts';
import type { StoredRecord } from '../../log/types.ts';
import type { ShardMeta } from '../model/types.ts';
import { jsonBytes, JsonWriter } from '../json-writer.ts';
import { PrebuiltOutput, type Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn } from './shapes.ts';

export const constraints: ConstraintTable = {
  Limit: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: 10000 },
  ShardIterator: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 512 },
  StreamARN: streamArn,
};

interface Input {
  Limit?: number;
  ShardIterator: string;
  StreamARN?: string;
}

export const getRecords: Operation<Input> = {
  name: 'GetRecords',
  constraints,
  async run(input, ctx) {
    const { accountId } = ctx.options;
    const now = ctx.clock.now();
    const decoded = decodeIterator(input.ShardIterator, now);
    if (!decoded.ok) throw new KinesisApiError(decoded.type, decoded.message);
    const pos = decoded.position;
    const shardId = shardIdOf(pos.shardOrdinal);
    const stream = ctx.store.get(pos.streamName);
    // A deleted (or deleted and re-created) stream: the iterator's shard is gone.
    if (!stream || stream.meta.createdAtMs !== pos.streamCreatedAtMs) throw shardNotFound(shardId, pos.streamName, accountId);
    const found = readableShard(ctx, stream, pos.shardOrdinal);
    if (!found) throw shardNotFound(shardId, pos.streamName, accountId);
    const { shard, log } = found;
    checkThroughputRead(ctx, stream, shard, log);

    const end = endIndex(shard, log);
    let from = pos.index < log.firstIndex ? log.firstIndex : pos.index;
    const limit = input.Limit ?? 10_000;
    let records: StoredRecord[] = [];
    if (from < end) {
      const want = end - from < BigInt(limit) ? Number(end - from) : limit;
      records = await log.read(from, want, GET_RECORDS_MAX_BYTES);
      if (records.length > 0 && records.at(-1)!.index >= end) records = records.filter((r) => r.index < end);
    }
    if (records.length > 0) from = records.at(-1)!.index + 1n;
    // Records past the retention period are skipped even before the periodic trim removes them.
    const horizon = now - stream.meta.retentionPeriodHours * 3_600_000;
    if (records.length > 0 && records[0]!.arrivalMs < horizon) records = records.filter((r) => r.arrivalMs >= horizon);

    let bytes = 0;
    for (let i = 0; i < records.length; i++) bytes += records[i]!.data.length;
    chargeThroughputRead(ctx, log, bytes);
    if (records.length > 0) ctx.emit({ type: 'read', streamName: stream.meta.name, shardId: shard.shardId, records: records.length, bytes });

    const atEnd = from >= end;
    // ms from the tip: 0 once the reader has everything; else the age of the newest record returned.
    const last = records.at(-1);
    const millisBehind = atEnd ? 0 : Math.max(0, now - (last?.arrivalMs ?? now));
    const rest: Record<string, unknown> = {};
    if (atEnd && shard.closedAtMs !== undefined) {
      rest['MillisBehindLatest'] = millisBehind;
      rest['ChildShards'] = childShards(stream.meta.shards, shard.shardId).map((c) => ({
        ShardId: c.shardId,
        ParentShards: c.adjacentParentShardId !== undefined ? [c.parentShardId!, c.adjacentParentShardId] : [c.parentShardId!],
        HashKeyRange: { StartingHashKey: c.startingHashKey, EndingHashKey: c.endingHashKey },
      }));
      return new GetRecordsOutput(shard, records, rest);
    }
    rest['NextShardIterator'] = encodeIterator({
      streamName: pos.streamName,
      streamCreatedAtMs: pos.streamCreatedAtMs,
      shardOrdinal: pos.shardOrdinal,
      index: from,
      createdAtMs: now,
    });
    rest['MillisBehindLatest'] = millisBehind;
    return new GetRecordsOutput(shard, records, rest);
  },
};

/** Records first, then the other members (NextShardIterator, MillisBehindLatest, ChildShards) in their order. */
export class GetRecordsOutput extends PrebuiltOutput {
  constructor(
    readonly shard: ShardMeta,
    readonly records: readonly StoredRecord[],
    readonly rest: Record<string, unknown>,
  ) {
    super();
  }

  value(): Record<string, unknown> {
    return { Records: wireRecords(this.shard, this.records), ...this.rest };
  }

  json(): Buffer {
    let dataBytes = 0;
    for (let i = 0; i < this.records.length; i++) dataBytes += this.records[i]!.data.length;
    // Per record: its base64 and about 200 bytes of number, timestamp, key and member names.
    const w = new JsonWriter(256 + Math.ceil(dataBytes / 3) * 4 + 200 * this.records.length);
    w.raw(GET_HEAD);
    writeWireRecords(w, this.shard, this.records);
    const rest = JSON.stringify(this.rest);
    if (rest === '{}') {
      w.raw(GET_CLOSE);
    } else {
      w.raw(GET_COMMA);
      w.text(rest.slice(1));
    }
    return w.finish();
  }
}

const GET_HEAD = jsonBytes('{"Records":');
const GET_COMMA = jsonBytes(',');
const GET_CLOSE = jsonBytes('}');
