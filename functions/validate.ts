// Pipes and filters, step 1: keeps well-formed events and passes them on; malformed ones are reported as
// batch item failures (after the mapping's retries they go to its failure handling).
import type { KinesisStreamBatchResponse, KinesisStreamHandler } from 'aws-lambda';
import { decode, isDemoEvent, type DemoEvent } from './lib/event.ts';
import { env, putJson } from './lib/streams.ts';

export const handler: KinesisStreamHandler = async (event): Promise<KinesisStreamBatchResponse> => {
  const valid: Array<{ key: string; value: DemoEvent }> = [];
  const failures: KinesisStreamBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let parsed: unknown;
    try {
      parsed = decode(record);
    } catch {
      parsed = undefined;
    }
    if (isDemoEvent(parsed)) valid.push({ key: parsed.key, value: parsed });
    else {
      console.warn(`invalid event at ${record.kinesis.sequenceNumber}`);
      failures.push({ itemIdentifier: record.kinesis.sequenceNumber });
    }
  }
  await putJson(env('VALID_STREAM'), valid);
  return { batchItemFailures: failures };
};
