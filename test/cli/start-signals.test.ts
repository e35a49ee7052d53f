// `eddy start` and the signals a terminal sends: Ctrl-C under `npm start` reaches eddy twice at once (the
// terminal signals the process group and npm forwards its own), and that must still be a clean stop.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startEddy, type EddyProcess } from '../helpers/eddy-process.ts';

const fixture = path.resolve(import.meta.dirname, '../fixtures/emulator');
let tmp: string | undefined;
let eddy: EddyProcess | undefined;

afterEach(async () => {
  await eddy?.kill();
  eddy = undefined;
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it('a double SIGINT stops eddy cleanly: exit 0, running file removed, cost snapshot written', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-signals-'));
  const dataDir = path.join(tmp, 'data');
  eddy = await startEddy(['--port', '0', '--dir', fixture, '--data-dir', dataDir, '--no-watch']);
  expect(existsSync(path.join(dataDir, 'eddy.json'))).toBe(true);
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    eddy!.child.once('exit', (code, signal) => resolve([code, signal])),
  );
  eddy.child.kill('SIGINT');
  eddy.child.kill('SIGINT');
  expect(await exited).toEqual([0, null]);
  expect(existsSync(path.join(dataDir, 'eddy.json'))).toBe(false);
  expect(existsSync(path.join(dataDir, 'cost-last-run.json'))).toBe(true);
});
