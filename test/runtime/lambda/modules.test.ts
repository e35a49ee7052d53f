// What a handler sees of its modules, as on AWS where the code runs unbundled from /var/task: an
// optional import() of a package that is not installed fails only when it runs, and `__dirname`,
// `__filename` and `import.meta.url` name each source file's real place, so files beside it can be read.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { fnConfig, harness, invokeJson, type Harness } from './helpers.ts';

let h: Harness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A service dir in a temp folder with the given files (paths relative to it). */
async function service(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe('a dynamic import() of a package that is not installed', () => {
  const optional = (exportsLine: string) => `
const load = () => import('not-installed-anywhere');
${exportsLine}handler = async () => {
  try {
    await load();
    return 'loaded';
  } catch (err) {
    return { code: err.code, message: err.message };
  }
};
${exportsLine}ok = async () => 'ok';
`;

  test.each([
    ['ES module', 'optional.mjs', optional('export const ')],
    ['CommonJS', 'optional.cjs', optional('exports.')],
  ])('%s: fails when it runs and a try/catch catches it; the other handlers of the file run', async (_kind, file, text) => {
    const dir = await service({ 'package.json': '{}', [file]: text });
    h = await harness([fnConfig('f', 'optional.handler'), fnConfig('g', 'optional.ok')], { service: { dir } });
    expect((await invokeJson(h, 'g')).body).toBe('ok');
    const { result, body } = await invokeJson(h, 'f');
    expect(result.functionError).toBeUndefined();
    expect(body['code']).toBe('ERR_MODULE_NOT_FOUND');
    expect(body['message']).toMatch(/^Cannot find package 'not-installed-anywhere' imported from /);
  });

  test('uncaught, it is the invocation that fails, not INIT', async () => {
    const dir = await service({
      'package.json': '{"type":"module"}',
      'uncaught.js': "export const handler = async () => (await import('not-installed-anywhere/sub.js')).default;\n",
    });
    h = await harness([fnConfig('f', 'uncaught.handler')], { service: { dir } });
    const { result, body } = await invokeJson(h, 'f');
    expect(result.functionError).toBe('Unhandled');
    expect(body['errorType']).toBe('Error');
    expect(body['errorMessage']).toMatch(/^Cannot find package 'not-installed-anywhere' imported from /);
    expect(h.sink.of('f').some((l) => l.startsWith('INIT_REPORT'))).toBe(false);
  });

  test('a static import of it still fails at INIT', async () => {
    const dir = await service({
      'package.json': '{"type":"module"}',
      'static.js': "import missing from 'not-installed-anywhere';\nexport const handler = async () => missing;\nexport const ok = async () => 'ok';\n",
    });
    h = await harness([fnConfig('f', 'static.ok')], { service: { dir } });
    const { result, body } = await invokeJson(h, 'f');
    expect(result.functionError).toBe('Unhandled');
    expect(body['errorMessage']).toBe(`Cannot find package 'not-installed-anywhere' imported from ${path.join(dir, 'static.js')}`);
  });
});

describe('__dirname, __filename and import.meta name the source file', () => {
  const data = JSON.stringify({ hello: 'beside' });

  test('an ES module reads a file beside it through import.meta.url, .dirname and .filename', async () => {
    const dir = await service({
      'package.json': '{"type":"module"}',
      'src/data.json': data,
      'src/esm.js': `import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { location as helper } from './lib/helper.js';

const here = dirname(fileURLToPath(import.meta.url));
export const handler = async () => ({
  data: JSON.parse(readFileSync(join(here, 'data.json'), 'utf8')),
  viaUrl: JSON.parse(readFileSync(new URL('./data.json', import.meta.url), 'utf8')),
  url: import.meta.url,
  dirname: import.meta.dirname,
  filename: import.meta.filename,
  helper,
  dirnameGlobal: typeof __dirname,
});
`,
      'src/lib/helper.js': 'export const location = import.meta.url;\n',
    });
    h = await harness([fnConfig('f', 'src/esm.handler')], { service: { dir } });
    const { body } = await invokeJson(h, 'f');
    expect(body).toEqual({
      data: { hello: 'beside' },
      viaUrl: { hello: 'beside' },
      url: `file://${path.join(dir, 'src/esm.js')}`,
      dirname: path.join(dir, 'src'),
      filename: path.join(dir, 'src/esm.js'),
      helper: `file://${path.join(dir, 'src/lib/helper.js')}`,
      // As on AWS, an ES module has no __dirname.
      dirnameGlobal: 'undefined',
    });
  });

  test('a CommonJS module reads a file beside it through __dirname and __filename', async () => {
    const dir = await service({
      'package.json': '{}',
      'src/data.json': data,
      'src/cjs.js': `'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const helper = require('./lib/helper.js');
exports.handler = async () => ({
  data: JSON.parse(readFileSync(path.join(__dirname, 'data.json'), 'utf8')),
  dirname: __dirname,
  filename: __filename,
  helper,
  strict: (function () { return this === undefined; })(),
});
`,
      'src/lib/helper.js': 'module.exports = [__dirname, __filename];\n',
    });
    h = await harness([fnConfig('f', 'src/cjs.handler')], { service: { dir } });
    const { body } = await invokeJson(h, 'f');
    expect(body).toEqual({
      data: { hello: 'beside' },
      dirname: path.join(dir, 'src'),
      filename: path.join(dir, 'src/cjs.js'),
      helper: [path.join(dir, 'src/lib'), path.join(dir, 'src/lib/helper.js')],
      strict: true,
    });
  });

  test('files in node_modules keep the location of the bundle', async () => {
    const dir = await service({
      'package.json': '{}',
      'h.js': "const dep = require('dep');\nexports.handler = async () => dep;\n",
      'node_modules/dep/package.json': '{"name":"dep","main":"index.js"}',
      'node_modules/dep/index.js': 'module.exports = __dirname;\n',
    });
    h = await harness([fnConfig('f', 'h.handler')], { service: { dir } });
    const { body } = await invokeJson(h, 'f');
    expect(body).toMatch(new RegExp(`^${h.dataDir}/build/f-[0-9a-f]+$`));
  });

  test('TypeScript compiled to CommonJS: __dirname, or its own __dirname from import.meta.url; trace lines unmoved', async () => {
    const dir = await service({
      'package.json': '{}',
      'data.json': data,
      'ts/plain.ts': `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
export const handler = async (event: { fail?: boolean }) => {
  if (event.fail) throw new Error('line 4');
  return JSON.parse(readFileSync(join(__dirname, '..', 'data.json'), 'utf8')) as unknown;
};
`,
      'ts/own.ts': `import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const __dirname = dirname(fileURLToPath(import.meta.url));
export const handler = async () => JSON.parse(readFileSync(join(__dirname, '..', 'data.json'), 'utf8')) as unknown;
`,
    });
    h = await harness([fnConfig('plain', 'ts/plain.handler'), fnConfig('own', 'ts/own.handler')], { service: { dir } });
    expect((await invokeJson(h, 'plain')).body).toEqual({ hello: 'beside' });
    expect((await invokeJson(h, 'own')).body).toEqual({ hello: 'beside' });
    const { body } = await invokeJson(h, 'plain', { fail: true });
    expect((body['trace'] as string[])[1]).toContain(`${path.join(dir, 'ts/plain.ts')}:4:`);
  });
});
