// Worker threads do not get the TypeScript loader, so the environment's entry (worker/main.ts) is bundled
// to one .mjs, once per process, in a content-addressed cache file that parallel processes can share.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ENTRY = fileURLToPath(new URL('./worker/main.ts', import.meta.url));

let cached: Promise<string> | undefined;

/** Absolute path of the bundled worker entry (builds it on first call). */
export function workerEntryFile(): Promise<string> {
  cached ??= build().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function build(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'eddy-worker');
  const file = path.join(dir, `main-${hash}.mjs`);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, file);
  }
  return file;
}
