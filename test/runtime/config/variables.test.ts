import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTemplate, resolveVariables, UNRESOLVED, type VariableOptions } from '../../../runtime/config/variables.ts';
import { yamlOptions } from '../../../runtime/config/yaml-tags.ts';

const base: VariableOptions = { env: {}, instanceId: 'i-123', accountId: '000000000000' };

function resolve(yaml: string, options: Partial<VariableOptions> = {}) {
  return resolveVariables(parse(yaml, yamlOptions()), { ...base, ...options });
}

/** The resolved value, asserting nothing went wrong. */
function value(yaml: string, options: Partial<VariableOptions> = {}): Record<string, unknown> {
  const r = resolve(yaml, options);
  expect(r.errors).toEqual([]);
  return r.value as Record<string, unknown>;
}

describe('self', () => {
  it('reads a nested path', () => {
    expect(value('a: ${self:custom.b.c}\ncustom: {b: {c: deep}}')['a']).toBe('deep');
  });

  it('reads list items by index', () => {
    expect(value('a: ${self:custom.list.1}\ncustom: {list: [x, y]}')['a']).toBe('y');
  });

  it('keeps the type of a whole-value variable: number, boolean, object, list', () => {
    const v = value('n: ${self:custom.n}\nb: ${self:custom.b}\no: ${self:custom.o}\nl: ${self:custom.l}\ncustom: {n: 42, b: true, o: {k: v}, l: [1, 2]}');
    expect(v['n']).toBe(42);
    expect(v['b']).toBe(true);
    expect(v['o']).toEqual({ k: 'v' });
    expect(v['l']).toEqual([1, 2]);
  });

  it('follows values that are variables themselves', () => {
    const v = value('a: ${self:custom.b}\ncustom: {b: "${self:custom.c}-x", c: "${env:C}"}', { env: { C: 'see' } });
    expect(v['a']).toBe('see-x');
  });

  it('walks into an object that came from another variable', () => {
    expect(value('a: ${self:custom.alias.k}\ncustom: {alias: "${self:custom.real}", real: {k: 7}}')['a']).toBe(7);
  });

  it('allows variables inside the address', () => {
    const v = value('provider: {stage: prod}\nmem: ${self:custom.${sls:stage}.mem}\ncustom: {prod: {mem: 2048}}');
    expect(v['mem']).toBe(2048);
  });

  it('reports a missing path without a fallback, naming the path of the value', () => {
    const r = resolve('custom:\n  a: ${self:custom.nope}');
    expect(r.errors).toEqual([{ path: 'custom.a', message: 'cannot resolve ${self:custom.nope}: custom.nope is not set in the file' }]);
    expect((r.value as { custom: { a: unknown } }).custom.a).toBe(UNRESOLVED);
  });

  it('reports a circular reference once instead of looping', () => {
    const r = resolve('custom:\n  x: ${self:custom.y}\n  y: ${self:custom.x}');
    expect(r.errors).toEqual([{ path: 'custom.y', message: 'circular reference: custom.x depends on itself' }]);
  });
});

describe('sls, opt, aws', () => {
  it('${sls:stage} is --stage, else provider.stage, else dev', () => {
    expect(value('a: ${sls:stage}')['a']).toBe('dev');
    expect(value('provider: {stage: qa}\na: ${sls:stage}')['a']).toBe('qa');
    expect(value('provider: {stage: qa}\na: ${sls:stage}', { stage: 'prod' })['a']).toBe('prod');
  });

  it('${sls:stage} resolves a provider.stage that is itself a variable', () => {
    expect(value("provider: {stage: \"${opt:stage, 'beta'}\"}\na: ${sls:stage}")['a']).toBe('beta');
  });

  it('${sls:instanceId} gives the instance id', () => {
    expect(value('a: ${sls:instanceId}', { instanceId: 'abc' })['a']).toBe('abc');
  });

  it('${opt:stage} and ${opt:region} read the options; absent without a fallback is an error', () => {
    expect(value('a: ${opt:stage}\nb: ${opt:region}', { stage: 's', region: 'eu-west-1' })).toEqual({ a: 's', b: 'eu-west-1' });
    expect(resolve('a: ${opt:stage}').errors).toEqual([{ path: 'a', message: 'cannot resolve ${opt:stage}: option --stage was not given' }]);
  });

  it('${aws:region} and ${aws:accountId}', () => {
    expect(value('provider: {region: eu-west-1}\na: ${aws:region}\nb: ${aws:accountId}')).toMatchObject({ a: 'eu-west-1', b: '000000000000' });
  });

  it('an unknown sls address is an error', () => {
    expect(resolve('a: ${sls:nope}').errors).toEqual([{ path: 'a', message: 'unsupported address "nope" of the "sls" source (stage, instanceId)' }]);
  });
});

describe('env and fallbacks', () => {
  it('reads the given environment', () => {
    expect(value('a: ${env:X}', { env: { X: 'x' } })['a']).toBe('x');
  });

  it('an unset variable without a fallback is an error naming the path and the variable', () => {
    expect(resolve('provider:\n  environment:\n    A: ${env:NOPE}').errors).toEqual([
      { path: 'provider.environment.A', message: 'cannot resolve ${env:NOPE}: environment variable NOPE is not set' },
    ]);
  });

  it('an empty variable counts as unset, as in Serverless', () => {
    expect(value("a: ${env:E, 'fallback'}", { env: { E: '' } })['a']).toBe('fallback');
  });

  it("single- and double-quoted string fallbacks", () => {
    expect(value("a: ${env:X, 'd'}\nb: ${env:X, \"e f\"}")).toEqual({ a: 'd', b: 'e f' });
  });

  it('number, boolean and null fallbacks keep their type', () => {
    const v = value('a: ${self:x, 123}\nb: ${env:X, true}\nc: ${env:X, null}');
    expect(v['a']).toBe(123);
    expect(v['b']).toBe(true);
    expect(v['c']).toBeNull();
  });

  it('nested fallbacks: ${env:A, ${env:B, \'c\'}}', () => {
    const y = "a: ${env:A, ${env:B, 'c'}}";
    expect(value(y)['a']).toBe('c');
    expect(value(y, { env: { B: 'b' } })['a']).toBe('b');
    expect(value(y, { env: { A: 'a', B: 'b' } })['a']).toBe('a');
  });

  it('bare fallback sources: ${opt:stage, self:provider.stage}', () => {
    expect(value('provider: {stage: qa}\na: ${opt:stage, self:provider.stage}')['a']).toBe('qa');
  });

  it('an empty string fallback is a value', () => {
    expect(value("a: ${env:X, ''}")['a']).toBe('');
  });
});

describe('interpolation', () => {
  it('interpolates several variables into a string', () => {
    expect(value('service: svc\na: pre-${self:service}-${sls:stage}-${self:custom.n}\ncustom: {n: 42}')['a']).toBe('pre-svc-dev-42');
  });

  it('refuses an object inside a string', () => {
    expect(resolve('a: x-${self:custom.o}\ncustom: {o: {k: v}}').errors).toEqual([
      { path: 'a', message: '${self:custom.o} resolves to an object and cannot be part of a string' },
    ]);
  });

  it("leaves CloudFormation's ${AWS::Region} and ${Logical.Attr} alone", () => {
    expect(value('a: arn:${AWS::Partition}:s3:::${Bucket}/${Other.Arn}')['a']).toBe('arn:${AWS::Partition}:s3:::${Bucket}/${Other.Arn}');
  });

  it('reports bad syntax', () => {
    expect(resolve('a: ${env:X').errors).toEqual([{ path: 'a', message: 'invalid variable syntax: missing closing "}" in "${env:X"' }]);
    expect(resolve('a: ${env:X, dev}').errors).toEqual([
      { path: 'a', message: `invalid variable syntax: invalid fallback "dev" in "\${env:X, dev}" (quote strings: 'dev')` },
    ]);
  });

  it('parses templates into literal parts and variables', () => {
    const t = parseTemplate('a-${env:X}-b');
    expect(t.length).toBe(3);
    expect(t[0]).toBe('a-');
    expect(t[2]).toBe('-b');
  });
});

describe('params and other sources', () => {
  it('${param:x} reads params.<stage>, then params.default; stages.<stage>.params too', () => {
    const y = 'params:\n  prod: {size: big}\n  default: {size: small, color: red}\nstages:\n  prod: {params: {shape: round}}\na: ${param:size}\nb: ${param:color}\nc: ${param:shape}';
    expect(value(y, { stage: 'prod' })).toMatchObject({ a: 'big', b: 'red', c: 'round' });
    expect(value(y.replace('\nc: ${param:shape}', ''), { stage: 'dev' })).toMatchObject({ a: 'small', b: 'red' });
  });

  it('${strToBool(...)}', () => {
    expect(value('a: ${strToBool(true)}\nb: ${strToBool(0)}')).toEqual({ a: true, b: false });
  });

  it('sources eddy cannot resolve locally need a fallback: error without one, notice with one', () => {
    expect(resolve('a: ${ssm:/app/key}').errors).toEqual([
      { path: 'a', message: `cannot resolve \${ssm:/app/key}: eddy does not resolve "ssm" variables locally; add a fallback, e.g. \${ssm:/app/key, 'local-value'}` },
    ]);
    const r = resolve("a: ${ssm:/app/key, 'local'}");
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual({ a: 'local' });
    expect(r.notices).toEqual(['a: ${ssm:…} not resolved by eddy; used the fallback']);
  });

  it('${file()} needs the service folder', () => {
    expect(resolve('a: ${file(./x.yml):k}').errors).toEqual([{ path: 'a', message: '${file(./x.yml)} needs the service folder' }]);
  });
});

describe('provider defaults through self', () => {
  it('${self:provider.stage} and ${self:provider.region} give the defaults when they are not set', () => {
    expect(value('a: ${self:provider.stage}\nb: ${self:provider.region}')).toEqual({ a: 'dev', b: 'us-east-1' });
    expect(value('a: ${self:provider.stage}', { stage: 'prod' })['a']).toBe('prod');
  });
});
