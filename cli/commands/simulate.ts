// `eddy simulate --workload workload.yml`: drive a workload through the real pipeline and project the monthly bill.
import { Option, type Command } from 'commander';
import { colorAllowed } from '../../runtime/terminal.ts';
import {
  budgetError,
  parseBudget,
  parseDurationScale,
  parseDurationStatistic,
  parseMemoryList,
  parseSample,
  parseSpeed,
  runSimulateCommand,
} from '../../runtime/cost/simulate/index.ts';
import { option } from '../options.ts';

interface SimulateFlags {
  dir: string;
  workload: string;
  speed: number;
  sample?: number;
  memory?: number[];
  durationScale: number;
  durationStatistic: 'mean' | 'p50' | 'mode';
  budget?: number;
  pricing?: string;
  freeTier: boolean;
  json: boolean;
  format?: 'table' | 'json' | 'markdown' | 'html';
  out?: string;
  stage?: string;
  region?: string;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('drive a workload through the pipeline (limits enforced) and project the monthly AWS bill')
    .requiredOption('--workload <file>', 'the workload file (workload.yml)')
    .addOption(new Option('--speed <x>', 'simulated seconds per real second').argParser(parseSpeed).default(1))
    .addOption(
      new Option('--sample <duration>', 'traverse the workload in this much time at its real rates (e.g. 60s)').argParser(
        parseSample,
      ),
    )
    .addOption(new Option('--memory <list>', 'repeat per memory size, e.g. 128,256,512,1024').argParser(parseMemoryList))
    .addOption(
      new Option('--duration-scale <x>', 'multiply local durations (calibrate to AWS)').argParser(parseDurationScale).default(1),
    )
    .addOption(
      new Option(
        '--duration-statistic <s>',
        'bill each invocation at its own duration (mean), the median (p50) or the most frequent (mode)',
      )
        .argParser(parseDurationStatistic)
        .default('mean'),
    )
    .addOption(new Option('--budget <dollars>', 'exit 3 when the monthly projection is over it').argParser(parseBudget))
    .option('--pricing <file>', 'a prices.json that overrides the built-in price table')
    .option('--no-free-tier', 'leave the monthly free tier out')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown', 'html']))
    .option('--out <file>', 'also write the report to a file (.html, .md, .json by extension)')
    .addOption(option('json'))
    .addOption(option('dir'))
    .addOption(option('stage'))
    .addOption(option('region'))
    .action(async (flags: SimulateFlags) => {
      const result = await runSimulateCommand({
        dir: flags.dir,
        workload: flags.workload,
        speed: flags.speed,
        durationScale: flags.durationScale,
        durationStatistic: flags.durationStatistic,
        freeTier: flags.freeTier,
        format: flags.format ?? (flags.json ? 'json' : 'table'),
        color: colorAllowed(process.stdout),
        progress: process.stderr,
        ...(flags.sample !== undefined && { sampleMs: flags.sample }),
        ...(flags.memory !== undefined && { memory: flags.memory }),
        ...(flags.budget !== undefined && { budget: flags.budget }),
        ...(flags.pricing !== undefined && { pricing: flags.pricing }),
        ...(flags.out !== undefined && { out: flags.out }),
        ...(flags.stage !== undefined && { stage: flags.stage }),
        ...(flags.region !== undefined && { region: flags.region }),
      });
      process.stdout.write(`${result.output}\n`);
      if (result.written) process.stderr.write(`eddy | report written to ${result.written}\n`);
      if (result.report.budget) {
        const err = budgetError(result.report.budget);
        if (err) throw err;
      }
    });
}
