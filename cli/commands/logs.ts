// `eddy logs <function>`: prints a function's Lambda-format log kept in the data dir; --follow keeps printing.
import { createReadStream, existsSync, mkdirSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EddyError } from '../../runtime/errors.ts';
import { dataDirOf, type ConnectFlags } from '../connect.ts';
import { option } from '../options.ts';

interface LogsFlags extends ConnectFlags {
  follow: boolean;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("print a function's log (START/END/REPORT and console lines), as kept in the data dir")
    .argument('<function>', 'function key (as under `functions:` in serverless.yml)')
    .option('-f, --follow', 'keep printing new lines as they are written', false)
    .addOption(option('dir'))
    .addOption(option('dataDir'))
    .action(async (fn: string, flags: LogsFlags) => {
      const file = path.join(dataDirOf(flags), 'logs', `${fn}.log`);
      if (!existsSync(file) && !flags.follow) {
        throw new EddyError('EDDY_ERR_FUNCTION_NOT_FOUND', `No log for function "${fn}" (${file} does not exist)`);
      }
      let offset = 0;
      const printFrom = (): Promise<void> =>
        new Promise((resolve) => {
          if (!existsSync(file)) return resolve();
          const size = statSync(file).size;
          if (size < offset) offset = 0; // the log was rotated: start over
          if (size === offset) return resolve();
          const stream = createReadStream(file, { start: offset, end: size - 1 });
          stream.on('data', (chunk) => process.stdout.write(chunk));
          stream.on('end', () => {
            offset = size;
            resolve();
          });
          stream.on('error', () => resolve());
        });
      await printFrom();
      if (!flags.follow) return;
      mkdirSync(path.dirname(file), { recursive: true });
      let running = Promise.resolve();
      const watcher = watch(path.dirname(file), { persistent: true }, () => {
        running = running.then(printFrom);
      });
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      watcher.close();
    });
}
