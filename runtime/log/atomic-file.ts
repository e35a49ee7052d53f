// Atomic file replacement (temp file + rename) and directory fsync, for documents and shard metadata.
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of the temp files writeFileAtomic leaves behind when it is killed half-way. */
export const TEMP_SUFFIX = '.tmp';
let tempCounter = 0;

const TEMP_NAME = /^\..+\.\d+\.\d+\.tmp$/;

/** True for a temp file name of writeFileAtomic (.<name>.<pid>.<n>.tmp): readers skip these. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Replaces path with data so a reader (or a crash) sees the old bytes or the new, never a mix:
 * write a temp file beside it, rename it over. With fsync the temp file is fsynced before the rename
 * and the folder after it, so the replacement also survives a power loss.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, fsync: boolean): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}${TEMP_SUFFIX}`);
  const fh = await open(temp, 'w');
  try {
    await fh.writeFile(data);
    if (fsync) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  if (fsync) await fsyncDir(dirname(path));
}

/** Makes a folder's entries (created, renamed, deleted files) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a folder to sync it (NTFS makes renames durable through its journal).
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
