// The one list of operations the Kinesis router serves. Add an operation by importing its module and
// appending it here.
import type { Operation } from '../operation.ts';
import { createStream } from './create-stream.ts';
import { deleteStream } from './delete-stream.ts';
import { describeLimits } from './describe-limits.ts';
import { describeStream } from './describe-stream.ts';
import { describeStreamSummary } from './describe-stream-summary.ts';
import { listStreams } from './list-streams.ts';
import { deregisterStreamConsumer, describeStreamConsumer, listStreamConsumers, registerStreamConsumer } from './consumers.ts';
import { startStreamEncryption, stopStreamEncryption } from './encryption.ts';
import { updateMaxRecordSize } from './max-record-size.ts';
import { decreaseStreamRetentionPeriod, increaseStreamRetentionPeriod } from './retention.ts';
import { subscribeToShard } from './subscribe-to-shard.ts';
import {
  addTagsToStream,
  listTagsForResource,
  listTagsForStream,
  removeTagsFromStream,
  tagResource,
  untagResource,
} from './tags.ts';
import { updateStreamMode } from './update-stream-mode.ts';
import { getRecords } from './get-records.ts';
import { getShardIterator } from './get-shard-iterator.ts';
import { listShards } from './list-shards.ts';
import { mergeShards } from './merge-shards.ts';
import { putRecord } from './put-record.ts';
import { putRecords } from './put-records.ts';
import { splitShard } from './split-shard.ts';
import { updateShardCount } from './update-shard-count.ts';

export const operations: readonly Operation[] = [
  createStream,
  deleteStream,
  listStreams,
  describeStream,
  describeStreamSummary,
  describeLimits,
  increaseStreamRetentionPeriod,
  decreaseStreamRetentionPeriod,
  updateStreamMode,
  updateMaxRecordSize,
  addTagsToStream,
  listTagsForStream,
  removeTagsFromStream,
  tagResource,
  untagResource,
  listTagsForResource,
  startStreamEncryption,
  stopStreamEncryption,
  registerStreamConsumer,
  describeStreamConsumer,
  listStreamConsumers,
  deregisterStreamConsumer,
  subscribeToShard,
  // -- data plane (B2) below --
  putRecord,
  putRecords,
  getShardIterator,
  getRecords,
  listShards,
  splitShard,
  mergeShards,
  updateShardCount,
];
