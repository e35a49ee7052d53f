// The report as sections of tables and notes, shared by the terminal and Markdown renderers.
import { bytesPerSec, duration, money, ms, quantity, rate } from './format.ts';
import type { CostReport } from './model.ts';

export interface Table {
  head: string[];
  /** 'r' right-aligns a column. */
  align: ('l' | 'r')[];
  rows: string[][];
  /** Rows rendered after a rule (totals). */
  foot?: string[][];
}

export interface Section {
  title: string;
  tables: Table[];
  lines: string[];
  /** 'bad' for an exceeded budget, 'good' for a met one. */
  tone?: 'good' | 'bad';
}

export function sections(report: CostReport): Section[] {
  const { bill } = report;
  const out: Section[] = [];
  if (report.budget) {
    const b = report.budget;
    out.push({
      title: 'Budget',
      tables: [],
      lines: [`${b.over ? 'OVER BUDGET' : 'Within budget'}: projected ${money(b.projected)}/month against a budget of ${money(b.limit)}.`],
      tone: b.over ? 'bad' : 'good',
    });
  }
  out.push({
    title: `Projected monthly bill (${bill.region}${bill.pricedAs !== bill.region ? `, priced as ${bill.pricedAs}` : ''})`,
    tables: [
      {
        head: ['Item', 'Usage / month', 'Free tier', 'Unit price', 'Amount'],
        align: ['l', 'r', 'r', 'r', 'r'],
        rows: bill.lines.map((l) => [
          l.description,
          `${quantity(l.usage)} ${l.unit}`,
          l.freeQuantity > 0 ? `-${quantity(l.freeQuantity)}` : '',
          rate(l.unitPrice, l.pricePer),
          money(l.amount),
        ]),
        foot: [
          ['Lambda', '', '', '', money(bill.totals.lambda)],
          ['Kinesis', '', '', '', money(bill.totals.kinesis)],
          ['Total per month', '', '', '', money(bill.totals.total)],
        ],
      },
    ],
    lines: [`Observed over ${duration(bill.windowMs)}, extrapolated ×${quantity(bill.scale)} to ${bill.hoursPerMonth} h.`],
  });
  if (bill.functions.length > 0) {
    out.push({
      title: 'By function',
      tables: [
        {
          head: ['Function', 'Arch', 'Memory', 'Requests / month', 'Avg billed', 'GB-s / month', 'Before free tier'],
          align: ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
          rows: bill.functions.map((f) => [
            f.functionKey,
            f.architecture,
            `${f.memorySizeMb} MB`,
            quantity(f.requests),
            ms(f.avgBilledMs),
            quantity(f.gbSeconds + f.initGbSeconds),
            money(f.amountBeforeFreeTier),
          ]),
        },
      ],
      lines: [],
    });
  }
  if (bill.streams.length > 0) {
    out.push({
      title: 'By stream',
      tables: [{ head: ['Stream', 'Mode', 'Amount / month'], align: ['l', 'l', 'r'], rows: bill.streams.map((s) => [s.streamName, s.mode, money(s.amount)]) }],
      lines: [],
    });
  }
  const sim = report.simulation;
  if (sim) {
    out.push({
      title: `Simulation: ${sim.workload}`,
      tables: [
        {
          head: ['Stream', 'Shards', 'Peak rec/s', 'Peak in', 'Hottest shard rec/s', 'Hottest shard in', 'Throttled', 'Shards needed'],
          align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
          rows: sim.streams.map((s) => [
            s.streamName,
            String(s.shards),
            quantity(s.peakRecordsPerSec),
            bytesPerSec(s.peakBytesPerSec),
            quantity(s.hottestShardRecordsPerSec),
            bytesPerSec(s.hottestShardBytesPerSec),
            quantity(s.throttledEntries),
            s.recommendedShards === undefined ? 'none' : String(s.recommendedShards),
          ]),
        },
        {
          head: ['Function', 'Memory', 'Invocations', 'Errors', 'Cold starts', 'p50', 'p90', 'p99', 'Max', 'Max concurrency'],
          align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
          rows: sim.functions.map((f) => [
            f.functionKey,
            `${f.memorySizeMb} MB`,
            quantity(f.invocations),
            quantity(f.errors),
            quantity(f.coldStarts),
            ms(f.p50Ms),
            ms(f.p90Ms),
            ms(f.p99Ms),
            ms(f.maxMs),
            String(f.maxConcurrency),
          ]),
        },
      ],
      lines: [
        `${duration(sim.durationMs)} of workload in ${duration(sim.elapsedMs)} (speed ×${sim.speed}${sim.durationScale !== 1 ? `, durations ×${sim.durationScale}` : ''}).`,
        `Throughput: ${quantity(sim.avgRecordsPerSec)} records/s, ${bytesPerSec(sim.avgBytesPerSec)} on average; ${quantity(sim.acceptedRecords)} of ${quantity(sim.offeredRecords)} records accepted, ${quantity(sim.throttledEntries)} throttled entries, ${quantity(sim.droppedRecords)} dropped after retries.`,
        `Iterator age: up to ${ms(sim.maxIteratorAgeMs)}.`,
        ...sim.streams.map((s) => `${s.streamName}: ${s.recommendation}`),
      ],
    });
  }
  if (report.sweep && report.sweep.length > 0) {
    const best = report.sweep.reduce((a, b) => (b.totalMonthly < a.totalMonthly ? b : a));
    out.push({
      title: 'Cost against memory',
      tables: [
        {
          head: ['Memory', 'Avg duration', 'p90 duration', 'Lambda / month', 'Total / month'],
          align: ['r', 'r', 'r', 'r', 'r'],
          rows: report.sweep.map((p) => [`${p.memorySizeMb} MB`, ms(p.avgDurationMs), ms(p.p90DurationMs), money(p.lambdaMonthly), money(p.totalMonthly)]),
        },
      ],
      lines: [`Cheapest: ${best.memorySizeMb} MB at ${money(best.totalMonthly)}/month.`],
    });
  }
  out.push({ title: 'Notes', tables: [], lines: bill.notes });
  return out;
}
