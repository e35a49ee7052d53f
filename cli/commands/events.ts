// `eddy events kinesis`: prints a sample Kinesis event, like `sam local generate-event`, to feed `eddy invoke`.
import { createHash } from 'node:crypto';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { Command } from 'commander';
import { integer } from '../options.ts';

interface EventsFlags {
  records: number;
  stream: string;
  region: string;
  data?: string;
  partitionKey: string;
}

export function registerEvents(program: Command): void {
  const events = program.command('events').description('print sample events for `eddy invoke --event`');
  events
    .command('kinesis')
    .description('a Kinesis stream event as an event-source mapping delivers it')
    .option('--records <n>', 'number of records (1 to 10000)', integer('--records', 1, 10_000), 1)
    .option('--stream <name>', 'stream name', 'events')
    .option('--region <region>', 'region', 'us-east-1')
    .option('--data <string>', 'the data of every record (default: a small JSON document)')
    .option('--partition-key <key>', 'partition key', 'pk-1')
    .action((flags: EventsFlags) => {
      process.stdout.write(`${JSON.stringify(sampleKinesisEvent(flags), null, 2)}\n`);
    });
}

export function sampleKinesisEvent(flags: EventsFlags): KinesisStreamEvent {
  const shardId = 'shardId-000000000000';
  const base = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  const arrival = Math.floor(Date.now()) / 1000;
  return {
    Records: Array.from({ length: Math.max(1, flags.records) }, (_, i) => {
      const sequenceNumber = (base + BigInt(i)).toString();
      const data = flags.data ?? JSON.stringify({ id: createHash('md5').update(String(i)).digest('hex').slice(0, 8), n: i });
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: flags.partitionKey,
          sequenceNumber,
          data: Buffer.from(data).toString('base64'),
          approximateArrivalTimestamp: arrival,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/eddy-lambda-role',
        awsRegion: flags.region,
        eventSourceARN: `arn:aws:kinesis:${flags.region}:000000000000:stream/${flags.stream}`,
      };
    }),
  };
}
