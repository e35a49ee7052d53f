// The schema engine on its own: paths, messages, defaults, suggestions, notices.
import { describe, expect, it } from 'vitest';
import { formatPath, isIntrinsic, Report, suggest, validate, type Schema } from '../../../runtime/config/validate.ts';
import { UNRESOLVED } from '../../../runtime/config/variables.ts';

function check(schema: Schema, value: unknown) {
  const report = new Report();
  const out = validate(schema, value, ['root'], report);
  return { out, issues: report.issues.map((i) => `${i.path}: ${i.message}`), notices: report.notices };
}

describe('formatPath', () => {
  it('dots for keys, brackets for indexes, quotes for keys that are not identifiers', () => {
    expect(formatPath(['functions', 'my-fn', 'events', 0, 'stream', 'batchSize'])).toBe('functions.my-fn.events[0].stream.batchSize');
    expect(formatPath(['custom', 'eddy', 'layers', 'arn:aws:lambda:x'])).toBe('custom.eddy.layers["arn:aws:lambda:x"]');
    expect(formatPath([])).toBe('');
  });
});

describe('suggest', () => {
  it('finds typos, case slips and abbreviations, and nothing for unrelated words', () => {
    const keys = ['timeout', 'memorySize', 'handler', 'ShardCount'];
    expect(suggest('timout', keys)).toBe('timeout');
    expect(suggest('memorysize', keys)).toBe('memorySize');
    expect(suggest('Shards', keys)).toBe('ShardCount');
    expect(suggest('frobnicate', keys)).toBeUndefined();
  });
});

describe('validate', () => {
  it('integer ranges, including values allowed outside the range', () => {
    const s: Schema = { type: 'integer', min: 60, max: 100, alsoAllowed: [-1] };
    expect(check(s, -1).issues).toEqual([]);
    expect(check(s, 59).issues).toEqual(['root: must be -1 or between 60 and 100']);
    expect(check({ type: 'integer', min: 1 }, 0).issues).toEqual(['root: must be ≥ 1']);
    expect(check({ type: 'integer', max: 1 }, 2).issues).toEqual(['root: must be ≤ 1']);
    expect(check({ type: 'integer' }, 1.5).issues).toEqual(['root: must be an integer']);
  });

  it('coerces numeric and boolean strings like Serverless (AJV coerceTypes)', () => {
    expect(check({ type: 'integer' }, '42').out).toBe(42);
    expect(check({ type: 'boolean' }, 'false').out).toBe(false);
    expect(check({ type: 'integer' }, '4x').issues).toEqual(['root: must be an integer']);
  });

  it('applies defaults for absent and null keys', () => {
    const s: Schema = { type: 'object', props: { a: { type: 'integer', default: 10 }, b: { type: 'string', default: 'x' } } };
    expect(check(s, { b: null }).out).toEqual({ a: 10, b: 'x' });
  });

  it('anyOf picks the option by JS type and describes all options when none fits', () => {
    const s: Schema = { type: 'anyOf', options: [{ type: 'string' }, { type: 'intrinsic' }] };
    expect(check(s, { Ref: 'X' }).issues).toEqual([]);
    expect(check(s, 3).issues).toEqual(['root: must be a string or a CloudFormation intrinsic (Ref, Fn::GetAtt, ...)']);
  });

  it('unknown keys: error by default, notice or kept as written on request', () => {
    const props = { known: { type: 'string' } } as const;
    expect(check({ type: 'object', props }, { knwon: 'x', zzz: 1 }).issues).toEqual(['root.knwon: unknown key (did you mean "known"?)', 'root.zzz: unknown key']);
    const n = check({ type: 'object', props, unknownKeys: 'notice', unknownNotice: 'ignored' }, { zzz: 1 });
    expect([n.issues, n.notices, n.out]).toEqual([[], ['root.zzz: ignored'], {}]);
    expect(check({ type: 'object', props, unknownKeys: 'allow' }, { zzz: 1 }).out).toEqual({ zzz: 1 });
  });

  it('ignored keys give their notice; refused keys their error', () => {
    const s: Schema = { type: 'object', props: { a: { type: 'ignored', notice: 'not emulated' }, b: { type: 'refused', message: 'no' } } };
    const r = check(s, { a: 1, b: 2 });
    expect([r.issues, r.notices]).toEqual([['root.b: no'], ['root.a: not emulated']]);
  });

  it('a value whose variable failed is not reported again', () => {
    expect(check({ type: 'object', props: { a: { type: 'integer' } }, required: ['a'] }, { a: UNRESOLVED }).issues).toEqual([]);
  });

  it('lists: item paths and size limits', () => {
    const s: Schema = { type: 'array', items: { type: 'string' }, maxItems: 2 };
    expect(check(s, ['a', 1]).issues).toEqual(['root[1]: must be a string']);
    expect(check(s, ['a', 'b', 'c']).issues).toEqual(['root: must have at most 2 items']);
  });

  it('isIntrinsic recognises Ref, Fn::* and Condition objects only', () => {
    expect([isIntrinsic({ Ref: 'x' }), isIntrinsic({ 'Fn::Join': [] }), isIntrinsic({ Condition: 'c' })]).toEqual([true, true, true]);
    expect([isIntrinsic({ Ref: 'x', other: 1 }), isIntrinsic({ arn: 'x' }), isIntrinsic('Ref')]).toEqual([false, false, false]);
  });
});
