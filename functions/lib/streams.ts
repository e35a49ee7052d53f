// Writing records to a stream from a handler, with the SDK client every handler shares per environment.
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

// Module scope: created once per execution environment and reused while it is warm, as on Lambda.
const kinesis = new KinesisClient({});

export async function putJson(streamName: string, items: Array<{ key: string; value: unknown }>): Promise<void> {
  for (let i = 0; i < items.length; i += 500) {
    const chunk = items.slice(i, i + 500);
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((item) => ({ PartitionKey: item.key, Data: Buffer.from(JSON.stringify(item.value)) })),
      }),
    );
    if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records were not written to ${streamName}`);
  }
}

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
