// The monthly bill: metered usage over a window, extrapolated to a month and priced line by line from a PriceTable.
import { EddyError } from '../errors.ts';
import type { CostSnapshot, FunctionUsage, StreamUsage } from './meter.ts';
import { pricesFor, type DurationTier, type PriceTable, type PricedArchitecture } from './prices.ts';

const MS_PER_HOUR = 3_600_000;
const GIB = 1024 ** 3;

export interface BillOptions {
  /** Apply Lambda's monthly free tier (1M requests, 400,000 GB-s). */
  freeTier: boolean;
  /** Hours in the projected month; AWS prices assume 720 (30 days). */
  hoursPerMonth?: number;
  /**
   * 'scale' (default): INIT time is extrapolated at the observed rate, like everything else (right for a long run).
   * 'once': the observed INIT time is counted once for the month (right for a short simulation, whose cold starts
   * would otherwise be multiplied by the month/window ratio).
   */
  initExtrapolation?: 'scale' | 'once';
  /** Region to price; default the snapshot's. */
  region?: string;
}

export interface LineItem {
  service: 'Lambda' | 'Kinesis';
  /** Stable key, e.g. 'lambda.requests', 'lambda.duration.x86_64.tier1', 'kinesis.shardHours'. */
  item: string;
  description: string;
  /** Monthly usage before the free tier. */
  usage: number;
  /** Part of usage the free tier covers. */
  freeQuantity: number;
  /** Billable quantity: usage − freeQuantity. */
  quantity: number;
  unit: string;
  /** Price of `pricePer` units. */
  unitPrice: number;
  pricePer: number;
  amount: number;
}

export interface FunctionCost {
  functionKey: string;
  functionName: string;
  architecture: PricedArchitecture;
  memorySizeMb: number;
  requests: number;
  gbSeconds: number;
  initGbSeconds: number;
  avgBilledMs: number;
  /** Requests + duration at the first-tier rate, before the free tier (the share this function adds). */
  amountBeforeFreeTier: number;
}

export interface StreamCost {
  streamName: string;
  mode: 'PROVISIONED' | 'ON_DEMAND';
  amount: number;
}

export interface MonthlyBill {
  currency: string;
  region: string;
  /** The region whose rates were used (differs from region when the table has none for it). */
  pricedAs: string;
  priceTable: { name: string; sourceDate: string };
  freeTier: boolean;
  hoursPerMonth: number;
  windowMs: number;
  /** Month / window: the factor every observed quantity was multiplied by. */
  scale: number;
  lines: LineItem[];
  totals: { lambda: number; kinesis: number; total: number };
  functions: FunctionCost[];
  streams: StreamCost[];
  notes: string[];
}

interface TierSlice {
  index: number;
  from: number;
  to: number | null;
  quantity: number;
  free: number;
  rate: number;
}

/** Splits a month's GB-s of one architecture over its tiers; `free` GB-s come off the bottom (first) tier. */
export function splitTiers(tiers: readonly DurationTier[], gbSeconds: number, free: number): TierSlice[] {
  const slices: TierSlice[] = [];
  let from = 0;
  let freeLeft = Math.min(free, gbSeconds);
  tiers.forEach((tier, index) => {
    const to = tier.upToGbSeconds;
    const inTier = Math.max(0, Math.min(gbSeconds, to ?? Infinity) - from);
    const freeHere = Math.min(freeLeft, inTier);
    freeLeft -= freeHere;
    slices.push({ index, from, to, quantity: inTier, free: freeHere, rate: tier.perGbSecond });
    from = to ?? from;
  });
  return slices;
}

function fmtCount(n: number): string {
  if (n >= 1e9 && n % 1e9 === 0) return `${n / 1e9}B`;
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  return n.toLocaleString('en-US');
}

function tierLabel(s: TierSlice): string {
  if (s.index === 0) return `first ${fmtCount(s.to ?? Infinity)} GB-s`;
  if (s.to === null) return `over ${fmtCount(s.from)} GB-s`;
  return `next ${fmtCount(s.to - s.from)} GB-s`;
}

function line(
  service: LineItem['service'],
  item: string,
  description: string,
  usage: number,
  freeQuantity: number,
  unit: string,
  unitPrice: number,
  pricePer = 1,
): LineItem {
  const quantity = usage - freeQuantity;
  return { service, item, description, usage, freeQuantity, quantity, unit, unitPrice, pricePer, amount: (quantity / pricePer) * unitPrice };
}

/** Projects a month from the usage of one window, priced from the table. */
export function projectMonthlyBill(usage: CostSnapshot, table: PriceTable, options: BillOptions): MonthlyBill {
  const hoursPerMonth = options.hoursPerMonth ?? 720;
  if (!(hoursPerMonth > 0)) throw new EddyError('EDDY_ERR_OPTION_INVALID', `hoursPerMonth: must be above 0, got ${hoursPerMonth}`);
  const prices = pricesFor(table, options.region ?? usage.region);
  const { lambda, kinesis } = prices.rates;
  const notes: string[] = [];
  const scale = usage.windowMs > 0 ? (hoursPerMonth * MS_PER_HOUR) / usage.windowMs : 0;
  if (usage.windowMs <= 0) notes.push('No time was observed: nothing to extrapolate.');
  const initScale = options.initExtrapolation === 'once' ? Math.min(1, scale) : scale;
  const lines: LineItem[] = [];

  // ---- Lambda ----
  const perArch: Record<PricedArchitecture, number> = { x86_64: 0, arm64: 0 };
  let requests = 0;
  let initGbSeconds = 0;
  const functions: FunctionCost[] = usage.functions.map((f: FunctionUsage) => {
    const gbs = f.gbSeconds * scale + f.initGbSeconds * initScale;
    perArch[f.architecture] += gbs;
    requests += f.requests * scale;
    initGbSeconds += f.initGbSeconds * initScale;
    const firstRate = lambda.duration[f.architecture][0]?.perGbSecond ?? 0;
    return {
      functionKey: f.functionKey,
      functionName: f.functionName,
      architecture: f.architecture,
      memorySizeMb: f.memorySizeMb,
      requests: f.requests * scale,
      gbSeconds: f.gbSeconds * scale,
      initGbSeconds: f.initGbSeconds * initScale,
      avgBilledMs: f.requests > 0 ? f.billedMs / f.requests : 0,
      amountBeforeFreeTier: (f.requests * scale * lambda.requestsPerMillion) / 1e6 + gbs * firstRate,
    };
  });
  const freeRequests = options.freeTier ? Math.min(requests, table.freeTier.lambdaRequests) : 0;
  if (requests > 0 || usage.functions.length > 0) {
    lines.push(line('Lambda', 'lambda.requests', 'Lambda requests', requests, freeRequests, 'requests', lambda.requestsPerMillion, 1e6));
  }
  // The free GB-s are shared by both architectures; eddy takes them off x86_64 first (UNVERIFIED: AWS does not say
  // which architecture's usage the free tier covers first when both are used).
  let freeGbs = options.freeTier ? table.freeTier.lambdaGbSeconds : 0;
  for (const arch of ['x86_64', 'arm64'] as const) {
    const gbs = perArch[arch];
    if (gbs <= 0 && !usage.functions.some((f) => f.architecture === arch)) continue;
    const slices = splitTiers(lambda.duration[arch], gbs, freeGbs);
    freeGbs -= slices.reduce((a, s) => a + s.free, 0);
    for (const s of slices) {
      if (s.index > 0 && s.quantity <= 0) continue;
      lines.push(
        line('Lambda', `lambda.duration.${arch}.tier${s.index + 1}`, `Lambda duration ${arch} (${tierLabel(s)})`, s.quantity, s.free, 'GB-s', s.rate),
      );
    }
  }
  if (initGbSeconds > 0) {
    notes.push(
      `INIT (cold starts, billed since 2025-08-01) is included in the duration lines: ${round(initGbSeconds, 3)} GB-s/month` +
        (options.initExtrapolation === 'once' ? ', counted once rather than extrapolated.' : ', extrapolated at the observed rate.'),
    );
  }
  if (usage.durationScale !== 1) notes.push(`Measured durations were multiplied by ${usage.durationScale} (--duration-scale).`);

  // ---- Kinesis ----
  let shardHours = 0;
  let putUnits = 0;
  let extended = 0;
  let longTermGbMonth = 0;
  let efoHours = 0;
  let efoGb = 0;
  let odHours = 0;
  let odGbIn = 0;
  let odGbOut = 0;
  const streams: StreamCost[] = usage.streams.map((s: StreamUsage) => {
    const windowHours = usage.windowMs / MS_PER_HOUR;
    const provisioned = s.mode === 'PROVISIONED';
    const sShard = s.provisionedShardHours * scale;
    const sUnits = provisioned ? s.payloadUnits * scale : 0;
    const sExt = s.extendedRetentionShardHours * scale;
    // Data older than 7 days held at a steady ingest rate: GB/h in × hours kept beyond 7 days (an estimate).
    const sLong = windowHours > 0 ? (s.bytesIn / GIB / windowHours) * (s.longTermRetentionHourHours / windowHours) : 0;
    const sEfoHours = s.efoConsumerShardHours * scale;
    // Every registered enhanced fan-out consumer receives every record once (an estimate: the events do not say
    // which reads were pushed through SubscribeToShard).
    const consumers = provisioned && s.provisionedShardHours > 0 ? s.efoConsumerShardHours / s.provisionedShardHours : 0;
    const sEfoGb = (s.bytesIn / GIB) * scale * consumers;
    const sOdHours = s.onDemandStreamHours * scale;
    const sOdIn = provisioned ? 0 : (s.onDemandBilledBytesIn / GIB) * scale;
    const sOdOut = provisioned ? 0 : (s.bytesOut / GIB) * scale;
    shardHours += sShard;
    putUnits += sUnits;
    extended += sExt;
    longTermGbMonth += sLong;
    efoHours += sEfoHours;
    efoGb += sEfoGb;
    odHours += sOdHours;
    odGbIn += sOdIn;
    odGbOut += sOdOut;
    const amount =
      sShard * kinesis.shardHour +
      (sUnits / 1e6) * kinesis.putPayloadUnitsPerMillion +
      sExt * kinesis.extendedRetentionShardHour +
      sLong * kinesis.longTermRetentionGbMonth +
      sEfoHours * kinesis.efoConsumerShardHour +
      sEfoGb * kinesis.efoPerGb +
      sOdHours * kinesis.onDemandStreamHour +
      sOdIn * kinesis.onDemandPerGbIn +
      sOdOut * kinesis.onDemandPerGbOut;
    return { streamName: s.streamName, mode: s.mode, amount };
  });
  const anyProvisioned = usage.streams.some((s) => s.mode === 'PROVISIONED');
  const anyOnDemand = usage.streams.some((s) => s.mode === 'ON_DEMAND');
  if (anyProvisioned) {
    lines.push(line('Kinesis', 'kinesis.shardHours', 'Kinesis shard-hours (provisioned)', shardHours, 0, 'shard-hours', kinesis.shardHour));
    lines.push(
      line('Kinesis', 'kinesis.putPayloadUnits', `Kinesis PUT payload units (${kinesis.putPayloadUnitBytes / 1024} KB each)`, putUnits, 0, 'units', kinesis.putPayloadUnitsPerMillion, 1e6),
    );
  }
  if (extended > 0) {
    lines.push(line('Kinesis', 'kinesis.extendedRetention', 'Kinesis extended retention (24 h to 7 days)', extended, 0, 'shard-hours', kinesis.extendedRetentionShardHour));
  }
  if (longTermGbMonth > 0) {
    lines.push(line('Kinesis', 'kinesis.longTermRetention', 'Kinesis long-term retention (beyond 7 days, estimated)', longTermGbMonth, 0, 'GB-months', kinesis.longTermRetentionGbMonth));
    notes.push('Long-term retention: stored GB estimated from the ingest rate; its rate is UNVERIFIED (sources disagree).');
  }
  if (efoHours > 0) {
    lines.push(line('Kinesis', 'kinesis.efoConsumerShardHours', 'Kinesis enhanced fan-out consumer-shard-hours', efoHours, 0, 'consumer-shard-hours', kinesis.efoConsumerShardHour));
    lines.push(line('Kinesis', 'kinesis.efoData', 'Kinesis enhanced fan-out data retrieved (estimated)', efoGb, 0, 'GB', kinesis.efoPerGb));
  }
  if (anyOnDemand) {
    lines.push(line('Kinesis', 'kinesis.onDemandStreamHours', 'Kinesis On-demand stream-hours', odHours, 0, 'stream-hours', kinesis.onDemandStreamHour));
    lines.push(line('Kinesis', 'kinesis.onDemandDataIn', 'Kinesis On-demand data in (records rounded up to 1 KB)', odGbIn, 0, 'GB', kinesis.onDemandPerGbIn));
    lines.push(line('Kinesis', 'kinesis.onDemandDataOut', 'Kinesis On-demand data retrieved', odGbOut, 0, 'GB', kinesis.onDemandPerGbOut));
    notes.push('On-demand data in: records above 1 KB are counted at their size (a lower bound; AWS rounds each up to the next 1 KB).');
  }
  if (anyProvisioned) notes.push('GetRecords on provisioned streams (shared throughput) is free.');

  const lambdaTotal = sum(lines.filter((l) => l.service === 'Lambda'));
  const kinesisTotal = sum(lines.filter((l) => l.service === 'Kinesis'));
  if (prices.fallback) notes.unshift(`No rates for ${prices.region} in the price table: priced at ${prices.pricedAs} rates.`);
  notes.push(`Prices: ${table.name} (${table.sourceDate}); ${options.freeTier ? 'with' : 'without'} the Lambda free tier; ${hoursPerMonth} h per month.`);
  return {
    currency: table.currency,
    region: prices.region,
    pricedAs: prices.pricedAs,
    priceTable: { name: table.name, sourceDate: table.sourceDate },
    freeTier: options.freeTier,
    hoursPerMonth,
    windowMs: usage.windowMs,
    scale,
    lines,
    totals: { lambda: lambdaTotal, kinesis: kinesisTotal, total: lambdaTotal + kinesisTotal },
    functions,
    streams,
    notes,
  };
}

function sum(lines: readonly LineItem[]): number {
  return lines.reduce((a, l) => a + l.amount, 0);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Cents, rounded half away from zero, as AWS rounds a line (for display and comparisons). */
export function toCents(amount: number): number {
  return Math.sign(amount) * Math.round(Math.abs(amount) * 100 * (1 + Number.EPSILON)) / 100;
}
