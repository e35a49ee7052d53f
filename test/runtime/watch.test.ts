// Hot reload through a real watcher: saving a handler or a module it imports swaps the function's code,
// in-flight invocations finish on the old code, a broken edit keeps the old code serving, and
// serverless.yml edits are re-applied (or refused, keeping the running config).
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Emulator } from '../../runtime/index.ts';

const fixture = path.resolve(import.meta.dirname, '../fixtures/hot-reload');
let dir: string;
let emu: Emulator | undefined;

afterEach(async () => {
  await emu?.stop();
  emu = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Writes like an editor that saves atomically: a temp file renamed over the original. */
async function save(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

async function greet(payload: object = {}): Promise<unknown> {
  const out = await emu!.invoke({ functionName: 'greet', payload: Buffer.from(JSON.stringify(payload)) });
  return JSON.parse(Buffer.from(out.payload).toString('utf8'));
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await emu!.settled();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Saves a file and waits until the watcher has seen the save and finished acting on it. */
async function saveAndSettle(file: string, text: string): Promise<void> {
  const before = emu!.watchCounts.seen;
  await save(file, text);
  await until(async () => emu!.watchCounts.seen > before && emu!.watchCounts.applied >= emu!.watchCounts.seen, `the watcher to apply ${file}`);
  await emu!.settled();
}

it('rebuilds on save, keeps in-flight work on the old code, survives a broken edit, and re-applies serverless.yml', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-hot-'));
  await cp(fixture, dir, { recursive: true });
  emu = await Emulator.start({ dir, inMemory: true, port: 0, watch: true });
  expect(await greet()).toBe('hello from v1');

  // An invocation in flight while the handler changes finishes on the code it started with.
  const inFlight = greet({ waitMs: 400 });
  const handlerFile = path.join(dir, 'src/greet.ts');
  await save(handlerFile, (await readFile(handlerFile, 'utf8')).replace("greeting('v1')", "greeting('v2')"));
  await until(async () => (await greet()) === 'hello from v2', 'the v2 handler');
  expect(await inFlight).toBe('hello from v1');

  // A module the handler imports counts too.
  await save(path.join(dir, 'src/words.ts'), 'export function greeting(v: string): string {\n  return `hi from ${v}`;\n}\n');
  await until(async () => (await greet()) === 'hi from v2', 'the edited import');

  // A broken edit: the build fails, the old code keeps serving.
  await saveAndSettle(handlerFile, 'export const handler = async () => { return (;\n');
  expect(await greet()).toBe('hi from v2');

  // serverless.yml: a new function appears; an invalid edit is refused and the running config kept.
  const yml = path.join(dir, 'serverless.yml');
  const original = await readFile(yml, 'utf8');
  await save(path.join(dir, 'src/bye.ts'), "export const handler = async () => 'bye';\n");
  await save(yml, `${original}  bye:\n    handler: src/bye.handler\n`);
  await until(async () => Boolean(emu!.config.functions.bye), 'the new function');
  const bye = await emu.invoke({ functionName: 'bye', payload: Buffer.from('{}') });
  expect(Buffer.from(bye.payload).toString()).toBe('"bye"');

  await saveAndSettle(yml, `${original}  broken:\n    handler: src/bye.handler\n    timeout: 99999\n`);
  expect(Object.keys(emu.config.functions).sort()).toEqual(['bye', 'greet']);
});

it('a handler saved together with serverless.yml is rebuilt too', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-hot-'));
  await cp(fixture, dir, { recursive: true });
  emu = await Emulator.start({ dir, inMemory: true, port: 0, watch: true });
  expect(await greet()).toBe('hello from v1');
  const yml = path.join(dir, 'serverless.yml');
  const handlerFile = path.join(dir, 'src/greet.ts');
  const handler = (await readFile(handlerFile, 'utf8')).replace("greeting('v1')", "greeting('v3')");
  const config = `${await readFile(yml, 'utf8')}  bye:\n    handler: src/greet.handler\n`;
  // One burst, as a "save all" in an editor: the config change does not touch greet's settings.
  await Promise.all([save(yml, config), save(handlerFile, handler)]);
  await until(async () => Boolean(emu!.config.functions.bye) && emu!.watchCounts.applied >= emu!.watchCounts.seen, 'both saves applied');
  expect(await greet()).toBe('hello from v3');
});

it('a saved .env file re-applies serverless.yml with the new ${env:…} values', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-hot-'));
  await cp(fixture, dir, { recursive: true });
  const yml = path.join(dir, 'serverless.yml');
  await writeFile(yml, `${await readFile(yml, 'utf8')}    environment:\n      WHO: \${env:EDDY_TEST_WHO, 'nobody'}\n`);
  emu = await Emulator.start({ dir, inMemory: true, port: 0, watch: true });
  expect(emu.config.functions.greet!.environment.WHO).toBe('nobody');
  await saveAndSettle(path.join(dir, '.env'), 'EDDY_TEST_WHO=dotenv\n');
  expect(emu.config.functions.greet!.environment.WHO).toBe('dotenv');
});
