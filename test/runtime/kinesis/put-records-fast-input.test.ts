import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constraints, putRecords } from '../../../runtime/kinesis/operations/put-records.ts';
import { validateInput } from '../../../runtime/kinesis/validation.ts';

/** Mostly the valid arbitrary, sometimes one of the others (absent members included). */
const mostly = <T,>(valid: fc.Arbitrary<T>, ...others: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 30 }, ...others.map((arbitrary) => ({ arbitrary, weight: 1 })));

const base64 = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64'));
const entry = fc.record({
  PartitionKey: mostly(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 250, maxLength: 260 }), fc.constantFrom(undefined, '', null, 7, true, ['k'])),
  Data: mostly(base64, fc.string({ maxLength: 12 }), fc.constantFrom(undefined, 'AAA=', 'AAB=', 'AA==', 'AB==', 'A-_=', 'AAAA====', null, 1, {})),
  ExplicitHashKey: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 20 },
    fc.constant(null),
    fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
    fc.constantFrom('01', '-1', '', 'x', 3),
  ),
  Extra: fc.constantFrom(undefined, 'ignored'),
});
const input = fc.record({
  Records: mostly(fc.array(entry, { minLength: 1, maxLength: 6 }), fc.array(entry, { minLength: 499, maxLength: 502 }), fc.constantFrom(undefined, [], null, 'x', [null], [[]], {})),
  StreamName: mostly(fc.constantFrom('s', 'a.b-c_9', 'x'.repeat(128)), fc.constantFrom(undefined, 'bad name', '', 'x'.repeat(129), null, 5)),
  StreamARN: mostly(fc.constant(undefined), fc.constant('arn:aws:kinesis:us-east-1:000000000000:stream/s'), fc.constant(null)),
  StreamId: mostly(fc.constant(undefined), fc.constant('id')),
});

function tableResult(raw: Record<string, unknown>): unknown {
  try {
    return { ok: validateInput(constraints, raw, 'json') };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('PutRecords fastInput', () => {
  it('returns what the constraint table returns, and only for input the table accepts', () => {
    let taken = 0;
    let refused = 0;
    fc.assert(
      fc.property(input, (raw) => {
        const fast = putRecords.fastInput!(raw);
        if (fast === undefined) {
          refused++;
          return;
        }
        taken++;
        expect(tableResult(raw)).toEqual({ ok: fast });
      }),
      { numRuns: 1000 },
    );
    expect(taken).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('takes the shape the SDK sends', () => {
    const raw = { StreamName: 's', Records: [{ PartitionKey: 'k', Data: 'AAEC' }, { PartitionKey: 'j', Data: '', ExplicitHashKey: '5' }] };
    expect(putRecords.fastInput!(raw)).toEqual(validateInput(constraints, raw, 'json'));
  });
});
