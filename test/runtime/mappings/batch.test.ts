// Pure batching rules: where a batch is cut (BatchSize, 6 MB, tumbling window), lane assignment, and
// what a function's response means for the checkpoint (ReportBatchItemFailures, tumbling state).
import { describe, expect, it } from 'vitest';
import { SYNC_PAYLOAD_LIMIT } from '../../../runtime/lambda/api/errors.ts';
import { cutBatch, windowOf } from '../../../runtime/mappings/batch.ts';
import { batchPayload, type ReadRecord } from '../../../runtime/mappings/event.ts';
import { laneOf } from '../../../runtime/mappings/lanes.ts';
import { interpretResponse } from '../../../runtime/mappings/response.ts';

function rec(i: number, bytes = 100, arrivalMs = 1_000_000 + i): ReadRecord {
  const json = JSON.stringify({ i, pad: 'x'.repeat(Math.max(0, bytes - 20)) });
  return { sequenceNumber: String(1000 + i), partitionKey: `k${i}`, arrivalMs, json, bytes: Buffer.byteLength(json), lane: 0, done: false };
}

describe('cutBatch', () => {
  const limits = { batchSize: 10, maxBytes: SYNC_PAYLOAD_LIMIT, windowMs: 0 };

  it('cuts at BatchSize', () => {
    const q = Array.from({ length: 25 }, (_, i) => rec(i));
    expect(cutBatch(q, 0, limits)).toBe(10);
    expect(cutBatch(q, 20, limits)).toBe(5);
    expect(cutBatch(q, 25, limits)).toBe(0);
  });

  it('cuts before the payload would pass 6 MB, and sends an oversized record alone', () => {
    const q = Array.from({ length: 10 }, (_, i) => rec(i, 1_000_000));
    const n = cutBatch(q, 0, { ...limits, batchSize: 10_000 });
    expect(n).toBe(6);
    expect(Buffer.byteLength(batchPayload(q.slice(0, n)))).toBeLessThanOrEqual(SYNC_PAYLOAD_LIMIT);
    expect(Buffer.byteLength(batchPayload(q.slice(0, n + 1)))).toBeGreaterThan(SYNC_PAYLOAD_LIMIT);
    expect(cutBatch([rec(0, 7_000_000), rec(1)], 0, limits)).toBe(1);
  });

  it('never spans two tumbling windows (boundaries from arrival time)', () => {
    const q = [rec(0, 100, 59_000), rec(1, 100, 59_999), rec(2, 100, 60_000), rec(3, 100, 61_000)];
    expect(cutBatch(q, 0, { ...limits, windowMs: 60_000 })).toBe(2);
    expect(cutBatch(q, 2, { ...limits, windowMs: 60_000 })).toBe(2);
    expect(windowOf(59_999, 60_000)).toEqual({ startMs: 0, endMs: 60_000 });
    expect(windowOf(60_000, 60_000)).toEqual({ startMs: 60_000, endMs: 120_000 });
  });
});

describe('laneOf', () => {
  it('is 0 with PF 1, stable per key, in range, and spreads keys over lanes', () => {
    expect(laneOf('anything', 1)).toBe(0);
    for (const pf of [2, 3, 7, 10]) {
      const lanes = new Set<number>();
      for (let i = 0; i < 500; i++) {
        const lane = laneOf(`key-${i}`, pf);
        expect(lane).toBe(laneOf(`key-${i}`, pf));
        expect(lane).toBeGreaterThanOrEqual(0);
        expect(lane).toBeLessThan(pf);
        lanes.add(lane);
      }
      expect(lanes.size).toBe(pf);
    }
  });

  it('is MD5(partitionKey) mod PF', () => {
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661
    expect(laneOf('a', 7)).toBe(Number(BigInt('0x0cc175b9c0f1b6a831c399e269772661') % 7n));
    expect(laneOf('a', 10)).toBe(Number(BigInt('0x0cc175b9c0f1b6a831c399e269772661') % 10n));
  });
});

describe('interpretResponse', () => {
  const seqs = ['49590000000000000000000000000000000000000000000000000001', '49590000000000000000000000000000000000000000000000000002', '49590000000000000000000000000000000000000000000000000010'];
  const rbif = { reportBatchItemFailures: true, tumbling: false };
  const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

  it('a function error fails the whole batch', () => {
    expect(interpretResponse(json({ errorType: 'Error' }), 'Unhandled', seqs, rbif)).toEqual({ kind: 'failure', reason: 'functionError' });
  });

  it.each([
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
    ['an empty object', {}],
    ['a null response', null],
  ])('treats %s as complete success', (_w, body) => {
    expect(interpretResponse(json(body), undefined, seqs, rbif)).toEqual({ kind: 'success', state: undefined });
  });

  it('treats an empty payload as success', () => {
    expect(interpretResponse(new Uint8Array(0), undefined, seqs, rbif).kind).toBe('success');
  });

  it('checkpoints at the lowest failed sequence number (numeric order, not the response order)', () => {
    const out = interpretResponse(json({ batchItemFailures: [{ itemIdentifier: seqs[2] }, { itemIdentifier: seqs[1] }] }), undefined, seqs, rbif);
    expect(out).toEqual({ kind: 'partial', failedAt: 1, state: undefined });
  });

  it.each([
    ['an empty-string identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelled key', { batchItemFailures: [{ itemIdentifer: seqs[1] }] }],
    ['an identifier not in the batch', { batchItemFailures: [{ itemIdentifier: '12345' }] }],
    ['a list that is not a list', { batchItemFailures: 'oops' }],
    ['an entry that is not an object', { batchItemFailures: [seqs[1]] }],
  ])('fails the whole batch for %s', (_w, body) => {
    expect(interpretResponse(json(body), undefined, seqs, rbif)).toEqual({ kind: 'failure', reason: 'invalidResponse' });
  });

  it('ignores batchItemFailures without ReportBatchItemFailures', () => {
    const body = json({ batchItemFailures: [{ itemIdentifier: seqs[1] }] });
    expect(interpretResponse(body, undefined, seqs, { reportBatchItemFailures: false, tumbling: false }).kind).toBe('success');
  });

  it('tumbling windows: the response must carry state', () => {
    const rules = { reportBatchItemFailures: false, tumbling: true };
    expect(interpretResponse(json({ state: { n: 1 } }), undefined, seqs, rules)).toEqual({ kind: 'success', state: { n: 1 } });
    expect(interpretResponse(json({}), undefined, seqs, rules)).toEqual({ kind: 'failure', reason: 'invalidResponse' });
    expect(interpretResponse(json(null), undefined, seqs, rules)).toEqual({ kind: 'failure', reason: 'invalidResponse' });
    expect(
      interpretResponse(json({ state: { n: 2 }, batchItemFailures: [{ itemIdentifier: seqs[2] }] }), undefined, seqs, { ...rules, reportBatchItemFailures: true }),
    ).toEqual({ kind: 'partial', failedAt: 2, state: { n: 2 } });
  });
});
