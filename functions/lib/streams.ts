// Writing records to a stream from a handler, with the SDK client every handler shares per environment.
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

// Module scope: created once per execution environment and reused while it is warm, as on Lambda.
const kinesis = new KinesisClient({});

/** Writes items as JSON records keyed by `key`; throws if any record was not written. */
export async function putJson(streamName: string, items: Array<{ key: string; value: unknown }>): Promise<void> {
  const failed = await putJsonPartial(streamName, items);
  if (failed.length > 0) throw new Error(`${failed.length} records were not written to ${streamName}`);
}

/**
 * Writes items as JSON records keyed by `key` and returns the indexes of the items PutRecords did not write
 * (a throttled shard fails single records, not the call).
 */
export async function putJsonPartial(streamName: string, items: Array<{ key: string; value: unknown }>): Promise<number[]> {
  const failed: number[] = [];
  for (let i = 0; i < items.length; i += 500) {
    const chunk = items.slice(i, i + 500);
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((item) => ({ PartitionKey: item.key, Data: Buffer.from(JSON.stringify(item.value)) })),
      }),
    );
    if (out.FailedRecordCount) out.Records?.forEach((r, j) => r.ErrorCode && failed.push(i + j));
  }
  return failed;
}

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
