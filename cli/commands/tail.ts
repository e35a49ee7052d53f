// `eddy tail <stream>`: prints decoded records as they arrive, from every shard, following reshards.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { Option, type Command } from 'commander';
import { findEndpoint, kinesisClient, type ConnectFlags } from '../connect.ts';
import { integer, option } from '../options.ts';
import { paint } from '../output.ts';

interface TailFlags extends ConnectFlags {
  from: 'trim-horizon' | 'latest';
  json: boolean;
  limit?: number;
}

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('print decoded records of a stream as they arrive')
    .argument('<stream>', 'stream name or ARN')
    .addOption(new Option('--from <position>', 'where to start').choices(['trim-horizon', 'latest']).default('latest'))
    .option('--limit <n>', 'stop after n records', integer('--limit', 1, Number.MAX_SAFE_INTEGER))
    .addOption(option('endpoint'))
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .addOption(option('json'))
    .action(async (stream: string, flags: TailFlags) => {
      const client = kinesisClient(findEndpoint(flags));
      const target = stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream };
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      let printed = 0;
      const print = (line: string): void => {
        process.stdout.write(`${line}\n`);
        if (flags.limit !== undefined && ++printed >= flags.limit) controller.abort();
      };
      const started = new Set<string>();
      const follow = async (shardId: string, type: 'TRIM_HORIZON' | 'LATEST'): Promise<void> => {
        started.add(shardId);
        let iterator = (
          await client.send(new GetShardIteratorCommand({ ...target, ShardId: shardId, ShardIteratorType: type }))
        ).ShardIterator;
        while (iterator && !controller.signal.aborted) {
          const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, ...(target.StreamARN ? { StreamARN: target.StreamARN } : {}) }));
          for (const r of out.Records ?? []) {
            if (controller.signal.aborted) return;
            const data = Buffer.from(r.Data ?? new Uint8Array()).toString('utf8');
            print(
              flags.json
                ? JSON.stringify({ shardId, sequenceNumber: r.SequenceNumber, partitionKey: r.PartitionKey, data })
                : `${paint('dim', `${shardId} ${r.PartitionKey}`)} ${data}`,
            );
          }
          // Children of a shard we finished are read from their start, so nothing is skipped after a reshard.
          for (const child of out.ChildShards ?? []) {
            if (!started.has(child.ShardId!)) void follow(child.ShardId!, 'TRIM_HORIZON').catch(fail);
          }
          iterator = out.NextShardIterator;
          if (!out.Records?.length) await pause(200, controller.signal);
        }
      };
      const fail = (err: unknown): void => {
        if (!controller.signal.aborted) {
          process.stderr.write(`eddy: ${(err as Error).message}\n`);
          process.exitCode = 1;
          controller.abort();
        }
      };
      const shards = await startingShards(client, target, flags.from);
      await Promise.all(shards.map((s) => follow(s.ShardId!, flags.from === 'latest' ? 'LATEST' : 'TRIM_HORIZON').catch(fail)));
      await new Promise<void>((resolve) =>
        controller.signal.aborted ? resolve() : controller.signal.addEventListener('abort', () => resolve()),
      );
      client.destroy();
    });
}

/**
 * The shards to start from: from the latest record, the open ones; from the trim horizon, the oldest
 * still listed (no listed parent), closed or not, so records written before a reshard are printed too
 * and the children follow once their parent is read to its end.
 */
async function startingShards(
  client: KinesisClient,
  target: { StreamName?: string; StreamARN?: string },
  from: TailFlags['from'],
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new ListShardsCommand(token ? { NextToken: token } : { ...target }));
    shards.push(...(out.Shards ?? []));
    token = out.NextToken;
  } while (token);
  if (from === 'latest') return shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
  const listed = new Set(shards.map((s) => s.ShardId));
  return shards.filter((s) => !listed.has(s.ParentShardId) && !listed.has(s.AdjacentParentShardId));
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
