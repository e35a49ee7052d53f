// loadServiceConfig against real files in a temp dir: file names, YAML errors with file:line, ${file()},
// layer folders, frozen output.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../../runtime/config/load.ts';
import { formatYamlError, parseServerlessYaml } from '../../../runtime/config/parse.ts';
import { hasErrorCode } from '../../../runtime/errors.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

const MINIMAL = 'service: svc\nfunctions:\n  a:\n    handler: src/a.handler\n';

describe('finding the file', () => {
  it('reads serverless.yml', async () => {
    await writeFile(path.join(dir, 'serverless.yml'), MINIMAL);
    const c = await loadServiceConfig(dir, { env: {} });
    expect(c.dir).toBe(dir);
    expect(c.functions['a']!.name).toBe('svc-dev-a');
  });

  it('reads serverless.yaml when there is no serverless.yml', async () => {
    await writeFile(path.join(dir, 'serverless.yaml'), MINIMAL.replace('svc', 'yaml-svc'));
    expect((await loadServiceConfig(dir, { env: {} })).service).toBe('yaml-svc');
  });

  it('reads the file given by `file`, relative to the folder', async () => {
    await mkdir(path.join(dir, 'conf'));
    await writeFile(path.join(dir, 'conf', 'other.yml'), MINIMAL.replace('svc', 'other'));
    const c = await loadServiceConfig(dir, { env: {}, file: 'conf/other.yml' });
    expect(c.service).toBe('other');
    expect(c.dir).toBe(path.join(dir, 'conf'));
  });

  it('a missing file is EDDY_ERR_CONFIG_NOT_FOUND', async () => {
    const err = await failure(loadServiceConfig(dir, { env: {} }));
    expect(hasErrorCode(err, 'EDDY_ERR_CONFIG_NOT_FOUND')).toBe(true);
    expect(err.message).toMatch(/^No serverless\.yml was found: looked for .*serverless\.yml or .*serverless\.yaml$/);
  });

  it('stage, region and env options reach the variables', async () => {
    await writeFile(path.join(dir, 'serverless.yml'), `${MINIMAL}    environment:\n      S: \${sls:stage}\n      R: \${aws:region}\n      E: \${env:FOO}\n`);
    const c = await loadServiceConfig(dir, { stage: 'qa', region: 'eu-west-1', env: { FOO: 'bar' } });
    expect(c.functions['a']!.environment).toEqual({ S: 'qa', R: 'eu-west-1', E: 'bar' });
  });
});

describe('YAML errors', () => {
  it('are reported with file:line:column and an excerpt', async () => {
    await writeFile(path.join(dir, 'serverless.yml'), 'service: svc\nprovider:\n  name: aws\n  name: aws\n');
    const err = await failure(loadServiceConfig(dir, { env: {} }));
    expect(hasErrorCode(err, 'EDDY_ERR_CONFIG_INVALID')).toBe(true);
    expect(err.message.split('\n').slice(0, 2)).toEqual(['serverless.yml is not valid YAML:', 'serverless.yml:4:3: Map keys must be unique']);
  });

  it('every YAML error is listed', () => {
    let message = '';
    try {
      parseServerlessYaml('a: [1\nb: {', 'serverless.yml');
    } catch (err) {
      message = (err as Error).message;
    }
    const headlines = message.split('\n').filter((l) => l.startsWith('serverless.yml:'));
    expect(headlines.length).toBeGreaterThanOrEqual(2);
    expect(headlines[0]).toMatch(/^serverless\.yml:2:1: /);
  });

  it('unknown tags become notices with their line', () => {
    const parsed = parseServerlessYaml('service: svc\ncustom:\n  x: !Whatever 1\n', 'serverless.yml');
    expect(parsed.notices).toEqual(['serverless.yml:3:6: Unresolved tag: !Whatever']);
  });

  it('formatYamlError keeps the position when the message has none', () => {
    const e = Object.assign(new Error('Something'), { linePos: [{ line: 2, col: 5 }] });
    expect(formatYamlError(e as never, 'x.yml')).toBe('x.yml:2:5: Something');
  });

  it("CloudFormation short forms and merge keys parse as Serverless's loader does", () => {
    const { value } = parseServerlessYaml(
      "a: !GetAtt S.Arn\nb: !Ref X\nc: !Join [':', [a, !Ref Y]]\nd: !Sub 'x-${AWS::Region}'\ne: !ImportValue exp\nf: !Select [0, !Split [',', 'p,q']]\nbase: &b {x: 1}\ng:\n  <<: *b\n  y: 2\n",
      'serverless.yml',
    );
    expect(value).toEqual({
      a: { 'Fn::GetAtt': ['S', 'Arn'] },
      b: { Ref: 'X' },
      c: { 'Fn::Join': [':', ['a', { Ref: 'Y' }]] },
      d: { 'Fn::Sub': 'x-${AWS::Region}' },
      e: { 'Fn::ImportValue': 'exp' },
      f: { 'Fn::Select': [0, { 'Fn::Split': [',', 'p,q'] }] },
      base: { x: 1 },
      g: { x: 1, y: 2 },
    });
  });
});

describe('files the config points at', () => {
  it('${file(...)} reads YAML and JSON files next to serverless.yml', async () => {
    await writeFile(path.join(dir, 'extra.yml'), 'memory:\n  prod: 2048\n');
    await writeFile(path.join(dir, 'extra.json'), JSON.stringify({ env: { A: 'from-json' } }));
    await writeFile(
      path.join(dir, 'serverless.yml'),
      `${MINIMAL}    memorySize: \${file(./extra.yml):memory.prod}\n    environment: \${file(./extra.json):env}\n`,
    );
    const f = (await loadServiceConfig(dir, { env: {} })).functions['a']!;
    expect(f.memorySize).toBe(2048);
    expect(f.environment).toEqual({ A: 'from-json' });
  });

  it('a missing ${file(...)} without a fallback is an error naming the path', async () => {
    await writeFile(path.join(dir, 'serverless.yml'), `${MINIMAL}    memorySize: \${file(./nope.yml):memory}\n`);
    const err = await failure(loadServiceConfig(dir, { env: {} }));
    expect(err.message).toBe('serverless.yml is invalid (1 problem):\n  functions.a.memorySize: cannot resolve ${file(./nope.yml):memory}: the file ./nope.yml does not exist');
  });

  it('a missing key in an existing ${file(...)} is an error naming the key', async () => {
    await writeFile(path.join(dir, 'extra.yml'), 'other: 1\n');
    await writeFile(path.join(dir, 'serverless.yml'), `${MINIMAL}    memorySize: \${file(./extra.yml):memory}\n`);
    const err = await failure(loadServiceConfig(dir, { env: {} }));
    expect(err.message).toBe('serverless.yml is invalid (1 problem):\n  functions.a.memorySize: cannot resolve ${file(./extra.yml):memory}: "memory" is not in the file ./extra.yml');
  });

  it('layer folders must exist', async () => {
    await mkdir(path.join(dir, 'layers', 'ok'), { recursive: true });
    await writeFile(
      path.join(dir, 'serverless.yml'),
      `service: svc\nlayers:\n  ok: {path: layers/ok}\n  gone: {path: layers/gone}\nfunctions:\n  a:\n    handler: a.handler\n    layers: [{Ref: OkLambdaLayer}, {Ref: GoneLambdaLayer}]\n`,
    );
    const err = await failure(loadServiceConfig(dir, { env: {} }));
    expect(hasErrorCode(err, 'EDDY_ERR_CONFIG_INVALID')).toBe(true);
    expect(err.message).toBe(`serverless.yml is invalid (1 problem):\n  functions.a.layers: folder ${path.join('layers', 'gone')} does not exist`);
  });

  it('the loaded config is frozen', async () => {
    await writeFile(path.join(dir, 'serverless.yml'), MINIMAL);
    const c = await loadServiceConfig(dir, { env: {} });
    expect(() => {
      (c.functions['a'] as { timeout: number }).timeout = 1;
    }).toThrow(TypeError);
  });
});

describe('.env files', () => {
  it('.env.<stage>, else .env, feed ${env:…}; the real environment wins; functions get only what they declare', async () => {
    await writeFile(path.join(dir, '.env'), 'FROM_FILE=plain\nSHARED=file\n');
    await writeFile(path.join(dir, '.env.prod'), 'FROM_FILE=prod\n');
    await writeFile(path.join(dir, 'serverless.yml'), `${MINIMAL}    environment:\n      A: \${env:FROM_FILE}\n      B: \${env:SHARED, 'none'}\n`);
    expect((await loadServiceConfig(dir, { env: {} })).functions['a']!.environment).toEqual({ A: 'plain', B: 'file' });
    expect((await loadServiceConfig(dir, { env: {}, stage: 'prod' })).functions['a']!.environment).toEqual({ A: 'prod', B: 'none' });
    expect((await loadServiceConfig(dir, { env: { FROM_FILE: 'shell' } })).functions['a']!.environment).toEqual({ A: 'shell', B: 'file' });
  });
});
