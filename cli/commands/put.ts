// `eddy put <stream>`: writes records from --data, an NDJSON --file, or stdin (one record per line).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { Command } from 'commander';
import { EddyError } from '../../runtime/errors.ts';
import { findEndpoint, kinesisClient, type ConnectFlags } from '../connect.ts';
import { option } from '../options.ts';
import { printJson } from '../output.ts';

interface PutFlags extends ConnectFlags {
  data?: string;
  file?: string;
  partitionKey?: string;
  json: boolean;
}

export function registerPut(program: Command): void {
  program
    .command('put')
    .description('write records to a stream: --data, an NDJSON --file, or stdin (one record per line)')
    .argument('<stream>', 'stream name or ARN')
    .option('--data <string>', 'one record')
    .option('--file <path>', 'NDJSON file, one record per line')
    .option('--partition-key <key>', 'partition key (default: a random one per record)')
    .addOption(option('endpoint'))
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .addOption(option('json'))
    .action(async (stream: string, flags: PutFlags) => {
      if (flags.data !== undefined && flags.file !== undefined) {
        throw new EddyError('EDDY_ERR_OPTION_INVALID', '--data and --file cannot be used together');
      }
      const client = kinesisClient(findEndpoint(flags));
      const target = stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream };
      let written = 0;
      let failed = 0;
      let batch: PutRecordsRequestEntry[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const out = await client.send(new PutRecordsCommand({ ...target, Records: batch }));
        failed += out.FailedRecordCount ?? 0;
        written += batch.length - (out.FailedRecordCount ?? 0);
        batch = [];
      };
      const add = async (line: string): Promise<void> => {
        batch.push({
          Data: Buffer.from(line),
          PartitionKey: flags.partitionKey ?? Math.random().toString(36).slice(2, 12),
        });
        if (batch.length === 500) await flush();
      };
      if (flags.data !== undefined) await add(flags.data);
      else {
        const input = flags.file ? createReadStream(flags.file) : process.stdin;
        for await (const line of createInterface({ input, crlfDelay: Infinity })) if (line.trim()) await add(line);
      }
      await flush();
      client.destroy();
      if (flags.json) printJson({ written, failed });
      else process.stdout.write(`${written} record(s) written${failed ? `, ${failed} failed` : ''}\n`);
      if (failed) process.exitCode = 1;
    });
}
