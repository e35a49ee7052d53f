// The data-dir lock: one eddy per data dir; a lock left by a dead process is taken over.
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE } from '../../../runtime/log/data-dir-lock.ts';
import { openDiskRoot } from '../../../runtime/log/disk-root.ts';
import { makeTempDir, removeTempDir } from './helpers.ts';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('data-dir lock', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
  });

  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('lets one root at a time use a data dir, naming the holder', async () => {
    const first = await openDiskRoot(dir, { fsync: false });
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await expect(openDiskRoot(dir, { fsync: false })).rejects.toMatchObject({
      code: 'EDDY_ERR_DATA_DIR_LOCKED',
      message: `Another eddy (pid ${process.pid}) is using the data dir ${dir}. Stop it, or start this one with another --data-dir.`,
    });
    await first.close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
    const second = await openDiskRoot(dir, { fsync: false });
    await second.close();
  });

  it('refuses a dir locked by another live process and leaves its lock alone', async () => {
    const other = process.ppid;
    await writeFile(join(dir, LOCK_FILE), `${other}\n`);
    await expect(acquireDataDirLock(dir)).rejects.toMatchObject({
      code: 'EDDY_ERR_DATA_DIR_LOCKED',
      message: expect.stringContaining(`(pid ${other})`),
    });
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`${other}\n`);
  });

  for (const [what, content] of [
    ['a dead process', async () => `${await deadPid()}\n`],
    ['this pid from an earlier run', async () => `${process.pid}\n`],
    ['garbage', async () => 'not a pid'],
  ] as const) {
    it(`takes over a lock left by ${what}`, async () => {
      await writeFile(join(dir, LOCK_FILE), await content());
      const release = await acquireDataDirLock(dir);
      expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
      expect((await readdir(dir)).sort()).toEqual([LOCK_FILE]);
      await release();
      await release();
      expect(await readdir(dir)).toEqual([]);
    });
  }

  it('grants one of many concurrent takers', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => acquireDataDirLock(dir)));
    const granted = results.filter((r) => r.status === 'fulfilled');
    expect(granted).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      Array(4).fill('EDDY_ERR_DATA_DIR_LOCKED'),
    );
    await (granted[0] as PromiseFulfilledResult<() => Promise<void>>).value();
  });

  it('lets a root ride on the lock its process took first (as the Emulator does), one root at a time', async () => {
    const release = await acquireDataDirLock(dir);
    const root = await openDiskRoot(dir, { fsync: false });
    await expect(openDiskRoot(dir, { fsync: false })).rejects.toMatchObject({ code: 'EDDY_ERR_DATA_DIR_LOCKED' });
    await expect(acquireDataDirLock(dir)).rejects.toMatchObject({ code: 'EDDY_ERR_DATA_DIR_LOCKED' });
    await root.close();
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    const again = await openDiskRoot(dir, { fsync: false });
    await again.close();
    await release();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('grants one of many concurrent roots', async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => openDiskRoot(dir, { fsync: false })));
    const opened = results.filter((r) => r.status === 'fulfilled');
    expect(opened).toHaveLength(1);
    await (opened[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof openDiskRoot>>>).value.close();
  });

  it('takes no lock when told not to', async () => {
    const root = await openDiskRoot(dir, { fsync: false, lock: false });
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
    await root.close();
  });
});
