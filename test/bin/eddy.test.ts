// bin/eddy.js runs the CLI from a cached bundle: built on first use, rebuilt when a source file changes,
// files located from `import.meta` still found, and the tsx loader used when asked to or when the cache
// cannot be written. Runs on a copy of eddy so the repository's own cache is left alone.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
let copy: string;

beforeEach(async () => {
  copy = await mkdtemp(path.join(os.tmpdir(), 'eddy-bin-'));
  for (const part of ['package.json', 'bin', 'cli', 'runtime']) await cp(path.join(repo, part), path.join(copy, part), { recursive: true });
  // A node_modules of its own (links to the repository's packages), so the cache is written inside the copy.
  await mkdir(path.join(copy, 'node_modules'));
  for (const name of await readdir(path.join(repo, 'node_modules'))) {
    if (name !== '.cache') await symlink(path.join(repo, 'node_modules', name), path.join(copy, 'node_modules', name));
  }
});

afterEach(async () => {
  await rm(copy, { recursive: true, force: true });
});

function eddy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(copy, 'bin/eddy.js'), ...args], {
      cwd: copy,
      env: { ...process.env, NO_COLOR: '1', EDDY_NO_BUNDLE: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Saves like an editor: a temp file renamed over the original. */
async function save(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

it('builds the bundle on first use, rebuilds it when a source changes, and keeps import.meta locations', async () => {
  const cache = path.join(copy, 'node_modules/.cache/eddy');
  const first = await eddy(['events', 'kinesis', '--records', '1']);
  expect(first.code, first.stderr).toBe(0);
  expect(JSON.parse(first.stdout).Records).toHaveLength(1);
  const manifest = JSON.parse(await readFile(path.join(cache, 'cli.json'), 'utf8')) as { inputs: Array<[string, number, number]> };
  const inputs = manifest.inputs.map(([file]) => file);
  expect(inputs).toContain(path.join(copy, 'cli/main.ts'));
  expect(inputs.every((f) => f.startsWith(copy + path.sep))).toBe(true);
  // Each module keeps its own location: the price table next to runtime/cost/prices.ts, not next to the bundle.
  const bundle = await readFile(path.join(cache, 'cli.mjs'), 'utf8');
  expect(bundle).toContain(`new URL("./prices/aws-2026-11.json", ${JSON.stringify(new URL(`file://${path.join(copy, 'runtime/cost/prices.ts')}`).href)})`);
  // import.meta inside a string (the banner eddy gives handler bundles) is left as it is.
  expect(bundle).toContain('__eddyCreateRequire(import.meta.url)');

  const built = (await stat(path.join(cache, 'cli.mjs'))).mtimeMs;
  const again = await eddy(['--help']);
  expect(again.stdout).toContain('A local AWS Lambda + Kinesis runtime');
  expect((await stat(path.join(cache, 'cli.mjs'))).mtimeMs).toBe(built);

  const main = path.join(copy, 'cli/main.ts');
  await save(main, (await readFile(main, 'utf8')).replace('A local AWS Lambda + Kinesis runtime', 'eddy, edited'));
  const edited = await eddy(['--help']);
  expect(edited.code).toBe(0);
  expect(edited.stdout).toContain('eddy, edited');
});

it("a node_modules shared by two checkouts never serves one checkout the other one's bundle", async () => {
  const first = await eddy(['--help']);
  expect(first.stdout).toContain('A local AWS Lambda + Kinesis runtime');
  const other = await mkdtemp(path.join(os.tmpdir(), 'eddy-bin-other-'));
  try {
    for (const part of ['package.json', 'bin', 'cli', 'runtime']) await cp(path.join(copy, part), path.join(other, part), { recursive: true });
    await symlink(path.join(copy, 'node_modules'), path.join(other, 'node_modules'));
    const main = path.join(other, 'cli/main.ts');
    await save(main, (await readFile(main, 'utf8')).replace('A local AWS Lambda + Kinesis runtime', 'the other checkout'));
    const out = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [path.join(other, 'bin/eddy.js'), '--help'], { cwd: other, env: { ...process.env, EDDY_NO_BUNDLE: '' } });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.once('exit', () => resolve(text));
    });
    expect(out).toContain('the other checkout');
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

it('runs the sources through tsx with EDDY_NO_BUNDLE=1, or when the cache cannot be written', async () => {
  const forced = await eddy(['--help'], { EDDY_NO_BUNDLE: '1' });
  expect(forced.code, forced.stderr).toBe(0);
  expect(forced.stdout).toContain('A local AWS Lambda + Kinesis runtime');
  await expect(stat(path.join(copy, 'node_modules/.cache'))).rejects.toThrow(/ENOENT/);

  // A file where the cache folder would go: the bundle cannot be written, eddy still runs.
  await writeFile(path.join(copy, 'node_modules/.cache'), 'not a folder');
  const fallback = await eddy(['events', 'kinesis', '--records', '2']);
  expect(fallback.code, fallback.stderr).toBe(0);
  expect(JSON.parse(fallback.stdout).Records).toHaveLength(2);
});
