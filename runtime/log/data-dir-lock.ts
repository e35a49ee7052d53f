// The data-dir lock: one eddy per data dir, told apart by pid; a lock left by a dead process is taken over.
import { link, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError } from '../errors.ts';

export const LOCK_FILE = 'eddy.lock';

/**
 * Data dirs this process holds (a pid check cannot tell two eddys in one process apart), and whether a
 * disk root is open on each.
 */
const held = new Map<string, { rootOpen: boolean }>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(dir: string, pid: number): EddyError {
  return new EddyError(
    'EDDY_ERR_DATA_DIR_LOCKED',
    `Another eddy (pid ${pid}) is using the data dir ${dir}. Stop it, or start this one with another --data-dir.`,
  );
}

/** Creates path holding content, failing with EEXIST when it exists: never visible empty (link, not open+write). */
async function createWith(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.new`;
  await writeFile(temp, content, { flag: 'wx' });
  try {
    await link(temp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // A file system without hard links: exclusive create is the next best thing.
    await writeFile(path, content, { flag: 'wx' });
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Takes dir's lock (dir/eddy.lock holding this pid), creating dir when needed, and returns its release.
 * Fails with EDDY_ERR_DATA_DIR_LOCKED naming the holder's pid while a live process (this one included)
 * holds it; a lock whose pid is dead, or is this pid but not held by this process (a previous container
 * run with the same pid), is stale and taken over.
 */
export function acquireDataDirLock(dir: string): Promise<() => Promise<void>> {
  return acquire(dir, false);
}

/**
 * The lock a disk root takes on its data dir. When this process already holds the dir's lock through
 * acquireDataDirLock (the Emulator takes it before it opens anything), the root rides on that lock and
 * its release leaves it in place; a second root on the same dir still fails with
 * EDDY_ERR_DATA_DIR_LOCKED. Otherwise the root takes the lock itself and its release drops it.
 */
export async function lockForRoot(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const real = await realpath(dir);
  const entry = held.get(real);
  if (!entry) return acquire(dir, true);
  if (entry.rootOpen) throw lockedError(real, process.pid);
  entry.rootOpen = true;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    entry.rootOpen = false;
  };
}

async function acquire(dir: string, forRoot: boolean): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const real = await realpath(dir);
  const lockPath = join(real, LOCK_FILE);
  if (held.has(real)) throw lockedError(real, process.pid);
  held.set(real, { rootOpen: forRoot });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await createWith(lockPath, `${process.pid}\n`);
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          if ((await readOwner(lockPath)) === process.pid) await rm(lockPath, { force: true });
          held.delete(real);
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = await readOwner(lockPath);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw lockedError(real, owner);
      // Stale. Move it aside, then make sure what moved is the stale lock and not a newer one that a
      // concurrent starter put there meanwhile (which goes back, if nothing else took its place).
      const aside = `${lockPath}.${process.pid}.${attempt}.stale`;
      try {
        await rename(lockPath, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = await readOwner(aside);
      if (moved !== owner) await link(aside, lockPath).catch(() => {});
      await rm(aside, { force: true });
    }
    const owner = await readOwner(lockPath);
    throw lockedError(real, owner ?? 0);
  } catch (err) {
    held.delete(real);
    throw err;
  }
}
