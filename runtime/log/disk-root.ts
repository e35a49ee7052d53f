// The on-disk LogRoot: documents as atomically replaced JSON files, shard logs as segment files.
//
// <dataDir>/eddy.lock                           the data-dir lock (pid of the eddy using it)
// <dataDir>/<kind>/<key>.json                   one document: {"key": key, "doc": doc}
// <dataDir>/shards/<streamKey>/<shardId>/       one shard log: <first index, 20 digits>.log segments,
//                                               trim.json (first readable index after retention)
// Keys become names through safeName (escaped, case-safe, hashed when long).
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError } from '../errors.ts';
import { fsyncDir, isTempName, writeFileAtomic } from './atomic-file.ts';
import { lockForRoot } from './data-dir-lock.ts';
import { DiskShardLog, mkdirDurable, type ShardSettings } from './disk-shard.ts';
import { safeName } from './names.ts';
import { HandleCache } from './segment.ts';
import type { LogRoot, ShardLog } from './types.ts';

export interface DiskRootOptions {
  /** Acknowledge appends (and document writes) only once fsynced: survives power loss, not just crashes. */
  fsync: boolean;
  /** A segment file is closed for appends once it reaches this size (default 64 MiB). */
  segmentBytes?: number;
  /** One sparse index entry per this many bytes of records (default 16 KiB). */
  indexEveryBytes?: number;
  /** Idle segment files kept open for reads, over all shards (default 128). */
  maxOpenFiles?: number;
  /**
   * Take the data-dir lock (default true); close() releases it. When this process already took it with
   * acquireDataDirLock, the root uses that lock (and leaves it held on close).
   */
  lock?: boolean;
  /** Told about recoveries (a torn tail truncated); default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

const OPTION_KEYS = new Set(['fsync', 'segmentBytes', 'indexEveryBytes', 'maxOpenFiles', 'lock', 'onWarning']);
const SHARDS = 'shards';

function checkOptions(options: DiskRootOptions): void {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new EddyError('EDDY_ERR_OPTION_INVALID', `Invalid option in openDiskRoot(): "${key}"`);
  }
  if (typeof options.fsync !== 'boolean') {
    throw new EddyError('EDDY_ERR_OPTION_INVALID', 'openDiskRoot(): "fsync" must be a boolean');
  }
  for (const key of ['segmentBytes', 'indexEveryBytes', 'maxOpenFiles'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) {
      throw new EddyError('EDDY_ERR_OPTION_INVALID', `openDiskRoot(): "${key}" must be a positive integer`);
    }
  }
}

/**
 * Opens (creating it when needed) the data dir as a LogRoot, taking its lock unless told not to (see
 * DiskRootOptions.lock).
 * Leftover temp files of interrupted document writes are removed.
 */
export async function openDiskRoot(dataDir: string, options: DiskRootOptions): Promise<LogRoot> {
  checkOptions(options);
  await mkdirDurable(dataDir, options.fsync);
  const release = options.lock === false ? undefined : await lockForRoot(dataDir);
  try {
    for (const entry of await readdir(dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === SHARDS) continue;
      for (const name of await readdir(join(dataDir, entry.name))) {
        if (isTempName(name)) await rm(join(dataDir, entry.name, name), { force: true });
      }
    }
  } catch (err) {
    await release?.();
    throw err;
  }
  return new DiskLogRoot(dataDir, options, release);
}

class DiskLogRoot implements LogRoot {
  readonly inMemory = false;
  readonly #dir: string;
  readonly #fsync: boolean;
  readonly #settings: ShardSettings;
  readonly #release: (() => Promise<void>) | undefined;
  readonly #shards = new Map<string, { streamKey: string; log: Promise<DiskShardLog> }>();
  /** Writes to one document run one after another, so the last call wins. */
  readonly #docQueues = new Map<string, Promise<void>>();
  #closed = false;

  constructor(dir: string, options: DiskRootOptions, release: (() => Promise<void>) | undefined) {
    this.#dir = dir;
    this.#fsync = options.fsync;
    this.#release = release;
    this.#settings = {
      fsync: options.fsync,
      segmentBytes: options.segmentBytes ?? 64 * 1024 * 1024,
      indexEveryBytes: options.indexEveryBytes ?? 16 * 1024,
      handles: new HandleCache(options.maxOpenFiles ?? 128),
      warn: options.onWarning ?? ((message) => process.emitWarning(message)),
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new EddyError('EDDY_ERR_STOPPED', 'The log root is closed.');
  }

  #kindDir(kind: string): string {
    return documentsDir(this.#dir, kind);
  }

  async loadDocuments(kind: string): Promise<Map<string, unknown>> {
    this.#assertOpen();
    return readDocuments(this.#kindDir(kind));
  }

  async saveDocument(kind: string, key: string, doc: unknown): Promise<void> {
    this.#assertOpen();
    const dir = this.#kindDir(kind);
    // Serialised now, so later changes to doc by the caller do not leak into the file.
    const docText = JSON.stringify(doc) as string | undefined;
    if (docText === undefined) throw new TypeError('A document must be a JSON value.');
    const text = `{"key":${JSON.stringify(key)},"doc":${docText}}\n`;
    return this.#queue(dir, key, async () => {
      await mkdirDurable(dir, this.#fsync);
      await writeFileAtomic(join(dir, `${safeName(key)}.json`), text, this.#fsync);
    });
  }

  async deleteDocument(kind: string, key: string): Promise<void> {
    this.#assertOpen();
    const dir = this.#kindDir(kind);
    return this.#queue(dir, key, async () => {
      try {
        await rm(join(dir, `${safeName(key)}.json`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      if (this.#fsync) await fsyncDir(dir);
    });
  }

  #queue(dir: string, key: string, task: () => Promise<void>): Promise<void> {
    const id = `${dir}\n${key}`;
    const run = (this.#docQueues.get(id) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => {});
    this.#docQueues.set(id, settled);
    void settled.then(() => {
      if (this.#docQueues.get(id) === settled) this.#docQueues.delete(id);
    });
    return run;
  }

  #streamDir(streamKey: string): string {
    return join(this.#dir, SHARDS, safeName(streamKey));
  }

  async openShard(streamKey: string, shardId: string): Promise<ShardLog> {
    this.#assertOpen();
    const id = `${streamKey}\n${shardId}`;
    let entry = this.#shards.get(id);
    if (!entry) {
      const log = DiskShardLog.open(join(this.#streamDir(streamKey), safeName(shardId)), this.#settings);
      entry = { streamKey, log };
      this.#shards.set(id, entry);
      log.catch(() => {
        if (this.#shards.get(id) === entry) this.#shards.delete(id);
      });
    }
    return entry.log;
  }

  async dropStream(streamKey: string): Promise<void> {
    this.#assertOpen();
    const closing: Promise<void>[] = [];
    for (const [id, entry] of this.#shards) {
      if (entry.streamKey !== streamKey) continue;
      this.#shards.delete(id);
      closing.push(entry.log.then((log) => log.close(), () => {}));
    }
    await Promise.all(closing);
    await rm(this.#streamDir(streamKey), { recursive: true, force: true });
    if (this.#fsync) await fsyncDir(join(this.#dir, SHARDS)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const logs = [...this.#shards.values()];
    this.#shards.clear();
    await Promise.all(logs.map((entry) => entry.log.then((log) => log.close(), () => {})));
    await Promise.all([...this.#docQueues.values()]);
    await this.#release?.();
  }
}

/** The folder holding one kind of document in a data dir. */
export function documentsDir(dataDir: string, kind: string): string {
  const name = safeName(kind);
  if (name === SHARDS) throw new RangeError(`"${SHARDS}" is not a valid document kind.`);
  return join(dataDir, name);
}

/** The documents of one kind's folder, by key (none when it does not exist). Safe beside a running eddy: documents are replaced atomically. */
export async function readDocuments(dir: string): Promise<Map<string, unknown>> {
  const docs = new Map<string, unknown>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return docs;
    throw err;
  }
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || isTempName(name)) continue;
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted meanwhile
      throw err;
    }
    let parsed: { key?: unknown; doc?: unknown };
    try {
      parsed = JSON.parse(text) as { key?: unknown; doc?: unknown };
    } catch (err) {
      throw new EddyError('EDDY_ERR_DATA_CORRUPT', `The document ${path} is not valid JSON.`, { cause: err });
    }
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.key !== 'string' || !('doc' in parsed)) {
      throw new EddyError('EDDY_ERR_DATA_CORRUPT', `The document ${path} has no key and doc.`);
    }
    docs.set(parsed.key, parsed.doc);
  }
  return docs;
}
