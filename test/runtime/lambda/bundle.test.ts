// Handler strings and bundling: the RIC's split rules, Node's module format rules, esbuild output named
// by content hash, the input list a watcher needs, and @aws-sdk left external but resolved.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { FunctionBundler, layerModulePaths, runtimeMajor, type BundleResult, type BuiltBundle } from '../../../runtime/lambda/bundle.ts';
import { moduleFormat, parseHandler } from '../../../runtime/lambda/handler.ts';
import { fnConfig, SERVICE_DIR } from './helpers.ts';

const dirs: string[] = [];
const bundlers: FunctionBundler[] = [];
afterEach(async () => {
  for (const b of bundlers.splice(0)) await b.dispose();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
  dirs.push(dir);
  return dir;
}

async function bundle(handler: string, esbuildOptions: Record<string, unknown> = {}, serviceDir = SERVICE_DIR): Promise<{ result: BundleResult; outRoot: string }> {
  const outRoot = await tempDir();
  const bundler = new FunctionBundler({ fn: fnConfig('f', handler), serviceDir, esbuildOptions, outRoot });
  bundlers.push(bundler);
  return { result: await bundler.build(), outRoot };
}

function built(result: BundleResult): BuiltBundle {
  if (!result.ok) throw new Error(`build failed: ${result.error.errorMessage}`);
  return result;
}

describe('parseHandler', () => {
  test('splits at the last / then the first .', () => {
    expect(parseHandler('index.handler')).toEqual({ handler: 'index.handler', moduleRoot: '', moduleName: 'index', exportPath: 'handler' });
    expect(parseHandler('src/fns/a.b.c')).toEqual({ handler: 'src/fns/a.b.c', moduleRoot: 'src/fns/', moduleName: 'a', exportPath: 'b.c' });
  });

  test('refuses what the RIC refuses', () => {
    expect(parseHandler('nodot')).toMatchObject({ errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' });
    expect(parseHandler('a/../b.h')).toMatchObject({ errorType: 'Runtime.MalformedHandlerName' });
  });
});

describe('formats', () => {
  test("by extension, else the nearest package.json's type", async () => {
    expect(moduleFormat(path.join(SERVICE_DIR, 'faults.mjs'))).toBe('esm');
    expect(moduleFormat(path.join(SERVICE_DIR, 'callback.cjs'))).toBe('cjs');
    expect(moduleFormat(path.join(SERVICE_DIR, 'src/typed.ts'))).toBe('esm');
    const dir = await tempDir();
    await writeFile(path.join(dir, 'package.json'), '{}');
    expect(moduleFormat(path.join(dir, 'plain.js'))).toBe('cjs');
  });

  test('runtimes and layers', () => {
    expect(runtimeMajor('nodejs20.x')).toBe(20);
    expect(runtimeMajor('python3.12')).toBeUndefined();
    expect(layerModulePaths(['/l/a', '/l/b'], 20)).toEqual([
      '/l/b/nodejs/node20/node_modules',
      '/l/b/nodejs/node_modules',
      '/l/a/nodejs/node20/node_modules',
      '/l/a/nodejs/node_modules',
    ]);
  });
});

describe('FunctionBundler', () => {
  test('a TypeScript handler: one .mjs named by content hash, with its inputs', async () => {
    const { result, outRoot } = await bundle('src/typed.handler');
    const b = built(result);
    expect(b.format).toBe('esm');
    expect(b.bundlePath).toMatch(new RegExp(`^${outRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/f-[0-9a-f]{16}/index\\.mjs$`));
    expect(b.bundlePath).toContain(b.hash);
    expect(b.inputs.sort()).toEqual(
      [path.join(SERVICE_DIR, 'src/typed.ts'), path.join(SERVICE_DIR, 'src/lib/greet.ts'), path.join(SERVICE_DIR, 'node_modules/tiny-dep/index.cjs')].sort(),
    );
    const code = await readFile(b.bundlePath, 'utf8');
    expect(code).toContain('//# sourceMappingURL=data:application/json;base64,');
  });

  test('rebuilding unchanged code gives the same file', async () => {
    const outRoot = await tempDir();
    const bundler = new FunctionBundler({ fn: fnConfig('f', 'faults.ok'), serviceDir: SERVICE_DIR, esbuildOptions: {}, outRoot });
    bundlers.push(bundler);
    const a = built(await bundler.build());
    const b = built(await bundler.build());
    expect(b.bundlePath).toBe(a.bundlePath);
  });

  test('CommonJS stays CommonJS, and build.esbuild format wins', async () => {
    expect(built((await bundle('callback.handler')).result).bundlePath).toMatch(/\/index\.cjs$/);
    const forced = built((await bundle('src/typed.handler', { format: 'cjs' })).result);
    expect(forced.format).toBe('cjs');
    expect(forced.bundlePath).toMatch(/\/index\.cjs$/);
  });

  test('build.esbuild nodePaths resolve bare imports, relative to the service dir', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'shared', 'lib'), { recursive: true });
    await writeFile(path.join(dir, 'shared', 'lib', 'greeting.js'), 'export const greeting = "hello from nodePaths";\n');
    await writeFile(path.join(dir, 'index.mjs'), 'import { greeting } from "greeting";\nexport const handler = async () => greeting;\n');
    expect((await bundle('index.handler', {}, dir)).result.ok).toBe(false);
    const b = built((await bundle('index.handler', { nodePaths: ['shared/lib'] }, dir)).result);
    expect(await readFile(b.bundlePath, 'utf8')).toContain('hello from nodePaths');
  });

  test('@aws-sdk is left external, imported from where it is installed', async () => {
    const b = built((await bundle('sdk.handler')).result);
    const code = await readFile(b.bundlePath, 'utf8');
    expect(code).toMatch(/from "\/[^"]*\/node_modules\/@aws-sdk\/client-lambda\/[^"]+"/);
    expect(b.inputs.some((f) => f.includes('@aws-sdk'))).toBe(false);
  });

  test('errors name file:line and say what AWS would', async () => {
    const syntax = (await bundle('broken/syntax.handler')).result;
    if (syntax.ok) throw new Error('expected a failure');
    expect(syntax.error.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(syntax.buildError?.code).toBe('EDDY_ERR_BUILD_FAILED');
    expect(syntax.buildError?.message).toBe(`${path.join(SERVICE_DIR, 'broken/syntax.mjs')}:2:17: ERROR: Expected "}" but found ";"`);
    expect(syntax.inputs).toEqual([path.join(SERVICE_DIR, 'broken/syntax.mjs')]);
    const missing = (await bundle('nothere.handler')).result;
    if (missing.ok) throw new Error('expected a failure');
    expect(missing.error).toEqual({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Error: Cannot find module 'nothere'\nRequire stack:\n- /var/runtime/index.mjs",
      trace: ['Runtime.ImportModuleError: Error: Cannot find module \'nothere\'', 'Require stack:', '- /var/runtime/index.mjs'],
    });
    expect(missing.buildError).toBeUndefined();
  });
});
