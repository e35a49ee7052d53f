// Developer experience: (a) the time from spawning `eddy start` on the demo to its `eddy ready` line, beside
// the same start without bin/eddy.js's cached CLI bundle (EDDY_NO_BUNDLE=1: every module through the tsx
// loader) and two floors, all measured in the same run, rounds interleaved: a bare `node` start, and a `node` that loads the
// AWS SDK's Kinesis client (eddy cannot serve or read Kinesis without it, so no eddy can start faster);
// (b) the time from saving a handler (atomic write) to the new code answering an invoke, through a real
// watcher, beside what any reload must wait for: a bare chokidar watcher hearing of the same save, and an
// esbuild build of the same handler.
// Targets: start to ready <= 1.5 s; save to new code p50 <= 300 ms.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { watch } from 'chokidar';
import * as esbuild from 'esbuild';
import { Emulator } from '../runtime/index.ts';

const repo = path.resolve(import.meta.dirname, '..');
const START_RUNS = 5;
const SAVES = 10;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** Spawns node with args in the repo and resolves with the ms until stdout matched `until` (or the process exited). */
function timeSpawn(args: string[], until: RegExp | undefined, env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve(performance.now() - t0);
      // Nothing to keep: the in-memory eddy is killed rather than waiting for its shutdown.
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (until?.test(out)) finish();
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      if (until && !done) reject(new Error(`exited with ${code} before ready:\n${out}`));
      finish();
    });
  });
}

async function startup(): Promise<{ eddy: number[]; tsx: number[]; bare: number[]; sdk: number[] }> {
  const eddy: number[] = [];
  const tsx: number[] = [];
  const bare: number[] = [];
  const sdk: number[] = [];
  await timeSpawn(['bin/eddy.js', 'start', '--port', '0', '--no-watch', '--in-memory'], /eddy ready /); // warm the caches
  for (let i = 0; i < START_RUNS; i++) {
    bare.push(await timeSpawn(['-e', '0'], undefined));
    sdk.push(await timeSpawn(['-e', "require('@aws-sdk/client-kinesis')"], undefined));
    eddy.push(await timeSpawn(['bin/eddy.js', 'start', '--port', '0', '--no-watch', '--in-memory'], /eddy ready /));
    // The same without bin/eddy.js's cached bundle: every module through the tsx loader.
    tsx.push(await timeSpawn(['bin/eddy.js', 'start', '--port', '0', '--no-watch', '--in-memory'], /eddy ready /, { EDDY_NO_BUNDLE: '1' }));
  }
  return { eddy, tsx, bare, sdk };
}

/** Writes like an editor that saves atomically: a temp file renamed over the original. */
async function save(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

async function hotReload(): Promise<{ reload: number[]; heard: number[]; build: number[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-bench-dx-'));
  const emu = { current: undefined as Emulator | undefined };
  try {
    await cp(path.join(repo, 'serverless.yml'), path.join(dir, 'serverless.yml'));
    await cp(path.join(repo, 'functions'), path.join(dir, 'functions'), { recursive: true });
    await symlink(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const file = path.join(dir, 'functions/commands/notify.ts');
    const source = await readFile(file, 'utf8');
    const marker = "args.to ?? 'ops'";
    if (!source.includes(marker)) throw new Error(`notify.ts no longer contains ${marker}`);
    emu.current = await Emulator.start({ dir, inMemory: true, port: 0, watch: true });
    const e = emu.current;
    const notified = async (): Promise<string> => {
      const out = await e.invoke({ functionName: 'notify', payload: Buffer.from('{}') });
      return (JSON.parse(Buffer.from(out.payload).toString('utf8')) as { notified: string }).notified;
    };
    if ((await notified()) !== 'ops') throw new Error('unexpected notify answer');
    // A second, bare watcher on the same folder (eddy's options): when would any watcher hear of the save?
    const bare = watch(dir, { ignored: /node_modules/, ignoreInitial: true, persistent: true });
    await new Promise<void>((resolve) => bare.once('ready', () => resolve()));
    let heardAt = 0;
    bare.on('all', (_event, f) => {
      if (path.resolve(dir, f) === file && heardAt === 0) heardAt = performance.now();
    });
    const reload: number[] = [];
    const heard: number[] = [];
    const build: number[] = [];
    for (let i = 1; i <= SAVES; i++) {
      const want = `ops-v${i}`;
      const text = source.replace(marker, `args.to ?? '${want}'`);
      heardAt = 0;
      const t0 = performance.now();
      await save(file, text);
      const deadline = t0 + 10_000;
      while ((await notified()) !== want) {
        if (performance.now() > deadline) throw new Error(`save ${i}: the new code did not answer in 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      reload.push(performance.now() - t0);
      await e.settled();
      while (heardAt === 0) await new Promise((r) => setTimeout(r, 5));
      heard.push(heardAt - t0);
      // Baseline: esbuild alone bundling the same handler, as the rebuild must.
      const b0 = performance.now();
      await esbuild.build({ entryPoints: [file], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, external: ['@aws-sdk/*'] });
      build.push(performance.now() - b0);
    }
    await bare.close();
    return { reload, heard, build };
  } finally {
    await emu.current?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const start = await startup();
const hot = await hotReload();

const row = (name: string, xs: number[], floor?: number): string =>
  `${name.padEnd(52)} ${ms(median(xs)).padStart(8)}   min ${ms(Math.min(...xs)).padStart(7)}  max ${ms(Math.max(...xs)).padStart(7)}${
    floor === undefined ? '' : `   ${(median(xs) / floor).toFixed(2)} x`
  }`;
const sdkFloor = median(start.sdk);
const heardFloor = median(hot.heard);
console.log(`start to ready, median of ${START_RUNS} (target <= 1500 ms; ratio vs the SDK floor)`);
console.log(row('node -e 0', start.bare, sdkFloor));
console.log(row("node -e \"require('@aws-sdk/client-kinesis')\"", start.sdk, sdkFloor));
console.log(row('eddy start, sources through tsx (EDDY_NO_BUNDLE=1)', start.tsx, sdkFloor));
console.log(row('eddy start --no-watch --in-memory (demo)', start.eddy, sdkFloor));
console.log(`  eddy over the SDK floor: ${ms(median(start.eddy) - sdkFloor)}; ${median(start.eddy) <= 1500 ? 'within' : 'OVER'} target`);
console.log(`\nsave to new code answering, p50 of ${SAVES} saves (target <= 300 ms; ratio vs a bare watcher hearing the save)`);
console.log(row('bare chokidar watcher hears the save', hot.heard, heardFloor));
console.log(row('esbuild build of the handler (warm)', hot.build, heardFloor));
console.log(row('save -> invoke answers with the new code', hot.reload, heardFloor));
console.log(`  ${median(hot.reload) <= 300 ? 'within' : 'OVER'} target`);
