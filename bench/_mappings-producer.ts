// The producer side of bench/mappings.ts, in its own process as a user's application runs: the unmodified
// SDK puts records with PutRecords (500 a call, N calls in flight), one job per IPC command from the
// parent, answering the milliseconds the job took.
// Usage: run-ts.js bench/_mappings-producer.ts
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const DATA = Buffer.from(JSON.stringify({ bench: true, pad: 'x'.repeat(80) }));
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** One command from the parent: put `records` into `stream` at `endpoint`, or finish. */
export type ProducerCommand =
  | { endpoint: string; transport: 'h2' | 'h1'; stream: string; records: number; inflight: number }
  | { exit: true };

const clients = new Map<string, KinesisClient>();

function clientFor(endpoint: string, transport: 'h2' | 'h1'): KinesisClient {
  let client = clients.get(endpoint);
  if (!client) {
    client = new KinesisClient({
      endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      ...(transport === 'h1' ? { requestHandler: new NodeHttpHandler() } : {}),
    });
    clients.set(endpoint, client);
  }
  return client;
}

async function produce(client: KinesisClient, stream: string, n: number, inflight: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const count = Math.min(500, n - next);
      const base = next;
      next += count;
      const out = await client.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: Array.from({ length: count }, (_, i) => ({ PartitionKey: `pk-${(base + i) % 997}`, Data: DATA })),
        }),
      );
      if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  return performance.now() - start;
}

process.on('message', (cmd: ProducerCommand) => {
  if ('exit' in cmd) {
    for (const c of clients.values()) c.destroy();
    process.disconnect();
    return;
  }
  produce(clientFor(cmd.endpoint, cmd.transport), cmd.stream, cmd.records, cmd.inflight).then(
    (ms) => process.send!({ ms }),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
process.send!({ ready: true });
