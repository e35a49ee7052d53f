import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../../runtime/errors.ts';
import { loadPrices, onDemandBilledBytes, pricesFor, putPayloadUnits } from '../../../runtime/cost/prices.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pricingFile(doc: unknown): Promise<string> {
  const file = path.join(dir, 'prices.json');
  await writeFile(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

function errorOf(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('built-in price table', () => {
  it('holds the reference §7 rates for us-east-1 with its source date', () => {
    const t = loadPrices();
    expect(t.sourceDate).toBe('2026-11-24');
    expect(t.freeTier).toEqual({ lambdaRequests: 1_000_000, lambdaGbSeconds: 400_000 });
    const r = t.regions['us-east-1']!;
    expect(r.lambda.requestsPerMillion).toBe(0.2);
    expect(r.lambda.duration.x86_64).toEqual([
      { upToGbSeconds: 6e9, perGbSecond: 0.0000166667 },
      { upToGbSeconds: 15e9, perGbSecond: 0.000015 },
      { upToGbSeconds: null, perGbSecond: 0.0000133334 },
    ]);
    expect(r.lambda.duration.arm64).toEqual([
      { upToGbSeconds: 7.5e9, perGbSecond: 0.0000133334 },
      { upToGbSeconds: 18.75e9, perGbSecond: 0.0000120001 },
      { upToGbSeconds: null, perGbSecond: 0.0000106667 },
    ]);
    expect(r.kinesis).toMatchObject({
      shardHour: 0.015,
      putPayloadUnitsPerMillion: 0.014,
      extendedRetentionShardHour: 0.02,
      efoConsumerShardHour: 0.015,
      efoPerGb: 0.013,
      onDemandStreamHour: 0.04,
      onDemandPerGbIn: 0.08,
      onDemandPerGbOut: 0.04,
      onDemandRecordRoundingBytes: 1024,
    });
    expect(t.notes['kinesis.longTermRetentionGbMonth']).toMatch(/UNVERIFIED/);
    expect(Object.isFrozen(t.regions['us-east-1']!.lambda)).toBe(true);
  });

  it('prices other regions at us-east-1 rates and says so', () => {
    const t = loadPrices();
    const p = pricesFor(t, 'eu-west-1');
    expect(p).toMatchObject({ region: 'eu-west-1', pricedAs: 'us-east-1', fallback: true });
    expect(pricesFor(t, 'us-east-1').fallback).toBe(false);
  });
});

describe('PUT payload units and On-demand rounding', () => {
  const unit = loadPrices().regions['us-east-1']!.kinesis.putPayloadUnitBytes;
  it.each([
    ['5 KB', 5 * 1024, 1],
    ['25 KB', 25 * 1024, 1],
    ['25 KB + 1 byte', 25 * 1024 + 1, 2],
    ['45 KB', 45 * 1024, 2],
    ['1 MB (1,000,000 bytes), as AWS words it', 1_000_000, 40],
    ['1 MiB (1,048,576 bytes)', 1024 * 1024, 41],
    ['an empty record', 0, 1],
  ])('%s -> units', (_name, bytes, units) => {
    expect(putPayloadUnits(bytes, unit)).toBe(units);
  });
  it('rounds each On-demand record up to 1 KB', () => {
    expect(onDemandBilledBytes(1, 1024)).toBe(1024);
    expect(onDemandBilledBytes(1024, 1024)).toBe(1024);
    expect(onDemandBilledBytes(1025, 1024)).toBe(2048);
  });
});

describe('loadPrices(--pricing file)', () => {
  it('merges a partial file over the built-in table and marks what it changed', async () => {
    const file = await pricingFile({ regions: { 'us-east-1': { kinesis: { shardHour: 0.02 } } } });
    const t = loadPrices(file);
    expect(t.regions['us-east-1']!.kinesis.shardHour).toBe(0.02);
    expect(t.regions['us-east-1']!.kinesis.putPayloadUnitsPerMillion).toBe(0.014);
    expect(t.notes['regions.us-east-1.kinesis.shardHour']).toBe(`overridden by ${file}`);
  });

  it('starts a new region from the default region rates', async () => {
    const file = await pricingFile({ regions: { 'eu-west-1': { lambda: { requestsPerMillion: 0.25 } } } });
    const t = loadPrices(file);
    const p = pricesFor(t, 'eu-west-1');
    expect(p.fallback).toBe(false);
    expect(p.rates.lambda.requestsPerMillion).toBe(0.25);
    expect(p.rates.kinesis.shardHour).toBe(0.015);
  });

  it('replaces duration tiers as a whole and turns the free tier off by data', async () => {
    const file = await pricingFile({
      freeTier: { lambdaRequests: 0, lambdaGbSeconds: 0 },
      regions: { 'us-east-1': { lambda: { duration: { arm64: [{ upToGbSeconds: null, perGbSecond: 0.00001 }] } } } },
    });
    const t = loadPrices(file);
    expect(t.freeTier).toEqual({ lambdaRequests: 0, lambdaGbSeconds: 0 });
    expect(t.regions['us-east-1']!.lambda.duration.arm64).toEqual([{ upToGbSeconds: null, perGbSecond: 0.00001 }]);
    expect(t.regions['us-east-1']!.lambda.duration.x86_64).toHaveLength(3);
  });

  it.each([
    [{ regions: { 'us-east-1': { kinesis: { shardHours: 1 } } } }, /regions\.us-east-1\.kinesis\.shardHours: unknown key \(known: shardHour, /],
    [{ freeTeir: {} }, /freeTeir: unknown key/],
    [{ regions: { 'us-east-1': { lambda: { requestsPerMillion: -1 } } } }, /regions\.us-east-1\.lambda\.requestsPerMillion: must be ≥ 0, got -1/],
    [{ regions: { 'us-east-1': { lambda: { requestsPerMillion: '0.2' } } } }, /requestsPerMillion: must be a number, got "0.2"/],
    [
      { regions: { 'us-east-1': { lambda: { duration: { x86_64: [{ upToGbSeconds: 10, perGbSecond: 1 }, { upToGbSeconds: 5, perGbSecond: 1 }, { upToGbSeconds: null, perGbSecond: 1 }] } } } } },
      /duration\.x86_64\[1\]\.upToGbSeconds: must be a number above 10/,
    ],
    [{ regions: { 'us-east-1': { lambda: { duration: { x86_64: [{ upToGbSeconds: 10, perGbSecond: 1 }] } } } } }, /x86_64\[0\]\.upToGbSeconds: the last tier must be null/],
    [{ regions: { 'us-east-1': { kinesis: { putPayloadUnitBytes: 0 } } } }, /putPayloadUnitBytes: must be ≥ 1/],
    [{ defaultRegion: 'mars-1' }, /defaultRegion: names a region with no rates: mars-1/],
  ])('rejects %j by path', async (doc, message) => {
    const file = await pricingFile(doc);
    const err = errorOf(() => loadPrices(file));
    expect(hasErrorCode(err, 'EDDY_ERR_OPTION_INVALID')).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`--pricing ${file}: `)).toBe(true);
  });

  it('rejects a file that is not JSON or not there', async () => {
    const file = await pricingFile('{ nope');
    expect(errorOf(() => loadPrices(file)).message).toMatch(/not valid JSON/);
    expect(errorOf(() => loadPrices(path.join(dir, 'missing.json'))).message).toMatch(/cannot read the pricing file/);
  });
});
