// Pipes and filters, step 1: the mapping's filter already dropped events of unknown types and non-JSON
// data; this keeps the well-formed events and passes them on. A malformed event is logged and dropped:
// retrying cannot fix it, and reporting it as a failure would make Lambda re-deliver every event after it
// (and this handler write those to `valid` again). Only events whose write to `valid` failed are reported
// as batch item failures, so Lambda retries from the first of them.
import type { KinesisStreamBatchResponse, KinesisStreamHandler, KinesisStreamRecord } from 'aws-lambda';
import { decode, isDemoEvent, type DemoEvent } from './lib/event.ts';
import { env, putJsonPartial } from './lib/streams.ts';

export const handler: KinesisStreamHandler = async (event): Promise<KinesisStreamBatchResponse> => {
  const valid: Array<{ key: string; value: DemoEvent; record: KinesisStreamRecord }> = [];
  for (const record of event.Records) {
    let parsed: unknown;
    try {
      parsed = decode(record);
    } catch {
      parsed = undefined;
    }
    if (isDemoEvent(parsed)) valid.push({ key: parsed.key, value: parsed, record });
    else console.warn(`dropped a malformed event at ${record.kinesis.sequenceNumber}`);
  }
  const failed = await putJsonPartial(env('VALID_STREAM'), valid);
  return { batchItemFailures: failed.map((i) => ({ itemIdentifier: valid[i]!.record.kinesis.sequenceNumber })) };
};
