// `eddy destinations [arn]`: the records kept for destinations eddy does not emulate (SQS, SNS, S3,
// EventBridge, functions not deployed here): on-failure records of mappings and async invocations, and
// async onSuccess records. From the running eddy, else from the data dir's files.
import type { Command } from 'commander';
import { readOutboxOfDataDir, type OutboxEntry } from '../../runtime/lambda/async/outbox.ts';
import { hasErrorCode } from '../../runtime/errors.ts';
import { dataDirOf, findEndpoint, getFromEddy, type ConnectFlags } from '../connect.ts';
import { option } from '../options.ts';
import { formatTable, printJson } from '../output.ts';

interface DestinationsFlags extends ConnectFlags {
  json: boolean;
}

export function registerDestinations(program: Command): void {
  program
    .command('destinations')
    .description('records kept for destinations eddy does not emulate (SQS, SNS, S3, EventBridge), oldest first')
    .argument('[arn]', 'only the records for this destination ARN')
    .addOption(option('json'))
    .addOption(option('endpoint'))
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .action(async (arn: string | undefined, flags: DestinationsFlags) => {
      const entries = (await outbox(flags)).filter((e) => arn === undefined || e.arn === arn);
      if (flags.json) return printJson(entries);
      if (entries.length === 0) return void process.stdout.write('no destination records\n');
      const rows = entries.map((e) => {
        const { requestContext } = (e.record ?? {}) as { requestContext?: { condition?: string; functionArn?: string } };
        return [
          new Date(e.atMs).toISOString(),
          e.service,
          e.arn,
          requestContext?.condition ?? '-',
          requestContext?.functionArn?.split(':').slice(6, 7).join('') || '-',
        ];
      });
      process.stdout.write(`${formatTable(['TIME', 'SERVICE', 'DESTINATION', 'CONDITION', 'FUNCTION'], rows)}\n`);
    });
}

async function outbox(flags: DestinationsFlags): Promise<OutboxEntry[]> {
  try {
    return await getFromEddy<OutboxEntry[]>(findEndpoint(flags), '/_eddy/destinations');
  } catch (err) {
    if (!hasErrorCode(err, 'EDDY_ERR_NOT_RUNNING') || flags.endpoint) throw err;
    return readOutboxOfDataDir(dataDirOf(flags));
  }
}
