// Shared set-up for the log storage tests: the roots under test, temp dirs, record builders.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDiskRoot, type DiskRootOptions } from '../../../runtime/log/disk-root.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { LogRoot, NewRecord, StoredRecord } from '../../../runtime/log/types.ts';

export interface RootKind {
  name: string;
  /** Opens the root of dir (the same dir again after close: a restart). */
  open(dir: string): Promise<LogRoot>;
  /** Whether a reopened root keeps what the closed one held. */
  durable: boolean;
}

/** Tiny segments and a dense index, so a few records already cross segment files and index entries. */
export const smallFiles: Omit<DiskRootOptions, 'fsync'> = { segmentBytes: 2048, indexEveryBytes: 200 };

export function rootKinds(): RootKind[] {
  return [
    // A memory root forgets on close: the suite only reopens durable roots.
    { name: 'memory', durable: false, open: async () => new MemoryLogRoot() },
    { name: 'disk', durable: true, open: (dir) => openDiskRoot(dir, { fsync: false, ...smallFiles }) },
    { name: 'disk with fsync', durable: true, open: (dir) => openDiskRoot(dir, { fsync: true, ...smallFiles }) },
  ];
}

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'eddy-'));
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function rec(partitionKey: string, data: string | Uint8Array, arrivalMs: number, encrypted?: boolean): NewRecord {
  const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
  return encrypted === undefined ? { partitionKey, data: bytes, arrivalMs } : { partitionKey, data: bytes, arrivalMs, encrypted };
}

/** A stored record with plain arrays for data, for toEqual across Buffer views and Uint8Arrays. */
export function plain(r: StoredRecord): { index: bigint; partitionKey: string; data: number[]; arrivalMs: number; encrypted: boolean } {
  return { index: r.index, partitionKey: r.partitionKey, data: [...r.data], arrivalMs: r.arrivalMs, encrypted: r.encrypted };
}
