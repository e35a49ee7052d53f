// `eddy cost`: what the running eddy's metered window (or the last run's) would cost per month on AWS.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { colorAllowed } from '../../runtime/terminal.ts';
import { costReport, loadPrices, readSnapshotFile, render, type CostSnapshot } from '../../runtime/cost/index.ts';
import { EddyError, hasErrorCode } from '../../runtime/errors.ts';
import { COST_SNAPSHOT_FILE } from '../../runtime/emulator.ts';
import { dataDirOf, findEndpoint, getFromEddy, type ConnectFlags } from '../connect.ts';
import { option } from '../options.ts';

interface CostFlags extends ConnectFlags {
  json: boolean;
  format?: 'table' | 'json' | 'markdown' | 'html';
  pricing?: string;
  freeTier: boolean;
}

export function registerCost(program: Command): void {
  program
    .command('cost')
    .description('what the current (or last) run cost, projected per month at the observed rate')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown', 'html']))
    .option('--pricing <file>', 'a prices.json that overrides the built-in price table')
    .option('--no-free-tier', 'leave the monthly free tier out')
    .addOption(option('json'))
    .addOption(option('endpoint'))
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .action(async (flags: CostFlags) => {
      const snapshot = await currentSnapshot(flags);
      const report = costReport(snapshot, loadPrices(flags.pricing), { freeTier: flags.freeTier });
      const format = flags.format ?? (flags.json ? 'json' : 'table');
      process.stdout.write(`${render(report, format, { color: colorAllowed(process.stdout) })}\n`);
    });
}

async function currentSnapshot(flags: CostFlags): Promise<CostSnapshot> {
  try {
    return await getFromEddy<CostSnapshot>(findEndpoint(flags), '/_eddy/cost');
  } catch (err) {
    if (!hasErrorCode(err, 'EDDY_ERR_NOT_RUNNING') || flags.endpoint) throw err;
    const file = path.join(dataDirOf(flags), COST_SNAPSHOT_FILE);
    try {
      return await readSnapshotFile(file);
    } catch {
      throw new EddyError('EDDY_ERR_NOT_RUNNING', `No running eddy and no metered run in ${file}; run "eddy start" first`);
    }
  }
}
