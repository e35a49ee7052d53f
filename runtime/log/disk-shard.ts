// One shard's durable log: append-only segment files, group commit, a sparse index, crash recovery.
import { mkdir, open, readFile, readdir, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EddyError } from '../errors.ts';
import { fsyncDir, isTempName, writeFileAtomic } from './atomic-file.ts';
import {
  CORRUPT,
  FLAG_ENCRYPTED,
  INCOMPLETE,
  MAX_BODY_BYTES,
  MAX_PARTITION_KEY_BYTES,
  RECORD_OVERHEAD,
  BODY_FIXED_BYTES,
  arrivalOf,
  dataLengthOf,
  decodeRecord,
  encodeRecord,
  probeRecord,
  wantedBytes,
} from './record-codec.ts';
import { HandleCache, Segment, parseSegmentFileName, segmentFileName } from './segment.ts';
import type { NewRecord, ShardLog, StoredRecord } from './types.ts';

export interface ShardSettings {
  fsync: boolean;
  segmentBytes: number;
  indexEveryBytes: number;
  handles: HandleCache;
  warn: (message: string) => void;
}

/** Where trimBefore records the first readable index (trimmed records must not come back after a restart). */
const TRIM_FILE = 'trim.json';
const SCAN_CHUNK = 1024 * 1024;
const MIN_READ = 64 * 1024;
const MAX_READ = 4 * 1024 * 1024;

interface Part {
  seg: Segment;
  buf: Buffer;
  count: number;
}

interface Group {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that drops `written` must not turn a failed write into an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function rejected(err: unknown): Promise<void> {
  const p = Promise.reject(err);
  p.catch(() => {});
  return p;
}

const RESOLVED = Promise.resolve();

/** Reads [pos, pos+len) of a file (fewer bytes only when the file is shorter). */
async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === len ? buf : buf.subarray(0, got);
}

/** Writes every buffer at pos, continuing after short writes. */
async function writeAllAt(fh: FileHandle, bufs: Buffer[], pos: number): Promise<void> {
  let list = bufs;
  while (list.length > 0) {
    const { bytesWritten } = list.length === 1 ? await fh.write(list[0]!, 0, list[0]!.length, pos) : await fh.writev(list, pos);
    if (bytesWritten <= 0) throw new Error(`A write to a segment file made no progress at byte ${pos}.`);
    pos += bytesWritten;
    let skip = bytesWritten;
    let i = 0;
    while (i < list.length && skip >= list[i]!.length) skip -= list[i++]!.length;
    list = list.slice(i);
    if (skip > 0) list[0] = list[0]!.subarray(skip);
  }
}

/** Makes a folder created by mkdir -p durable: fsyncs the parent of every folder it created. */
export async function mkdirDurable(dir: string, fsync: boolean): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (!fsync || created === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === created || dirname(d) === d) break;
  }
}

function stopped(): EddyError {
  return new EddyError('EDDY_ERR_STOPPED', 'The shard log is closed.');
}

export class DiskShardLog implements ShardLog {
  readonly #dir: string;
  readonly #s: ShardSettings;
  /** Live segments, oldest first, contiguous: each one's first is the previous one's first + count. */
  #segments: Segment[] = [];
  /** The segment appends go to; undefined until the first append (or after a trim retired it). */
  #active: Segment | undefined;
  #next = 0;
  #first = 0;
  #writtenNext = 0;
  /** Arrival time of the newest record ever appended: arrival times never go below it. */
  #lastArrival = 0;
  #pending: Part[] = [];
  #group: Group | undefined;
  #inflight: Group | undefined;
  #scheduled = false;
  #flushing = false;
  #failure: unknown;
  #closed = false;
  #trimChain: Promise<void> = RESOLVED;
  #keyLengths = new Int32Array(512);
  readonly #flushNow = (): void => void this.#flush();

  private constructor(dir: string, settings: ShardSettings) {
    this.#dir = dir;
    this.#s = settings;
  }

  /** Opens the shard log in dir (creating it), recovering what a previous run left there. */
  static async open(dir: string, settings: ShardSettings): Promise<DiskShardLog> {
    await mkdirDurable(dir, settings.fsync);
    const log = new DiskShardLog(dir, settings);
    await log.#recover();
    return log;
  }

  get nextIndex(): bigint {
    return BigInt(this.#next);
  }

  get firstIndex(): bigint {
    return BigInt(this.#first);
  }

  get lastArrivalMs(): number | undefined {
    return this.#first < this.#next ? this.#lastArrival : undefined;
  }

  append(records: readonly NewRecord[]): { firstIndex: bigint; written: Promise<void> } {
    const firstIndex = BigInt(this.#next);
    if (this.#closed) return { firstIndex, written: rejected(stopped()) };
    if (this.#failure !== undefined) return { firstIndex, written: rejected(this.#failure) };
    const n = records.length;
    if (n === 0) return { firstIndex, written: this.#group?.promise ?? this.#inflight?.promise ?? RESOLVED };

    // Size the batch (and refuse it whole, before any state changes, when a record cannot be stored).
    if (this.#keyLengths.length < n) this.#keyLengths = new Int32Array(n * 2);
    const keyLengths = this.#keyLengths;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      const keyBytes = Buffer.byteLength(r.partitionKey, 'utf8');
      if (keyBytes > MAX_PARTITION_KEY_BYTES || BODY_FIXED_BYTES + keyBytes + r.data.length > MAX_BODY_BYTES) {
        throw new RangeError(`Record ${i} of the batch is too large to store (${keyBytes + r.data.length} bytes).`);
      }
      keyLengths[i] = keyBytes;
      total += RECORD_OVERHEAD + keyBytes + r.data.length;
    }

    let seg = this.#active;
    if (seg === undefined || (seg.count > 0 && seg.size >= this.#s.segmentBytes)) seg = this.#roll();
    const buf = Buffer.allocUnsafe(total);
    const every = this.#s.indexEveryBytes;
    let at = 0;
    let last = this.#lastArrival;
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      // `>` rather than Math.max: a NaN arrival time becomes the previous one instead of poisoning the shard.
      const arrival = r.arrivalMs > last ? r.arrivalMs : last;
      last = arrival;
      const end = encodeRecord(buf, at, arrival, r.encrypted ? FLAG_ENCRYPTED : 0, r.partitionKey, keyLengths[i]!, r.data);
      seg.note(arrival, end - at, every);
      at = end;
    }
    this.#lastArrival = last;
    this.#next += n;
    seg.users++; // the write pins the segment's file until it is done
    this.#pending.push({ seg, buf, count: n });
    const group = (this.#group ??= newGroup());
    if (!this.#flushing && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushNow);
    }
    return { firstIndex, written: group.promise };
  }

  async read(from: bigint, limit: number, maxBytes: number): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    const end = await this.#visible();
    if (!(limit > 0) || from >= BigInt(end)) return out;
    const start = from > BigInt(this.#first) ? Number(from) : this.#first;
    let bytes = 0;
    const avg = this.#averageRecordBytes();
    const hint = Math.min(limit * avg, maxBytes + limit * RECORD_OVERHEAD) + this.#s.indexEveryBytes + avg;
    await this.#walk(start, end, hint, (buf, at, total, index) => {
      const dataBytes = dataLengthOf(buf, at, total);
      if (out.length > 0 && bytes + dataBytes > maxBytes) return false;
      bytes += dataBytes;
      out.push(decodeRecord(buf, at, total, BigInt(index)));
      return out.length < limit; // stop without touching the record after the last one wanted
    });
    return out;
  }

  async indexAtTime(ms: number): Promise<bigint> {
    return BigInt(await this.#indexAtTime(ms));
  }

  trimBefore(ms: number): Promise<void> {
    const run = this.#trimChain.then(() => this.#trim(ms));
    this.#trimChain = run.catch(() => {});
    return run;
  }

  /** Writes what is pending, then closes every file; later calls fail with EDDY_ERR_STOPPED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#drain();
    await this.#trimChain;
    if (this.#active) this.#active.writable = false;
    this.#active = undefined;
    await Promise.all(this.#segments.map((seg) => this.#s.handles.retire(seg)));
  }

  // ---- writing ----

  /** Starts a new active segment at the next index; its file is created by the writer. */
  #roll(): Segment {
    if (this.#active) this.#active.writable = false;
    const seg = new Segment(this.#next, join(this.#dir, segmentFileName(this.#next)));
    seg.writable = true;
    this.#segments.push(seg);
    this.#active = seg;
    return seg;
  }

  /** Writes pending batches as groups: everything appended while a write is in flight goes in the next one. */
  async #flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#flushing) return;
    this.#flushing = true;
    while (this.#pending.length > 0 && this.#failure === undefined) {
      const parts = this.#pending;
      const group = this.#group!;
      this.#pending = [];
      this.#group = undefined;
      this.#inflight = group;
      try {
        await this.#write(parts);
        group.resolve();
      } catch (err) {
        // The file may now end in a partial record: stop writing to this shard; a restart truncates it.
        this.#failure = err;
        group.reject(err);
      } finally {
        for (const part of parts) this.#s.handles.release(part.seg);
      }
    }
    if (this.#failure !== undefined && this.#group) {
      for (const part of this.#pending) this.#s.handles.release(part.seg);
      this.#pending = [];
      this.#group.reject(this.#failure);
      this.#group = undefined;
    }
    this.#inflight = undefined;
    this.#flushing = false;
  }

  async #write(parts: Part[]): Promise<void> {
    for (let i = 0; i < parts.length; ) {
      const seg = parts[i]!.seg;
      const bufs: Buffer[] = [];
      let bytes = 0;
      let count = 0;
      for (; i < parts.length && parts[i]!.seg === seg; i++) {
        bufs.push(parts[i]!.buf);
        bytes += parts[i]!.buf.length;
        count += parts[i]!.count;
      }
      if (!seg.created) {
        // A new segment. Segments are written strictly in order, and with fsync the previous one was
        // synced before this one exists, so a non-last segment is always whole.
        this.#s.handles.adopt(seg, await open(seg.path, 'w+'));
        seg.created = true;
        if (this.#s.fsync) await fsyncDir(this.#dir);
      }
      // The parts pin seg, but its file may have been closed while idle before they came: acquire reopens it.
      const fh = await this.#s.handles.acquire(seg);
      try {
        await writeAllAt(fh, bufs, seg.writtenSize);
        if (this.#s.fsync) await fh.datasync();
      } finally {
        this.#s.handles.release(seg);
      }
      seg.writtenSize += bytes;
      seg.writtenCount += count;
      this.#writtenNext += count;
    }
  }

  /** Waits until nothing is pending or in flight. */
  async #drain(): Promise<void> {
    for (;;) {
      const group = this.#group ?? this.#inflight;
      if (!group) return;
      await group.promise.catch(() => {});
    }
  }

  /** Waits until every record appended so far is written; returns that count (the end of what reads see). */
  async #visible(): Promise<number> {
    if (this.#closed) throw stopped();
    const target = this.#next;
    while (this.#writtenNext < target) {
      if (this.#failure !== undefined) throw this.#failure;
      const group = this.#inflight ?? this.#group;
      if (!group) break;
      await group.promise;
    }
    return target;
  }

  // ---- reading ----

  #averageRecordBytes(): number {
    const seg = this.#active ?? this.#segments.at(-1);
    return seg && seg.count > 0 ? Math.ceil(seg.size / seg.count) : 256;
  }

  /** Position in #segments of the segment holding index (the last one starting at or before it). */
  #segmentFor(index: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    if (hi < 0 || this.#segments[0]!.first > index) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#segments[mid]!.first <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Calls visit for the written records from index `from` (not below the first readable one) up to
   * `end`, in order, until it returns false; returns the index it stopped at. Each segment is entered
   * at its sparse index entry at or before the wanted record and scanned forward with positional reads
   * of about sizeHint bytes; every record's checksum is verified before it is visited.
   */
  async #walk(
    from: number,
    end: number,
    sizeHint: number,
    visit: (buf: Buffer, at: number, total: number, index: number) => boolean,
  ): Promise<number> {
    let index = Math.max(from, this.#first);
    while (index < end) {
      const seg = this.#segments[this.#segmentFor(index)];
      if (!seg || index >= seg.first + seg.writtenCount) break;
      const fh = await this.#s.handles.acquire(seg);
      try {
        const target = index - seg.first;
        const entry = seg.entryAtOrBefore(target);
        let ordinal = seg.ordinals[entry]!;
        let pos = seg.offsets[entry]!;
        const endOrdinal = Math.min(seg.writtenCount, end - seg.first);
        const endPos = seg.writtenSize;
        let want = Number.isFinite(sizeHint) ? Math.min(MAX_READ, Math.max(MIN_READ, sizeHint)) : MAX_READ;
        while (ordinal < endOrdinal) {
          const len = Math.min(endPos - pos, want);
          const buf = await readAt(fh, pos, len);
          let at = 0;
          while (ordinal < endOrdinal) {
            const total = probeRecord(buf, at, buf.length);
            if (total === INCOMPLETE) {
              // Cut by the chunk's end: read on from this record. Unless the file ends first (a length
              // prefix that went bad claims more than was written), which would otherwise loop for ever.
              const need = wantedBytes(buf, at, buf.length) ?? RECORD_OVERHEAD;
              if (buf.length < len || pos + at + need > endPos) {
                throw this.#corrupt(seg, pos + at, seg.first + ordinal, 'cut short');
              }
              want = Math.max(want, need);
              break;
            }
            if (total === CORRUPT) throw this.#corrupt(seg, pos + at, seg.first + ordinal, 'corrupt');
            if (ordinal >= target && !visit(buf, at, total, seg.first + ordinal)) return seg.first + ordinal;
            at += total;
            ordinal++;
          }
          pos += at;
        }
        index = seg.first + ordinal;
      } finally {
        this.#s.handles.release(seg);
      }
    }
    return index;
  }

  async #indexAtTime(ms: number): Promise<number> {
    const end = await this.#visible();
    const first = this.#first;
    if (first >= end || !(this.#lastArrival >= ms)) return end;
    // Arrival times never decrease, so the answer lies after the last index entry that arrived before ms.
    let lo = -1;
    let hi = this.#segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const seg = this.#segments[mid]!;
      if (seg.arrivals.length > 0 && seg.arrivals[0]! < ms) lo = mid;
      else hi = mid - 1;
    }
    if (lo < 0) return first;
    const seg = this.#segments[lo]!;
    const start = seg.first + seg.ordinals[seg.lastEntryBefore(ms)]!;
    const found = await this.#walk(start, end, this.#s.indexEveryBytes * 2, (buf, at) => arrivalOf(buf, at) < ms);
    return Math.max(first, found);
  }

  #corrupt(seg: Segment, offset: number, index: number, what: string): EddyError {
    return new EddyError(
      'EDDY_ERR_DATA_CORRUPT',
      `The record at byte ${offset} of ${seg.path} (index ${index}) is ${what}.`,
    );
  }

  // ---- retention ----

  async #trim(ms: number): Promise<void> {
    const cut = await this.#indexAtTime(ms);
    if (this.#closed) throw stopped();
    if (cut <= this.#first) return;
    this.#first = cut;
    // Recorded before any file goes, so a crash in between cannot bring trimmed records back.
    // lastArrivalMs too: arrival times stay non-decreasing even once the trim deleted every record.
    const state = { firstIndex: cut, lastArrivalMs: this.#lastArrival };
    await writeFileAtomic(join(this.#dir, TRIM_FILE), JSON.stringify(state), this.#s.fsync);
    const doomed: Segment[] = [];
    while (this.#segments.length > 0) {
      const seg = this.#segments[0]!;
      if (seg.first + seg.count > cut) break;
      if (seg === this.#active) {
        // Wholly trimmed and idle: retire it too; the next append starts a segment at the next index.
        if (seg.count === 0 || this.#pending.length > 0 || this.#flushing) break;
        seg.writable = false;
        this.#active = undefined;
      }
      this.#segments.shift();
      doomed.push(seg);
    }
    for (const seg of doomed) {
      await this.#s.handles.retire(seg);
      await rm(seg.path, { force: true });
    }
    if (doomed.length > 0 && this.#s.fsync) await fsyncDir(this.#dir);
  }

  // ---- recovery ----

  async #recover(): Promise<void> {
    let trimmed = 0;
    try {
      const saved = JSON.parse(await readFile(join(this.#dir, TRIM_FILE), 'utf8')) as { firstIndex?: unknown; lastArrivalMs?: unknown };
      if (typeof saved.firstIndex === 'number' && Number.isSafeInteger(saved.firstIndex)) trimmed = saved.firstIndex;
      if (typeof saved.lastArrivalMs === 'number' && Number.isFinite(saved.lastArrivalMs)) this.#lastArrival = saved.lastArrivalMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new EddyError('EDDY_ERR_DATA_CORRUPT', `${join(this.#dir, TRIM_FILE)} could not be read.`, { cause: err });
      }
    }
    const segments: Segment[] = [];
    for (const name of (await readdir(this.#dir)).sort()) {
      const first = parseSegmentFileName(name);
      if (first !== undefined) segments.push(new Segment(first, join(this.#dir, name)));
      else if (isTempName(name)) await rm(join(this.#dir, name), { force: true });
    }
    // A crash during a trim can leave segments that lie wholly before the trim point.
    while (segments.length > 1 && segments[1]!.first <= trimmed) await rm(segments.shift()!.path, { force: true });

    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const isLast = i === segments.length - 1;
      const prev = segments[i - 1];
      if (prev && prev.first + prev.count !== seg.first) {
        throw new EddyError(
          'EDDY_ERR_DATA_CORRUPT',
          `${prev.path} holds ${prev.count} records but the next segment starts at index ${seg.first}: records are missing.`,
        );
      }
      await this.#scan(seg, isLast);
    }

    const last = segments.at(-1);
    this.#next = Math.max(last ? last.first + last.count : 0, trimmed);
    if (last && last.first + last.count < this.#next) {
      // Only possible when records the trim file counts were lost (a power loss without --fsync):
      // everything on disk is trimmed anyway, so start afresh at the trim point.
      for (const seg of segments) {
        await seg.fh?.close();
        await rm(seg.path, { force: true });
      }
      segments.length = 0;
    }
    this.#segments = segments;
    this.#first = Math.max(trimmed, segments[0]?.first ?? this.#next);
    this.#writtenNext = this.#next;
    const active = segments.at(-1);
    if (active) {
      active.writable = true;
      this.#s.handles.adopt(active, active.fh!);
      this.#active = active;
    }
  }

  /**
   * Reads a segment through, verifying every record and rebuilding its sparse index. A torn or corrupt
   * tail of the last segment (what a crash mid-write leaves) is truncated away; the same in an earlier
   * segment fails with EDDY_ERR_DATA_CORRUPT, as the records after it could not be read in order. The
   * last segment's file stays open for the writer.
   */
  async #scan(seg: Segment, isLast: boolean): Promise<void> {
    const fh = await open(seg.path, isLast ? 'r+' : 'r');
    try {
      const fileSize = (await fh.stat()).size;
      let buf = Buffer.allocUnsafe(0);
      let bufStart = 0;
      let pos = 0;
      let problem: string | undefined;
      while (pos < fileSize) {
        const at = pos - bufStart;
        const total = probeRecord(buf, at, buf.length);
        if (total > 0) {
          const arrival = arrivalOf(buf, at);
          seg.note(arrival, total, this.#s.indexEveryBytes);
          if (arrival > this.#lastArrival) this.#lastArrival = arrival;
          pos += total;
          continue;
        }
        if (total === CORRUPT) {
          problem = 'corrupt';
          break;
        }
        const wanted = wantedBytes(buf, at, buf.length) ?? RECORD_OVERHEAD;
        if (pos + wanted > fileSize) {
          problem = 'cut short';
          break;
        }
        const size = Math.min(fileSize - pos, Math.max(SCAN_CHUNK, wanted));
        if (buf.length < size) buf = Buffer.allocUnsafe(size);
        let got = 0;
        while (got < size) {
          const { bytesRead } = await fh.read(buf, got, size - got, pos + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        buf = buf.subarray(0, got);
        bufStart = pos;
        if (got < wanted) {
          problem = 'cut short';
          break;
        }
      }
      if (problem !== undefined) {
        const index = seg.first + seg.count;
        if (!isLast) {
          throw new EddyError(
            'EDDY_ERR_DATA_CORRUPT',
            `The record at byte ${pos} of ${seg.path} (index ${index}) is ${problem}, and later segments follow it, ` +
              'so the records after it cannot be read in order. Move the shard folder away to start it empty.',
          );
        }
        await fh.truncate(pos);
        if (this.#s.fsync) await fh.sync();
        this.#s.warn(
          `eddy: truncated ${fileSize - pos} bytes of a torn tail (a ${problem} record at index ${index}) from ${seg.path}`,
        );
      }
      seg.size = seg.writtenSize = pos;
      seg.writtenCount = seg.count;
      seg.created = true;
    } catch (err) {
      await fh.close();
      throw err;
    }
    if (isLast) seg.fh = fh;
    else await fh.close();
  }
}
