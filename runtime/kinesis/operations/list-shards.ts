// ListShards: the stream's shards (expired ones hidden), filtered by ShardFilter, paginated by NextToken
// (valid 300 s) or ExclusiveStartShardId.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html
import { KinesisApiError, invalidArgument, streamNotFound } from '../errors.ts';
import { parseShardId } from '../model/sequence.ts';
import type { ShardMeta } from '../model/types.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { byOrdinal, decodeToken, describeShard, encodeToken, shardId, streamArn, streamId, streamName } from './shapes.ts';

export const constraints: ConstraintTable = {
  StreamName: streamName,
  NextToken: { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 1048576 },
  ExclusiveStartShardId: shardId,
  MaxResults: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: 10000 },
  StreamCreationTimestamp: { type: 'Timestamp' },
  ShardFilter: {
    type: 'Structure',
    members: {
      Type: {
        type: 'String',
        notNull: true,
        enum: ['AFTER_SHARD_ID', 'AT_TRIM_HORIZON', 'FROM_TRIM_HORIZON', 'AT_LATEST', 'AT_TIMESTAMP', 'FROM_TIMESTAMP'],
      },
      ShardId: shardId,
      Timestamp: { type: 'Timestamp' },
    },
  },
  StreamARN: streamArn,
  StreamId: streamId,
};

type FilterType = 'AFTER_SHARD_ID' | 'AT_TRIM_HORIZON' | 'FROM_TRIM_HORIZON' | 'AT_LATEST' | 'AT_TIMESTAMP' | 'FROM_TIMESTAMP';

interface ShardFilter {
  Type: FilterType;
  ShardId?: string;
  /** Epoch ms. */
  Timestamp?: number;
}

interface Input {
  StreamName?: string;
  NextToken?: string;
  ExclusiveStartShardId?: string;
  MaxResults?: number;
  /** Epoch ms. */
  StreamCreationTimestamp?: number;
  ShardFilter?: ShardFilter;
  StreamARN?: string;
}

/** AWS: MaxResults up to 10000 is accepted, but at most 1000 shards come back. */
const PAGE_MAX = 1000;
export const NEXT_TOKEN_TTL_MS = 300_000;

interface Token {
  stream: string;
  created: number;
  after: number;
  filter?: ShardFilter;
  issued: number;
}

export const listShards: Operation<Input> = {
  name: 'ListShards',
  constraints,
  async run(input, ctx) {
    const { accountId } = ctx.options;
    const now = ctx.clock.now();
    let name: string;
    let after = -1;
    let filter = input.ShardFilter;
    let createdAtMs: number | undefined;
    if (input.NextToken !== undefined) {
      // kinesalite's AWS-recorded texts for StreamName; the other two are UNVERIFIED, worded alike.
      if (input.StreamName !== undefined || input.StreamARN !== undefined) {
        throw invalidArgument('NextToken and StreamName cannot be provided together.');
      }
      if (input.ExclusiveStartShardId !== undefined) throw invalidArgument('NextToken and ExclusiveStartShardId cannot be provided together.');
      if (input.StreamCreationTimestamp !== undefined) throw invalidArgument('NextToken and StreamCreationTimestamp cannot be provided together.');
      if (input.ShardFilter !== undefined) throw invalidArgument('NextToken and ShardFilter cannot be provided together.');
      const token = decodeToken('ListShards', input.NextToken) as Token | undefined;
      // UNVERIFIED: AWS's texts for a token it did not issue and for an expired one.
      if (!token || typeof token.stream !== 'string' || typeof token.after !== 'number' || typeof token.issued !== 'number') {
        throw invalidArgument(`Invalid NextToken: ${input.NextToken}`);
      }
      if (now - token.issued > NEXT_TOKEN_TTL_MS) {
        throw new KinesisApiError('ExpiredNextTokenException', `The NextToken has expired: ${input.NextToken}`);
      }
      name = token.stream;
      after = token.after;
      createdAtMs = token.created;
      filter = token.filter;
    } else {
      if (input.StreamName === undefined && input.StreamARN === undefined) {
        throw invalidArgument('Either NextToken or StreamName should be provided.');
      }
      name = ctx.store.parseRef(input).name;
    }
    const stream = ctx.store.resolve(input.NextToken !== undefined ? { StreamName: name } : input);
    if (createdAtMs !== undefined && stream.meta.createdAtMs !== createdAtMs) throw streamNotFound(name, accountId);
    // StreamCreationTimestamp tells same-named streams apart: another creation time names a stream eddy lacks.
    if (
      input.StreamCreationTimestamp !== undefined &&
      Math.floor(input.StreamCreationTimestamp / 1000) !== Math.floor(stream.meta.createdAtMs / 1000)
    ) {
      throw streamNotFound(name, accountId);
    }
    if (input.ExclusiveStartShardId !== undefined) after = Math.max(after, parseShardId(input.ExclusiveStartShardId) ?? -1);

    let shards = ctx.store.visibleShards(stream).sort(byOrdinal);
    if (filter) shards = applyFilter(shards, filter, stream.meta.retentionPeriodHours, stream.meta.createdAtMs, now);
    shards = shards.filter((s) => s.ordinal > after);
    const limit = Math.min(input.MaxResults ?? PAGE_MAX, PAGE_MAX);
    const page = shards.slice(0, limit);
    const out: Record<string, unknown> = { Shards: page.map(describeShard) };
    if (shards.length > limit) {
      const token: Token = { stream: stream.meta.name, created: stream.meta.createdAtMs, after: page.at(-1)!.ordinal, issued: now };
      if (filter) token.filter = filter;
      out['NextToken'] = encodeToken('ListShards', token as unknown as Record<string, unknown>);
    }
    return out;
  },
};

/** Whether a shard was open at time t (created at or before it, not closed by then). */
const openAt = (s: ShardMeta, t: number): boolean => s.createdAtMs <= t && (s.closedAtMs === undefined || s.closedAtMs > t);

function applyFilter(shards: ShardMeta[], filter: ShardFilter, retentionHours: number, streamCreatedAtMs: number, now: number): ShardMeta[] {
  const needsShardId = filter.Type === 'AFTER_SHARD_ID';
  // UNVERIFIED wording of both messages.
  if (needsShardId && filter.ShardId === undefined) {
    throw invalidArgument('ShardId must be specified in the ShardFilter when the Type is AFTER_SHARD_ID.');
  }
  if (!needsShardId && filter.ShardId !== undefined) {
    throw invalidArgument(`ShardId must not be specified in the ShardFilter when the Type is ${filter.Type}.`);
  }
  const needsTime = filter.Type === 'AT_TIMESTAMP' || filter.Type === 'FROM_TIMESTAMP';
  if (needsTime && filter.Timestamp === undefined) {
    throw invalidArgument(`Timestamp must be specified in the ShardFilter when the Type is ${filter.Type}.`);
  }
  if (!needsTime && filter.Timestamp !== undefined) {
    throw invalidArgument(`Timestamp must not be specified in the ShardFilter when the Type is ${filter.Type}.`);
  }
  // The trim horizon: the retention period back from now, but not before the stream existed.
  const horizon = Math.max(now - retentionHours * 3_600_000, streamCreatedAtMs);
  switch (filter.Type) {
    case 'AFTER_SHARD_ID': {
      const after = parseShardId(filter.ShardId!) ?? -1;
      return shards.filter((s) => s.ordinal > after);
    }
    case 'AT_TRIM_HORIZON':
      return shards.filter((s) => openAt(s, horizon));
    case 'FROM_TRIM_HORIZON':
      return shards;
    case 'AT_LATEST':
      return shards.filter((s) => s.closedAtMs === undefined);
    case 'AT_TIMESTAMP': {
      // A time before the stream existed means its first shards.
      const t = Math.max(filter.Timestamp!, streamCreatedAtMs);
      return shards.filter((s) => openAt(s, t));
    }
    case 'FROM_TIMESTAMP': {
      const t = Math.max(filter.Timestamp!, streamCreatedAtMs);
      return shards.filter((s) => s.closedAtMs === undefined || s.closedAtMs > t);
    }
  }
}
