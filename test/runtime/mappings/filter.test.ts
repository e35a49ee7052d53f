// Filter patterns (EventBridge syntax on the decoded JSON data + metadata), every operator of reference §4.7.
import { describe, expect, it } from 'vitest';
import { compileFilters, decodeForFilter, InvalidFilterPatternError, type FilterableRecord } from '../../../runtime/mappings/filter.ts';

function rec(data: unknown, meta: Partial<FilterableRecord> = {}): FilterableRecord {
  const bytes = Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
  return {
    ...decodeForFilter(bytes),
    partitionKey: 'pk-1',
    sequenceNumber: '4960',
    approximateArrivalTimestamp: 1700000000.5,
    kinesisSchemaVersion: '1.0',
    ...meta,
  };
}

const matches = (pattern: unknown, data: unknown, meta?: Partial<FilterableRecord>): boolean =>
  compileFilters([JSON.stringify(pattern)]).matches(rec(data, meta));

describe('filter patterns', () => {
  it('equals: strings, numbers, booleans; nested fields; AND across fields', () => {
    expect(matches({ data: { type: ['buy'] } }, { type: 'buy' })).toBe(true);
    expect(matches({ data: { type: ['buy'] } }, { type: 'sell' })).toBe(false);
    expect(matches({ data: { type: ['buy', 'sell'] } }, { type: 'sell' })).toBe(true);
    expect(matches({ data: { n: [5] } }, { n: 5 })).toBe(true);
    expect(matches({ data: { n: [5] } }, { n: '5' })).toBe(false);
    expect(matches({ data: { ok: [true] } }, { ok: true })).toBe(true);
    expect(matches({ data: { order: { type: ['buy'] } } }, { order: { type: 'buy' } })).toBe(true);
    expect(matches({ data: { order: { type: ['buy'] } } }, { order: 'buy' })).toBe(false);
    expect(matches({ data: { a: ['x'], b: ['y'] } }, { a: 'x', b: 'y', c: 'ignored' })).toBe(true);
    expect(matches({ data: { a: ['x'], b: ['y'] } }, { a: 'x', b: 'z' })).toBe(false);
    // An array value matches when any element does.
    expect(matches({ data: { tags: ['red'] } }, { tags: ['blue', 'red'] })).toBe(true);
  });

  it('null and empty string', () => {
    expect(matches({ data: { v: [null] } }, { v: null })).toBe(true);
    expect(matches({ data: { v: [null] } }, {})).toBe(false);
    expect(matches({ data: { v: [null] } }, { v: '' })).toBe(false);
    expect(matches({ data: { v: [''] } }, { v: '' })).toBe(true);
    expect(matches({ data: { v: [''] } }, { v: null })).toBe(false);
  });

  it('anything-but: a value, a list, numbers, a prefix', () => {
    expect(matches({ data: { s: [{ 'anything-but': 'x' }] } }, { s: 'y' })).toBe(true);
    expect(matches({ data: { s: [{ 'anything-but': 'x' }] } }, { s: 'x' })).toBe(false);
    expect(matches({ data: { s: [{ 'anything-but': ['x', 'y'] }] } }, { s: 'y' })).toBe(false);
    expect(matches({ data: { s: [{ 'anything-but': ['x', 'y'] }] } }, { s: 'z' })).toBe(true);
    expect(matches({ data: { n: [{ 'anything-but': [1, 2] }] } }, { n: 3 })).toBe(true);
    expect(matches({ data: { n: [{ 'anything-but': [1, 2] }] } }, { n: 2 })).toBe(false);
    expect(matches({ data: { s: [{ 'anything-but': { prefix: 'in' } }] } }, { s: 'internal' })).toBe(false);
    expect(matches({ data: { s: [{ 'anything-but': { prefix: 'in' } }] } }, { s: 'external' })).toBe(true);
    // A missing field matches nothing but exists:false.
    expect(matches({ data: { s: [{ 'anything-but': 'x' }] } }, {})).toBe(false);
  });

  it('numeric: equals and ranges', () => {
    expect(matches({ data: { p: [{ numeric: ['=', 100] }] } }, { p: 100 })).toBe(true);
    expect(matches({ data: { p: [{ numeric: ['=', 100] }] } }, { p: 101 })).toBe(false);
    const range = { data: { p: [{ numeric: ['>', 0, '<=', 5] }] } };
    expect(matches(range, { p: 0 })).toBe(false);
    expect(matches(range, { p: 0.1 })).toBe(true);
    expect(matches(range, { p: 5 })).toBe(true);
    expect(matches(range, { p: 5.01 })).toBe(false);
    expect(matches(range, { p: '3' })).toBe(false);
    expect(matches({ data: { p: [{ numeric: ['>=', 10] }] } }, { p: 10 })).toBe(true);
    expect(matches({ data: { p: [{ numeric: ['<', 10] }] } }, { p: 10 })).toBe(false);
  });

  it('exists true / false (leaf values only)', () => {
    expect(matches({ data: { e: [{ exists: true }] } }, { e: 1 })).toBe(true);
    expect(matches({ data: { e: [{ exists: true }] } }, { f: 1 })).toBe(false);
    expect(matches({ data: { e: [{ exists: false }] } }, { f: 1 })).toBe(true);
    expect(matches({ data: { e: [{ exists: false }] } }, { e: 'x' })).toBe(false);
    expect(matches({ data: { e: [{ exists: true }] } }, { e: { nested: 1 } })).toBe(false);
  });

  it('prefix (and suffix, equals-ignore-case)', () => {
    expect(matches({ data: { r: [{ prefix: 'us-' }] } }, { r: 'us-east-1' })).toBe(true);
    expect(matches({ data: { r: [{ prefix: 'us-' }] } }, { r: 'eu-west-1' })).toBe(false);
    expect(matches({ data: { f: [{ suffix: '.png' }] } }, { f: 'a.png' })).toBe(true);
    expect(matches({ data: { c: [{ 'equals-ignore-case': 'ABC' }] } }, { c: 'aBc' })).toBe(true);
  });

  it('metadata fields: partitionKey', () => {
    expect(matches({ partitionKey: ['pk-1'] }, 'not json at all')).toBe(true);
    expect(matches({ partitionKey: ['pk-2'] }, { a: 1 })).toBe(false);
    expect(matches({ partitionKey: [{ prefix: 'pk-' }], data: { a: [1] } }, { a: 1 })).toBe(true);
  });

  it('ORs several patterns; no patterns pass everything', () => {
    const f = compileFilters([JSON.stringify({ data: { t: ['a'] } }), JSON.stringify({ data: { t: ['b'] } })]);
    expect(f.matches(rec({ t: 'a' }))).toBe(true);
    expect(f.matches(rec({ t: 'b' }))).toBe(true);
    expect(f.matches(rec({ t: 'c' }))).toBe(false);
    expect(compileFilters([]).matches(rec('anything'))).toBe(true);
  });

  it('drops non-JSON data when a pattern reads data', () => {
    expect(matches({ data: { t: ['a'] } }, 'plain text')).toBe(false);
    expect(matches({ data: { t: [{ exists: false }] } }, 'plain text')).toBe(false);
  });

  it.each([
    ['not json', '{"data": '],
    ['not an object', '["a"]'],
    ['a scalar leaf', '{"data": {"t": "a"}}'],
    ['an empty match list', '{"data": {"t": []}}'],
    ['an unknown operator', '{"data": {"t": [{"contains": "a"}]}}'],
    ['a bad numeric operator', '{"data": {"t": [{"numeric": ["!=", 1]}]}}'],
    ['a numeric without a number', '{"data": {"t": [{"numeric": [">", "1"]}]}}'],
    ['exists with a string', '{"data": {"t": [{"exists": "yes"}]}}'],
    ['prefix with a number', '{"data": {"t": [{"prefix": 1}]}}'],
    ['two operators in one object', '{"data": {"t": [{"prefix": "a", "suffix": "b"}]}}'],
    ['an empty object', '{}'],
  ])('rejects %s with "Invalid filter pattern definition."', (_what, pattern) => {
    let error: unknown;
    try {
      compileFilters([pattern]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidFilterPatternError);
    expect((error as Error).message).toBe('Invalid filter pattern definition.');
  });
});
