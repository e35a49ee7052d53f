import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wireRecords } from '../../../../runtime/kinesis/model/records.ts';
import { sequenceBase, sequenceNumberAt } from '../../../../runtime/kinesis/model/sequence.ts';
import type { ShardMeta } from '../../../../runtime/kinesis/model/types.ts';

describe('wireRecords', () => {
  it('numbers every record exactly as sequenceNumberAt does, across gaps and second boundaries', () => {
    const shard: ShardMeta = { shardId: 'shardId-000000000003', ordinal: 3, startingHashKey: '0', endingHashKey: '1', createdAtMs: Date.UTC(2026, 0, 1) };
    fc.assert(
      fc.property(fc.array(fc.record({ gap: fc.integer({ min: 1, max: 3 }), dt: fc.integer({ min: 0, max: 700 }) }), { maxLength: 60 }), (steps) => {
        let index = -1n;
        let t = shard.createdAtMs;
        const records = steps.map(({ gap, dt }) => ({
          index: (index += BigInt(gap)),
          partitionKey: 'k',
          data: new Uint8Array([1]),
          arrivalMs: (t += dt),
          encrypted: dt % 2 === 0,
        }));
        const out = wireRecords(shard, records);
        expect(out.map((r) => r['SequenceNumber'])).toEqual(records.map((r) => sequenceNumberAt(sequenceBase(shard), r.index, r.arrivalMs)));
        expect(out.map((r) => r['EncryptionType'])).toEqual(records.map((r) => (r.encrypted ? 'KMS' : undefined)));
      }),
    );
  });
});
