// The eddy command line: one commander program, each command in its own module under cli/commands/.
import { Command, CommanderError } from 'commander';
import { hasErrorCode } from '../runtime/errors.ts';
import { exitCodes } from './exit-codes.ts';
import { applyBooleanEnv } from './options.ts';
import { registerCost } from './commands/cost.ts';
import { registerDestinations } from './commands/destinations.ts';
import { registerEvents } from './commands/events.ts';
import { registerInvoke } from './commands/invoke.ts';
import { registerLogs } from './commands/logs.ts';
import { registerPut } from './commands/put.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerStart } from './commands/start.ts';
import { registerStatus } from './commands/status.ts';
import { registerStreams } from './commands/streams.ts';
import { registerTail } from './commands/tail.ts';

const program = new Command('eddy')
  .description('A local AWS Lambda + Kinesis runtime')
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (_program, command) => applyBooleanEnv(command));

registerStart(program);
registerInvoke(program);
registerPut(program);
registerTail(program);
registerStreams(program);
registerStatus(program);
registerLogs(program);
registerEvents(program);
registerCost(program);
registerDestinations(program);
registerSimulate(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : exitCodes.usage;
  } else {
    const code = (err as { code?: string }).code;
    console.error(`eddy: ${(err as Error).message}${code?.startsWith('EDDY_ERR_') ? ` (${code})` : ''}`);
    process.exitCode = hasErrorCode(err, 'EDDY_ERR_NOT_RUNNING')
      ? exitCodes.notRunning
      : hasErrorCode(err, 'EDDY_ERR_BUDGET_EXCEEDED')
        ? exitCodes.budgetExceeded
        : hasErrorCode(err, 'EDDY_ERR_OPTION_INVALID') || hasErrorCode(err, 'EDDY_ERR_CONFIG_INVALID') || hasErrorCode(err, 'EDDY_ERR_WORKLOAD_INVALID')
          ? exitCodes.usage
          : exitCodes.failure;
  }
}
