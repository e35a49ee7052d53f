// Which records of a shard are done, and where a restart may resume: the shard checkpoint is the last
// record of the longest done prefix (so it is the minimum over the lanes), and with ParallelizationFactor
// > 1 each lane's last done record is kept too, so a restart that reads again from the shard checkpoint
// skips what its lane had already finished and re-delivers only the batches that were in flight.
import type { ReadRecord } from './event.ts';

export interface SavedProgress {
  after?: string;
  lanes?: Record<string, string>;
  pf?: number;
}

export class ShardProgress {
  readonly #pf: number;
  #pending: ReadRecord[] = [];
  #head = 0;
  /** Records read and not done yet (kept as a count: status() reads it often). */
  #undone = 0;
  readonly #laneDone: Array<string | undefined>;
  readonly #laneSkip: Array<bigint | undefined>;
  #after: string | undefined;

  constructor(pf: number, saved: SavedProgress | undefined) {
    this.#pf = pf;
    this.#after = saved?.after;
    // Lane marks are only meaningful for the PF they were written with (keys map to other lanes otherwise).
    const lanes = saved?.pf === pf && saved.lanes ? saved.lanes : {};
    this.#laneDone = Array.from({ length: pf }, (_, i) => lanes[String(i)]);
    this.#laneSkip = this.#laneDone.map((seq) => (seq === undefined ? undefined : BigInt(seq)));
  }

  /** The shard checkpoint: resume after this record. */
  get after(): string | undefined {
    return this.#after;
  }

  /** Each lane's last done record (empty with PF 1). */
  lanes(): Record<string, string> {
    const out: Record<string, string> = {};
    this.#laneDone.forEach((seq, i) => {
      if (seq !== undefined) out[String(i)] = seq;
    });
    return out;
  }

  /** Records read and not done yet. */
  get pending(): number {
    return this.#undone;
  }

  /**
   * Takes a record just read (in shard order). Returns true when its lane finished it before a restart:
   * it is then done already and must not be delivered again.
   */
  read(rec: ReadRecord): boolean {
    this.#pending.push(rec);
    const skipUpTo = this.#laneSkip[rec.lane];
    if (skipUpTo !== undefined && BigInt(rec.sequenceNumber) <= skipUpTo) {
      rec.done = true;
      return true;
    }
    this.#laneSkip[rec.lane] = undefined; // past the mark (if any): the rest of the lane is new
    this.#undone++;
    return false;
  }

  /** Marks a record done without delivering it (filtered out). */
  skip(rec: ReadRecord): void {
    this.#markDone(rec);
  }

  #markDone(rec: ReadRecord): void {
    if (rec.done) return;
    rec.done = true;
    this.#undone--;
  }

  /** Marks records done (a lane completes its records in order). Returns whether anything to save moved. */
  complete(records: readonly ReadRecord[]): boolean {
    for (const r of records) this.#markDone(r);
    let moved = false;
    if (this.#pf > 1) {
      for (const r of records) this.#laneDone[r.lane] = r.sequenceNumber;
      moved = records.length > 0;
    }
    return this.advance() || moved;
  }

  /** Moves the shard checkpoint over the done prefix; true when it moved. */
  advance(): boolean {
    let last: ReadRecord | undefined;
    while (this.#head < this.#pending.length && this.#pending[this.#head]!.done) last = this.#pending[this.#head++];
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    if (!last) return false;
    this.#after = last.sequenceNumber;
    return true;
  }

  /** True when every record read is done. */
  get settled(): boolean {
    return this.#head === this.#pending.length;
  }
}
