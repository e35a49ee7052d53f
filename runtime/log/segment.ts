// One segment file of a shard log with its sparse index, and the bounded cache of open segment files.
import { open, type FileHandle } from 'node:fs/promises';
import { EddyError } from '../errors.ts';

const SEGMENT_NAME = /^(\d{20})\.log$/;

/** The file name of the segment whose first record has this index (zero-padded, so names sort by index). */
export function segmentFileName(first: number): string {
  return `${String(first).padStart(20, '0')}.log`;
}

/** The first index a segment file name stands for, or undefined for any other file. */
export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * A segment: records first, first+1, ... back to back in one append-only file. count and size include
 * records handed to the writer but not yet written; writtenCount and writtenSize only what the OS has.
 *
 * The sparse index holds one entry (ordinal in the segment, byte offset, arrival time) for the first
 * record and then one per indexEveryBytes of records, so a lookup lands at most that many bytes before
 * its record and memory grows with the data only by 24 bytes per entry.
 */
export class Segment {
  count = 0;
  size = 0;
  writtenCount = 0;
  writtenSize = 0;
  readonly ordinals: number[] = [];
  readonly offsets: number[] = [];
  readonly arrivals: number[] = [];
  #sinceEntry = 0;

  /** The open file, when it is open (read-only, or read-write while it is the active segment). */
  fh: FileHandle | undefined;
  opening: Promise<FileHandle> | undefined;
  /** Reads and writes in flight, and batches waiting to be written to this file. */
  users = 0;
  /** True while it is the shard's active segment (its file is then opened read-write). */
  writable = false;
  /** False until the writer created the file. */
  created = false;
  retired = false;
  onDrained: (() => void) | undefined;

  constructor(
    readonly first: number,
    readonly path: string,
  ) {}

  /** Accounts for the next record of the segment (bytes long, arrived at arrivalMs). */
  note(arrivalMs: number, bytes: number, indexEveryBytes: number): void {
    if (this.count === 0 || this.#sinceEntry >= indexEveryBytes) {
      this.ordinals.push(this.count);
      this.offsets.push(this.size);
      this.arrivals.push(arrivalMs);
      this.#sinceEntry = 0;
    }
    this.#sinceEntry += bytes;
    this.count++;
    this.size += bytes;
  }

  /** The last index entry at or before ordinal (entry 0 is the segment's first record). */
  entryAtOrBefore(ordinal: number): number {
    let lo = 0;
    let hi = this.ordinals.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.ordinals[mid]! <= ordinal) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The last index entry whose record arrived before ms, or -1 when the first record did not. */
  lastEntryBefore(ms: number): number {
    let lo = -1;
    let hi = this.arrivals.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.arrivals[mid]! < ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Keeps segment files open for positional reads and appends, at most max of them idle at once over the
 * whole root (the least recently used idle one is closed first, and reopened when next needed); files
 * in use are never closed under their user.
 */
export class HandleCache {
  #open = new Set<Segment>();

  constructor(readonly max: number) {}

  /** Pins seg and returns its open file (opening it when it is not open). Pair with release. */
  async acquire(seg: Segment): Promise<FileHandle> {
    // A retired segment's file is closed (its shard closed, or retention deleted it): never reopen it.
    if (seg.retired) throw new EddyError('EDDY_ERR_STOPPED', `The segment ${seg.path} is closed.`);
    seg.users++;
    this.#open.delete(seg);
    this.#open.add(seg);
    if (seg.fh) return seg.fh;
    try {
      seg.opening ??= open(seg.path, seg.writable ? 'r+' : 'r');
      const fh = await seg.opening;
      seg.fh = fh;
      return fh;
    } catch (err) {
      seg.opening = undefined;
      this.release(seg);
      throw err;
    }
  }

  /** Hands the cache a file the writer opened (read-write). */
  adopt(seg: Segment, fh: FileHandle): void {
    seg.fh = fh;
    seg.opening = Promise.resolve(fh);
    this.#open.delete(seg);
    this.#open.add(seg);
    this.#evict();
  }

  release(seg: Segment): void {
    seg.users--;
    if (seg.users === 0 && seg.onDrained) {
      const drained = seg.onDrained;
      seg.onDrained = undefined;
      drained();
    } else {
      this.#evict();
    }
  }

  /** Closes seg's file once nobody uses it (the segment is being deleted, or the shard closed). */
  async retire(seg: Segment): Promise<void> {
    seg.retired = true;
    if (seg.users > 0) await new Promise<void>((resolve) => (seg.onDrained = resolve));
    await this.#close(seg);
  }

  #evict(): void {
    if (this.#open.size <= this.max) return;
    for (const seg of this.#open) {
      if (this.#open.size <= this.max) break;
      if (seg.users === 0) void this.#close(seg);
    }
  }

  async #close(seg: Segment): Promise<void> {
    this.#open.delete(seg);
    const fh = seg.fh ?? (await seg.opening?.catch(() => undefined));
    seg.fh = undefined;
    seg.opening = undefined;
    await fh?.close().catch(() => {});
  }
}
