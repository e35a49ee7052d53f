// `eddy streams [name]`: lists streams, or shows one stream's shard table (hash ranges, state, records).
import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  ListStreamsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { Command } from 'commander';
import { findEndpoint, kinesisClient, type ConnectFlags } from '../connect.ts';
import { option } from '../options.ts';
import { formatTable, printJson } from '../output.ts';

interface StreamsFlags extends ConnectFlags {
  json: boolean;
}

export function registerStreams(program: Command): void {
  program
    .command('streams')
    .description('list streams, or show the shards of one')
    .argument('[stream]', 'stream name or ARN')
    .addOption(option('endpoint'))
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .addOption(option('json'))
    .action(async (stream: string | undefined, flags: StreamsFlags) => {
      const client = kinesisClient(findEndpoint(flags));
      try {
        if (stream) await showStream(client, stream, flags.json);
        else await listStreams(client, flags.json);
      } finally {
        client.destroy();
      }
    });
}

async function listStreams(client: KinesisClient, json: boolean): Promise<void> {
  const rows: Array<{ name: string; status: string; mode: string; openShards: number; retentionHours: number }> = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListStreamsCommand(token ? { NextToken: token } : {}));
    for (const summary of page.StreamSummaries ?? []) {
      const d = (await client.send(new DescribeStreamSummaryCommand({ StreamName: summary.StreamName! })))
        .StreamDescriptionSummary!;
      rows.push({
        name: d.StreamName!,
        status: d.StreamStatus!,
        mode: d.StreamModeDetails?.StreamMode ?? 'PROVISIONED',
        openShards: d.OpenShardCount ?? 0,
        retentionHours: d.RetentionPeriodHours ?? 24,
      });
    }
    token = page.NextToken;
  } while (token);
  if (json) return printJson(rows);
  if (rows.length === 0) return void process.stdout.write('no streams\n');
  process.stdout.write(
    `${formatTable(
      ['STREAM', 'STATUS', 'MODE', 'OPEN SHARDS', 'RETENTION'],
      rows.map((r) => [r.name, r.status, r.mode, r.openShards, `${r.retentionHours} h`]),
    )}\n`,
  );
}

async function showStream(client: KinesisClient, stream: string, json: boolean): Promise<void> {
  const target = stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream };
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListShardsCommand(token ? { NextToken: token } : { ...target, ShardFilter: { Type: 'FROM_TRIM_HORIZON' } }),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  const rows = shards.map((s) => ({
    shardId: s.ShardId!,
    state: s.SequenceNumberRange?.EndingSequenceNumber ? 'CLOSED' : 'OPEN',
    parent: [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean).join('+') || '-',
    startingHashKey: s.HashKeyRange!.StartingHashKey!,
    endingHashKey: s.HashKeyRange!.EndingHashKey!,
    startingSequenceNumber: s.SequenceNumberRange!.StartingSequenceNumber!,
    endingSequenceNumber: s.SequenceNumberRange?.EndingSequenceNumber,
  }));
  if (json) return printJson(rows);
  process.stdout.write(
    `${formatTable(
      ['SHARD', 'STATE', 'PARENTS', 'HASH RANGE'],
      rows.map((r) => [r.shardId, r.state, r.parent, `${r.startingHashKey} … ${r.endingHashKey}`]),
    )}\n`,
  );
}
