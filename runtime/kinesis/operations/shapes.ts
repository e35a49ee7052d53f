// Constraint fragments shared by the operations' tables, and the output shapes several operations return.
// Patterns and lengths are the Kinesis API model's; where kinesalite recorded AWS's printed pattern
// (StreamName, ShardId ...) that spelling is used, since it appears verbatim in ValidationException messages.
import { endingSequenceNumber, startingSequenceNumber } from '../model/sequence.ts';
import type { ShardMeta, StreamMeta } from '../model/types.ts';
import { wireTimestamp, type WireTimestamp } from '../operation.ts';
import type { Constraint } from '../validation.ts';

export const streamName: Constraint = {
  type: 'String',
  regex: '[a-zA-Z0-9_.-]+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 128,
};

/** StreamName where AWS requires it (CreateStream). */
export const requiredStreamName: Constraint = {
  type: 'String',
  notNull: true,
  regex: '[a-zA-Z0-9_.-]+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 128,
};

export const streamArn: Constraint = {
  type: 'String',
  regex: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 2048,
};

export const requiredStreamArn: Constraint = {
  type: 'String',
  notNull: true,
  regex: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 2048,
};

/** The model's newer StreamId member: accepted and ignored (eddy names streams by name or ARN). */
export const streamId: Constraint = { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 };

export const consumerName: Constraint = {
  type: 'String',
  regex: '[a-zA-Z0-9_.-]+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 128,
};

export const consumerArn: Constraint = {
  type: 'String',
  regex: '^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 2048,
};

export const resourceArn: Constraint = {
  type: 'String',
  notNull: true,
  regex: 'arn:aws.*:kinesis:.*:\\d{12}:.+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 2048,
};

export const shardId: Constraint = {
  type: 'String',
  regex: '[a-zA-Z0-9_.-]+',
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 128,
};

export const nextToken: Constraint = { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 1048576 };

export const streamModeDetails: Constraint = {
  type: 'Structure',
  members: {
    StreamMode: { type: 'String', notNull: true, enum: ['PROVISIONED', 'ON_DEMAND'] },
  },
};

/** A tag map (AddTagsToStream, TagResource, CreateStream, RegisterStreamConsumer): at most 50 tags a call. */
export function tagMap(notNull: boolean): Constraint {
  return {
    type: 'Map',
    ...(notNull ? { notNull: true } : {}),
    lengthGreaterThanOrEqual: 1,
    lengthLessThanOrEqual: 50,
    childKeyLengths: [1, 128],
    childValueLengths: [0, 256],
    children: { type: 'String' },
  };
}

export const tagKeyList: Constraint = {
  type: 'List',
  notNull: true,
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 50,
  childLengths: [1, 128],
  children: { type: 'String' },
};

/** A shard as DescribeStream and ListShards return it. */
export function describeShard(shard: ShardMeta): Record<string, unknown> {
  const out: Record<string, unknown> = { ShardId: shard.shardId };
  if (shard.parentShardId !== undefined) out['ParentShardId'] = shard.parentShardId;
  if (shard.adjacentParentShardId !== undefined) out['AdjacentParentShardId'] = shard.adjacentParentShardId;
  out['HashKeyRange'] = { StartingHashKey: shard.startingHashKey, EndingHashKey: shard.endingHashKey };
  const range: Record<string, string> = { StartingSequenceNumber: startingSequenceNumber(shard) };
  if (shard.closedAtMs !== undefined) {
    range['EndingSequenceNumber'] = endingSequenceNumber(shard, BigInt(shard.closedAtIndex ?? '0'), shard.closedAtMs);
  }
  out['SequenceNumberRange'] = range;
  return out;
}

/** StreamCreationTimestamp: whole seconds, as AWS reports it. */
export function creationTimestamp(meta: StreamMeta): WireTimestamp {
  return wireTimestamp(Math.floor(meta.createdAtMs / 1000) * 1000);
}

export function streamModeOf(meta: StreamMeta): { StreamMode: string } {
  return { StreamMode: meta.mode };
}

/** Sort by ordinal (creation order), as AWS lists shards. */
export function byOrdinal(a: ShardMeta, b: ShardMeta): number {
  return a.ordinal - b.ordinal;
}

/** Opaque pagination tokens: base64 JSON of what the next page starts after, tied to the operation. */
export function encodeToken(kind: string, value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...value }), 'utf8').toString('base64');
}

export function decodeToken(kind: string, token: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && (v as { k?: unknown }).k === kind) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return undefined;
}

/** Characters AWS accepts in tag keys and values (kinesalite's AWS-recorded check). */
const TAG_BAD_CHAR = /[^\u00C0-\u1FFF\u2C00-\uD7FF\w./\-=+_ @%]/;

export function checkTagCharacters(
  strings: readonly string[],
  verb: 'add tags to' | 'remove tags from',
  stream: string,
  accountId: string,
): string | undefined {
  if (strings.some((s) => TAG_BAD_CHAR.test(s))) {
    return 'Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.';
  }
  if (strings.some((s) => s.includes('%'))) {
    return (
      `Failed to ${verb} stream ${stream} under account ${accountId} because some tags contained illegal characters. ` +
      "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
    );
  }
  return undefined;
}
