// What a handler sees of its modules, as on AWS where the code runs unbundled from /var/task: an
// optional import() of a package that is not installed fails only when it runs.
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
