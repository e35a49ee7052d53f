// `eddy status`: the running eddy's functions and, per event-source mapping and shard, how far behind it is
// and how it has been going (invocations, errors, retries, filtered records).
import type { Command } from 'commander';
import type { EddyStatus } from '../../runtime/emulator.ts';
import { findEndpoint, getFromEddy, type ConnectFlags } from '../connect.ts';
import { option } from '../options.ts';
import { formatTable, paint, printJson } from '../output.ts';

interface StatusFlags extends ConnectFlags {
  json: boolean;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('functions and event-source mappings of the running eddy, per shard')
    .addOption(option('json'))
    .addOption(option('endpoint'))
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .action(async (flags: StatusFlags) => {
      const status = await getFromEddy<EddyStatus>(findEndpoint(flags), '/_eddy/status');
      if (flags.json) return printJson(status);
      const out: string[] = [`${paint('bold', status.service)} (${status.stage}) at ${status.endpoint}`, ''];
      out.push(
        formatTable(
          ['FUNCTION', 'NAME', 'MEMORY'],
          status.functions.map((f) => [f.key, f.name, `${f.memorySize} MB`]),
        ),
        '',
      );
      const rows = status.mappings.flatMap((m) => {
        const stream = m.eventSourceArn.split('/').pop() ?? m.eventSourceArn;
        // A mapping that reads no shard (disabled, or its stream does not exist yet) still gets its row.
        if (m.shards.length === 0) return [[m.functionName, stream, '-', m.state, '-', '-', '-', '-', '-', '-', m.lastProcessingResult]];
        return m.shards.map((s) => [
          m.functionName,
          stream,
          s.shardId,
          m.state,
          `${s.iteratorAgeMs} ms`,
          `${s.millisBehindLatest} ms`,
          s.invocations,
          s.errors,
          s.retries,
          s.recordsFiltered,
          s.lastProcessingResult,
        ]);
      });
      out.push(
        status.mappings.length === 0
          ? 'no event-source mappings'
          : formatTable(
              ['FUNCTION', 'STREAM', 'SHARD', 'STATE', 'ITERATOR AGE', 'BEHIND', 'INVOKES', 'ERRORS', 'RETRIES', 'FILTERED', 'LAST RESULT'],
              rows,
            ),
      );
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
