// The one list of operations the Kinesis router serves. Add an operation by importing its module and
// appending it here.
import type { Operation } from '../operation.ts';
import { createStream } from './create-stream.ts';
import { deleteStream } from './delete-stream.ts';
import { describeLimits } from './describe-limits.ts';
import { describeStream } from './describe-stream.ts';
import { describeStreamSummary } from './describe-stream-summary.ts';
import { listStreams } from './list-streams.ts';
import { subscribeToShard } from './subscribe-to-shard.ts';

export const operations: readonly Operation[] = [
  createStream,
  deleteStream,
  listStreams,
  describeStream,
  describeStreamSummary,
  describeLimits,
  subscribeToShard,
  // -- data plane (B2) below --
];
