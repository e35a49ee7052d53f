// `eddy invoke <function>`: invokes a function through the Lambda API of a running eddy, or, when none is
// running, of one started in this process for the call (like `serverless invoke local`).
import { Option, type Command } from 'commander';
import { Emulator } from '../../runtime/emulator.ts';
import { hasErrorCode } from '../../runtime/errors.ts';
import { runInvoke } from '../../runtime/lambda/api/cli-invoke.ts';
import { findEndpoint, type ConnectFlags } from '../connect.ts';
import { option } from '../options.ts';

interface InvokeFlags extends ConnectFlags {
  event?: string;
  data?: string;
  logType: 'None' | 'Tail';
  invocationType: 'RequestResponse' | 'Event' | 'DryRun';
  stage?: string;
  region?: string;
}

export function registerInvoke(program: Command): void {
  program
    .command('invoke')
    .description('invoke a function and print its result (stdout) and log (stderr)')
    .argument('<function>', 'function key, deployed name or ARN')
    .option('--event <file>', 'JSON file holding the event')
    .option('--data <json>', 'the event as JSON text')
    .addOption(new Option('--log-type <type>', 'Tail prints the last 4 KB of the log').choices(['None', 'Tail']).default('Tail'))
    .addOption(
      new Option('--invocation-type <type>', 'how to invoke')
        .choices(['RequestResponse', 'Event', 'DryRun'])
        .default('RequestResponse'),
    )
    .addOption(option('endpoint'))
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .addOption(option('stage'))
    .addOption(option('region'))
    .action(async (fn: string, flags: InvokeFlags) => {
      let endpoint: string;
      let local: Emulator | undefined;
      try {
        endpoint = findEndpoint(flags);
      } catch (err) {
        if (!hasErrorCode(err, 'EDDY_ERR_NOT_RUNNING') || flags.endpoint) throw err;
        local = await Emulator.start({
          port: 0,
          ...(flags.dir !== undefined && { dir: flags.dir }),
          ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
          ...(flags.stage !== undefined && { stage: flags.stage }),
          ...(flags.region !== undefined && { region: flags.region }),
        });
        endpoint = local.endpoint;
      }
      try {
        const code = await runInvoke({
          endpoint,
          functionName: fn,
          logType: flags.logType,
          invocationType: flags.invocationType,
          pretty: Boolean(process.stdout.isTTY),
          ...(flags.event !== undefined && { event: flags.event }),
          ...(flags.data !== undefined && { data: flags.data }),
          ...(flags.region !== undefined && { region: flags.region }),
        });
        // runInvoke answers with the CLI's exit codes (cli/exit-codes.ts): 0, 1, 2, or 4 when nobody answers.
        process.exitCode = code;
        // An eddy started for this call lives until the event has run (else it would wait for the next start).
        if (local && code === 0 && flags.invocationType === 'Event') await local.asyncSettled();
      } finally {
        await local?.stop();
      }
    });
}
