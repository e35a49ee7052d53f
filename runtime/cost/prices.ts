// The price table: AWS rates as data (built-in file + a user's --pricing file merged over it), validated once.
// Code elsewhere reads rates only from a PriceTable; no rate is written in code.
import { readFileSync } from 'node:fs';
import { EddyError } from '../errors.ts';

export type PricedArchitecture = 'x86_64' | 'arm64';

/** One step of a tiered rate: usage up to `upToGbSeconds` (cumulative, per month) costs perGbSecond; null = no upper bound. */
export interface DurationTier {
  readonly upToGbSeconds: number | null;
  readonly perGbSecond: number;
}

export interface LambdaPrices {
  readonly requestsPerMillion: number;
  readonly duration: Readonly<Record<PricedArchitecture, readonly DurationTier[]>>;
  readonly ephemeralStorageFreeMb: number;
  readonly ephemeralStoragePerGbSecond: number;
}

export interface KinesisPrices {
  readonly shardHour: number;
  readonly putPayloadUnitsPerMillion: number;
  readonly putPayloadUnitBytes: number;
  readonly extendedRetentionShardHour: number;
  readonly longTermRetentionGbMonth: number;
  readonly efoConsumerShardHour: number;
  readonly efoPerGb: number;
  readonly onDemandStreamHour: number;
  readonly onDemandPerGbIn: number;
  readonly onDemandPerGbOut: number;
  readonly onDemandRecordRoundingBytes: number;
}

export interface RegionPrices {
  readonly lambda: LambdaPrices;
  readonly kinesis: KinesisPrices;
}

export interface PriceTable {
  readonly name: string;
  readonly sourceDate: string;
  readonly source: string;
  readonly currency: string;
  readonly defaultRegion: string;
  readonly freeTier: Readonly<{ lambdaRequests: number; lambdaGbSeconds: number }>;
  readonly regions: Readonly<Record<string, RegionPrices>>;
  /** Provenance and confidence of each rate, by dotted path; a user's file marks what it overrode. */
  readonly notes: Readonly<Record<string, string>>;
}

/** The rates to use for a region; `fallback` is set when the region has no rates of its own. */
export interface ResolvedPrices {
  readonly region: string;
  readonly pricedAs: string;
  readonly fallback: boolean;
  readonly rates: RegionPrices;
  readonly table: PriceTable;
}

export const builtInPricesFile = new URL('./prices/aws-2026-11.json', import.meta.url);

// ---- validation schema: every key the table may hold, so unknown keys are rejected by name ----

type Schema =
  | { kind: 'number'; min?: number; integer?: boolean }
  | { kind: 'string' }
  | { kind: 'tiers' }
  | { kind: 'object'; fields: Readonly<Record<string, Schema>> }
  | { kind: 'record'; value: Schema };

const rate: Schema = { kind: 'number', min: 0 };
const positiveInt: Schema = { kind: 'number', min: 1, integer: true };
const count: Schema = { kind: 'number', min: 0, integer: true };

const regionSchema: Schema = {
  kind: 'object',
  fields: {
    lambda: {
      kind: 'object',
      fields: {
        requestsPerMillion: rate,
        duration: { kind: 'object', fields: { x86_64: { kind: 'tiers' }, arm64: { kind: 'tiers' } } },
        ephemeralStorageFreeMb: count,
        ephemeralStoragePerGbSecond: rate,
      },
    },
    kinesis: {
      kind: 'object',
      fields: {
        shardHour: rate,
        putPayloadUnitsPerMillion: rate,
        putPayloadUnitBytes: positiveInt,
        extendedRetentionShardHour: rate,
        longTermRetentionGbMonth: rate,
        efoConsumerShardHour: rate,
        efoPerGb: rate,
        onDemandStreamHour: rate,
        onDemandPerGbIn: rate,
        onDemandPerGbOut: rate,
        onDemandRecordRoundingBytes: positiveInt,
      },
    },
  },
};

const tableSchema: Schema = {
  kind: 'object',
  fields: {
    name: { kind: 'string' },
    sourceDate: { kind: 'string' },
    source: { kind: 'string' },
    currency: { kind: 'string' },
    defaultRegion: { kind: 'string' },
    freeTier: { kind: 'object', fields: { lambdaRequests: count, lambdaGbSeconds: rate } },
    regions: { kind: 'record', value: regionSchema },
    notes: { kind: 'record', value: { kind: 'string' } },
  },
};

function invalid(origin: string, path: string, message: string): EddyError {
  return new EddyError('EDDY_ERR_OPTION_INVALID', `${origin}: ${path || '(root)'}: ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a (partial) document against the schema; every key present must be known and well typed. */
function check(schema: Schema, value: unknown, path: string, origin: string): void {
  const join = (k: string) => (path ? `${path}.${k}` : k);
  switch (schema.kind) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(origin, path, `must be a number, got ${JSON.stringify(value)}`);
      if (schema.integer && !Number.isInteger(value)) throw invalid(origin, path, `must be an integer, got ${value}`);
      if (schema.min !== undefined && value < schema.min) throw invalid(origin, path, `must be ≥ ${schema.min}, got ${value}`);
      return;
    }
    case 'string':
      if (typeof value !== 'string') throw invalid(origin, path, `must be a string, got ${JSON.stringify(value)}`);
      return;
    case 'tiers': {
      if (!Array.isArray(value) || value.length === 0) throw invalid(origin, path, 'must be a non-empty list of { upToGbSeconds, perGbSecond }');
      let previous = 0;
      value.forEach((tier: unknown, i) => {
        const at = `${path}[${i}]`;
        if (!isPlainObject(tier)) throw invalid(origin, at, 'must be an object { upToGbSeconds, perGbSecond }');
        for (const k of Object.keys(tier)) {
          if (k !== 'upToGbSeconds' && k !== 'perGbSecond') throw invalid(origin, `${at}.${k}`, 'unknown key (known: upToGbSeconds, perGbSecond)');
        }
        check(rate, tier['perGbSecond'], `${at}.perGbSecond`, origin);
        const upTo = tier['upToGbSeconds'];
        const last = i === value.length - 1;
        if (last) {
          if (upTo !== null) throw invalid(origin, `${at}.upToGbSeconds`, 'the last tier must be null (no upper bound)');
        } else {
          if (typeof upTo !== 'number' || !Number.isFinite(upTo) || upTo <= previous) {
            throw invalid(origin, `${at}.upToGbSeconds`, `must be a number above ${previous} (tiers ascend), got ${JSON.stringify(upTo)}`);
          }
          previous = upTo;
        }
      });
      return;
    }
    case 'object': {
      if (!isPlainObject(value)) throw invalid(origin, path, `must be an object, got ${JSON.stringify(value)}`);
      for (const [k, v] of Object.entries(value)) {
        const field = schema.fields[k];
        if (!field) throw invalid(origin, join(k), `unknown key (known: ${Object.keys(schema.fields).join(', ')})`);
        check(field, v, join(k), origin);
      }
      return;
    }
    case 'record': {
      if (!isPlainObject(value)) throw invalid(origin, path, `must be an object, got ${JSON.stringify(value)}`);
      for (const [k, v] of Object.entries(value)) check(schema.value, v, join(k), origin);
      return;
    }
  }
}

/** Every required leaf of the schema is present (for the complete, merged table). */
function checkComplete(schema: Schema, value: unknown, path: string, origin: string): void {
  if (schema.kind === 'object') {
    const obj = value as Record<string, unknown>;
    for (const [k, field] of Object.entries(schema.fields)) {
      const at = path ? `${path}.${k}` : k;
      if (obj[k] === undefined) throw invalid(origin, at, 'is missing');
      checkComplete(field, obj[k], at, origin);
    }
  } else if (schema.kind === 'record') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) checkComplete(schema.value, v, path ? `${path}.${k}` : k, origin);
  }
}

/** Deep merge of plain objects; arrays (tiers) and scalars replace. Records the dotted paths it overrode. */
function merge(base: unknown, over: unknown, path: string, touched: string[]): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v, path ? `${path}.${k}` : k, touched);
    return out;
  }
  touched.push(path);
  return over;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

function readJson(file: string | URL, origin: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EddyError('EDDY_ERR_OPTION_INVALID', `${origin}: cannot read the pricing file: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EddyError('EDDY_ERR_OPTION_INVALID', `${origin}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The built-in table, with the user's file (`--pricing prices.json`, any subset of the same keys) merged over it.
 * A region the built-in table lacks starts from the default region's rates. The result is validated and frozen.
 */
export function loadPrices(file?: string): PriceTable {
  const builtIn = readJson(builtInPricesFile, 'built-in price table');
  check(tableSchema, builtIn, '', 'built-in price table');
  let table = builtIn as Record<string, unknown>;
  if (file !== undefined) {
    const origin = `--pricing ${file}`;
    const user = readJson(file, origin);
    check(tableSchema, user, '', origin);
    const userDoc = user as Record<string, unknown>;
    // A new region inherits every rate of the default region, then takes the user's.
    const defaultRegion = (userDoc['defaultRegion'] as string | undefined) ?? (table['defaultRegion'] as string);
    const baseRegions = { ...(table['regions'] as Record<string, unknown>) };
    const template = baseRegions[table['defaultRegion'] as string];
    for (const region of Object.keys((userDoc['regions'] as Record<string, unknown> | undefined) ?? {})) {
      if (!(region in baseRegions)) baseRegions[region] = template;
    }
    const touched: string[] = [];
    table = merge({ ...table, regions: baseRegions }, userDoc, '', touched) as Record<string, unknown>;
    const notes = { ...(table['notes'] as Record<string, string>) };
    for (const path of touched) if (!path.startsWith('notes.')) notes[path] = `overridden by ${file}`;
    table = { ...table, notes };
    if (!(defaultRegion in (table['regions'] as Record<string, unknown>))) {
      throw invalid(origin, 'defaultRegion', `names a region with no rates: ${defaultRegion}`);
    }
  }
  checkComplete(tableSchema, table, '', file === undefined ? 'built-in price table' : `--pricing ${file}`);
  return deepFreeze(structuredClone(table)) as unknown as PriceTable;
}

/** The rates of a region, or the default region's (marked as a fallback) when the table has none for it. */
export function pricesFor(table: PriceTable, region: string): ResolvedPrices {
  const own = table.regions[region];
  if (own) return { region, pricedAs: region, fallback: false, rates: own, table };
  const rates = table.regions[table.defaultRegion];
  if (!rates) throw new EddyError('EDDY_ERR_OPTION_INVALID', `price table: no rates for the default region ${table.defaultRegion}`);
  return { region, pricedAs: table.defaultRegion, fallback: true, rates, table };
}

/** PUT payload units of one record: its size in 25 KB chunks, rounded up (an empty record is still one unit). */
export function putPayloadUnits(recordBytes: number, unitBytes: number): number {
  return Math.max(1, Math.ceil(recordBytes / unitBytes));
}

/** Bytes billed as On-demand data in for one record: rounded up to the next 1 KB. */
export function onDemandBilledBytes(recordBytes: number, roundingBytes: number): number {
  return Math.max(1, Math.ceil(recordBytes / roundingBytes)) * roundingBytes;
}
