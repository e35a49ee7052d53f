import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../../runtime/log/types.ts';
import { JsonWriter } from '../../../runtime/kinesis/json-writer.ts';
import { wireRecords, writeWireRecords } from '../../../runtime/kinesis/model/records.ts';
import type { ShardMeta } from '../../../runtime/kinesis/model/types.ts';
import { GetRecordsOutput } from '../../../runtime/kinesis/operations/get-records.ts';
import { PutRecordsOutput } from '../../../runtime/kinesis/operations/put-records.ts';

const shard: ShardMeta = { shardId: 'shardId-000000000001', ordinal: 1, startingHashKey: '0', endingHashKey: '1', createdAtMs: Date.UTC(2026, 0, 1) };

const anyKey = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ maxLength: 20 }), fc.constantFrom('"', '\\', '\u2028', '\ud800', 'a\u0000b', 'é'));

const storedRecords = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 3 }),
      dt: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.double({ min: 0, max: 10, noNaN: true })),
      partitionKey: anyKey,
      data: fc.uint8Array({ maxLength: 40 }),
      encrypted: fc.boolean(),
    }),
    { maxLength: 40 },
  )
  .map((steps) => {
    let index = -1n;
    let t = shard.createdAtMs;
    return steps.map(
      ({ gap, dt, partitionKey, data, encrypted }): StoredRecord => ({
        index: (index += BigInt(gap)),
        partitionKey,
        data: data.length % 2 ? Buffer.from(data) : data,
        arrivalMs: (t += dt),
        encrypted,
      }),
    );
  });

describe('hand-written JSON of the data-plane outputs', () => {
  it('JsonWriter writes strings and blobs as JSON.stringify does, growing its buffer as needed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(anyKey, fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 700 })), { maxLength: 12 }),
        fc.integer({ min: 0, max: 64 }),
        (values, hint) => {
          const w = new JsonWriter(hint);
          w.text('[');
          values.forEach((v, i) => {
            if (i > 0) w.ascii(',');
            if (typeof v === 'string') w.string(v);
            else w.base64(v);
          });
          w.text(']');
          const expected = JSON.stringify(values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('base64'))));
          expect(w.finish().toString('utf8')).toBe(expected);
        },
      ),
    );
  });

  it('writeWireRecords writes JSON.stringify(wireRecords)', () => {
    fc.assert(
      fc.property(storedRecords, (records) => {
        const w = new JsonWriter(0);
        writeWireRecords(w, shard, records);
        expect(w.finish().toString('utf8')).toBe(JSON.stringify(wireRecords(shard, records)));
      }),
    );
  });

  it('GetRecords: json() is JSON.stringify(value()), with and without the members after Records', () => {
    fc.assert(
      fc.property(
        storedRecords,
        fc.constantFrom<Record<string, unknown>>(
          {},
          { NextShardIterator: 'AAAA', MillisBehindLatest: 0 },
          { MillisBehindLatest: 12, ChildShards: [{ ShardId: 'shardId-000000000002', ParentShards: ['shardId-000000000001'] }] },
        ),
        (records, rest) => {
          const out = new GetRecordsOutput(shard, records, rest);
          expect(out.json().toString('utf8')).toBe(JSON.stringify(out.value()));
        },
      ),
    );
  });

  it('PutRecords: json() is JSON.stringify(value()), with throttled entries among the others', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.string(), { nil: undefined }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.constantFrom('NONE', 'KMS'),
        (errors, someThrottled, encryptionType) => {
          const n = errors.length;
          const results = {
            shardIds: errors.map((e, i) => (e === undefined || !someThrottled ? `shardId-00000000000${i % 4}` : undefined!)),
            sequenceNumbers: errors.map((e, i) => (e === undefined || !someThrottled ? String(10n ** 55n + BigInt(i)) : undefined!)),
            throttled: someThrottled ? errors : undefined,
          };
          const out = new PutRecordsOutput(results, encryptionType);
          expect(out.json().toString('utf8')).toBe(JSON.stringify(out.value()));
          expect(out.value()['FailedRecordCount']).toBe(someThrottled ? errors.filter((e) => e !== undefined).length : 0);
          expect((out.value()['Records'] as unknown[]).length).toBe(n);
        },
      ),
    );
  });
});
