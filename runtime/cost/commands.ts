// The cores of `eddy cost` and `eddy simulate`, free of argv and stdout: the CLI parses flags, calls these, prints
// the string and exits with the returned decision.
import type { Clock } from '../clock.ts';
import { projectMonthlyBill } from './bill.ts';
import type { CostSnapshot } from './meter.ts';
import type { PriceTable } from './prices.ts';
import { renderHtml, renderJson, renderMarkdown, renderTerminal, type CostReport, type ReportFormat } from './report/index.ts';
import { analyse, budgetError, checkBudget, sweepPoint } from './simulate/analysis.ts';
import { runWorkload, type Progress, type SimulationTarget } from './simulate/driver.ts';
import type { Workload } from './simulate/workload.ts';

export function render(report: CostReport, format: ReportFormat, options: { color: boolean }): string {
  switch (format) {
    case 'table':
      return renderTerminal(report, options);
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
  }
}

/** Windows shorter than this count their cold starts once: eddy keeps environments warm for as long as it runs and
 * reloads make extra ones, so a short run's INIT says little about a month (AWS recycles environments every few hours). */
const INIT_SCALES_FROM_MS = 24 * 3_600_000;

/** `eddy cost`: what the metered window (a running eddy's, or the last run's) would cost per month. */
export function costReport(snapshot: CostSnapshot, prices: PriceTable, options: { freeTier: boolean; title?: string; now?: () => Date }): CostReport {
  const bill = projectMonthlyBill(snapshot, prices, {
    freeTier: options.freeTier,
    initExtrapolation: snapshot.windowMs >= INIT_SCALES_FROM_MS ? 'scale' : 'once',
  });
  return {
    title: options.title ?? 'eddy cost',
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    bill,
    timeline: snapshot.timeline,
  };
}

/** A target started for one run; the caller's factory starts an Emulator (with `memorySizeMb` applied to every function). */
export interface StartedTarget extends SimulationTarget {
  stop(): Promise<void>;
}

export interface SimulateOptions {
  workload: Workload;
  prices: PriceTable;
  freeTier: boolean;
  speed: number;
  durationScale: number;
  /** How measured durations become billed ones (default 'mean'; 'p50' or 'mode' on a noisy shared machine). */
  durationStatistic?: 'mean' | 'p50' | 'mode';
  /** Monthly dollars; the decision is `over` when the projection (of the first memory size) exceeds it. */
  budget?: number;
  /** Run once per size (a Power Tuning style sweep); undefined = once at the configured memory. */
  memory?: readonly number[];
  /** Starts a fresh target on `clock` (a ScaledClock when speed > 1) for one run. */
  start: (run: { clock: Clock; memorySizeMb: number | undefined }) => Promise<StartedTarget>;
  clock: (speed: number) => Clock;
  onProgress?: (p: Progress, run: { memorySizeMb: number | undefined; index: number; of: number }) => void;
  title?: string;
}

export interface SimulateResult {
  report: CostReport;
  /** One report per memory size, in the order given (a single one without a sweep). */
  runs: { memorySizeMb: number | undefined; report: CostReport }[];
  /** True when --budget was given and the projection is over it: the CLI exits with its budget code. */
  overBudget: boolean;
  budgetMessage: string | undefined;
}

/** `eddy simulate`: one run, or one per memory size; the report of the first run carries the sweep and the budget. */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const sizes: (number | undefined)[] = options.memory && options.memory.length > 0 ? [...options.memory] : [undefined];
  const runs: SimulateResult['runs'] = [];
  for (const [index, memorySizeMb] of sizes.entries()) {
    const target = await options.start({ clock: options.clock(options.speed), memorySizeMb });
    try {
      const run = await runWorkload(options.workload, target, {
        durationScale: options.durationScale,
        ...(options.onProgress ? { onProgress: (p: Progress) => options.onProgress!(p, { memorySizeMb, index, of: sizes.length }) } : {}),
      });
      const report = analyse(run, options.prices, {
        freeTier: options.freeTier,
        ...(options.durationStatistic ? { durationStatistic: options.durationStatistic } : {}),
        title: options.title ?? `eddy simulate: ${options.workload.name}${memorySizeMb !== undefined ? ` (${memorySizeMb} MB)` : ''}`,
      });
      runs.push({ memorySizeMb, report });
    } finally {
      await target.stop();
    }
  }
  const first = runs[0]!.report;
  const report: CostReport = { ...first };
  if (sizes.length > 1) {
    report.title = options.title ?? `eddy simulate: ${options.workload.name}`;
    report.sweep = runs.map((r) => sweepPoint(r.memorySizeMb!, r.report));
  }
  let budgetMessage: string | undefined;
  if (options.budget !== undefined) {
    report.budget = checkBudget(options.budget, first.bill);
    budgetMessage = budgetError(report.budget)?.message;
  }
  return { report, runs, overBudget: report.budget?.over ?? false, budgetMessage };
}
