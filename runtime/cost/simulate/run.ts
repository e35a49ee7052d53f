// `eddy simulate` without argv: loads the workload and prices, starts a fresh in-memory Emulator per run (limits
// enforced, on a ScaledClock under --speed, with --memory applied), drives the workload, and renders the report.
// The CLI maps flags onto SimulateCommandOptions and exits with its budget code when `overBudget` is true.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../../clock.ts';
import { Emulator } from '../../emulator.ts';
import { render, simulate, type SimulateResult } from '../commands.ts';
import { loadPrices } from '../prices.ts';
import type { ReportFormat } from '../report/index.ts';
import { ScaledClock } from './driver.ts';
import { emulatorTarget } from './emulator-target.ts';
import { renderProgress } from './progress.ts';
import { loadWorkload, sampleWorkload } from './workload.ts';

export interface SimulateCommandOptions {
  /** Folder holding serverless.yml. */
  dir: string;
  /** The workload file, relative to the working directory or else to `dir`. */
  workload: string;
  speed?: number;
  /** Traverse the workload in this many ms at its real rates (sampleWorkload). */
  sampleMs?: number;
  memory?: readonly number[];
  durationScale?: number;
  durationStatistic?: 'mean' | 'p50' | 'mode';
  budget?: number;
  pricing?: string;
  freeTier?: boolean;
  /** Output format on stdout (default table). */
  format?: ReportFormat;
  /** Also write the report to this file, in the format its extension names (.html, .md, .json, else a table). */
  out?: string;
  color?: boolean;
  stage?: string;
  region?: string;
  /** Where the progress bar goes (a TTY stream; nothing is drawn on a non-TTY). */
  progress?: { isTTY?: boolean; write(chunk: string): unknown };
}

export interface SimulateCommandResult extends SimulateResult {
  /** What to print on stdout. */
  output: string;
  /** The file written, when `out` was set. */
  written: string | undefined;
}

export function formatOfFile(file: string): ReportFormat {
  switch (path.extname(file).toLowerCase()) {
    case '.html':
    case '.htm':
      return 'html';
    case '.md':
    case '.markdown':
      return 'markdown';
    case '.json':
      return 'json';
    default:
      return 'table';
  }
}

export async function runSimulateCommand(options: SimulateCommandOptions): Promise<SimulateCommandResult> {
  // Relative to the working directory, else to --dir (so `--dir demo --workload workload.yml` finds demo's).
  const fromCwd = path.resolve(options.workload);
  const full = loadWorkload(existsSync(fromCwd) ? fromCwd : path.resolve(options.dir, options.workload));
  const workload = options.sampleMs !== undefined ? sampleWorkload(full, options.sampleMs) : full;
  const prices = loadPrices(options.pricing);
  const speed = options.speed ?? 1;
  const streams = [...new Set(workload.producers.map((p) => p.stream))];
  const tty = options.progress?.isTTY === true ? options.progress : undefined;
  const result = await simulate({
    workload,
    prices,
    freeTier: options.freeTier ?? true,
    speed,
    durationScale: options.durationScale ?? 1,
    ...(options.durationStatistic ? { durationStatistic: options.durationStatistic } : {}),
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
    ...(options.memory ? { memory: options.memory } : {}),
    clock: (s): Clock => (s === 1 ? systemClock : new ScaledClock(s)),
    start: async ({ clock, memorySizeMb }) => {
      const emu = await Emulator.start({
        dir: options.dir,
        port: 0,
        inMemory: true,
        enforceLimits: true,
        watch: false,
        // The simulated streams are eddy's own, even when serverless.yml points the mappings elsewhere.
        kinesisEndpoint: null,
        clock,
        ...(memorySizeMb !== undefined ? { memorySize: memorySizeMb } : {}),
        ...(options.stage !== undefined ? { stage: options.stage } : {}),
        ...(options.region !== undefined ? { region: options.region } : {}),
      });
      const target = emulatorTarget(emu, { clock, streams, region: emu.config.region });
      return {
        ...target,
        stop: async () => {
          target.close();
          await emu.stop();
        },
      };
    },
    ...(tty
      ? {
          onProgress: (p, run) => {
            const label = run.memorySizeMb !== undefined ? `${run.memorySizeMb} MB (${run.index + 1}/${run.of}) ` : '';
            tty.write(`\r\u001b[2K${label}${renderProgress(p)}`);
            if (p.simulatedMs >= p.durationMs) tty.write('\n');
          },
        }
      : {}),
  });
  const output = render(result.report, options.format ?? 'table', { color: options.color ?? false });
  let written: string | undefined;
  if (options.out !== undefined) {
    written = path.resolve(options.out);
    await writeFile(written, render(result.report, formatOfFile(written), { color: false }));
  }
  return { ...result, output, written };
}
