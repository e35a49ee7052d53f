// The --in-memory LogRoot: the same contract as the disk root, nothing written to disk.
import { BODY_FIXED_BYTES, MAX_BODY_BYTES, MAX_PARTITION_KEY_BYTES } from './record-codec.ts';
import type { LogRoot, NewRecord, ShardLog, StoredRecord } from './types.ts';

// ES2024 string methods (Node 20 has them; the ES2023 lib does not declare them).
type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

/** The key as UTF-8 storage gives it back: a lone surrogate becomes U+FFFD, as on disk. */
function wellFormed(key: string): string {
  const k = key as unknown as WellFormed;
  return k.isWellFormed() ? key : k.toWellFormed();
}

class MemoryShardLog implements ShardLog {
  #records: StoredRecord[] = [];
  #offset = 0n;
  #lastArrival = 0;

  get nextIndex(): bigint {
    return this.#offset + BigInt(this.#records.length);
  }

  get firstIndex(): bigint {
    return this.#offset;
  }

  get lastArrivalMs(): number | undefined {
    return this.#records.at(-1)?.arrivalMs;
  }

  append(records: readonly NewRecord[]): { firstIndex: bigint; written: Promise<void> } {
    const firstIndex = this.nextIndex;
    // The disk root's limits (far above Kinesis's), checked the same way: the whole batch is refused.
    for (const [i, r] of records.entries()) {
      const keyBytes = r.partitionKey.length * 3 > MAX_PARTITION_KEY_BYTES ? Buffer.byteLength(r.partitionKey) : 0;
      if (keyBytes > MAX_PARTITION_KEY_BYTES || BODY_FIXED_BYTES + keyBytes + r.data.length > MAX_BODY_BYTES) {
        throw new RangeError(`Record ${i} of the batch is too large to store (${keyBytes + r.data.length} bytes).`);
      }
    }
    // A copy, as the disk root keeps: a caller reusing its buffer must not change stored records. One block
    // a batch (Buffer#slice would be a view, not a copy).
    let total = 0;
    for (const r of records) total += r.data.length;
    const block = Buffer.allocUnsafe(total);
    let offset = 0;
    let last = this.#lastArrival;
    let index = firstIndex;
    for (const r of records) {
      // As on disk: never below the newest arrival so far, even after a trim emptied the shard, and a
      // NaN arrival time becomes the previous one.
      last = r.arrivalMs > last ? r.arrivalMs : last;
      block.set(r.data, offset);
      this.#records.push({
        index: index++,
        partitionKey: wellFormed(r.partitionKey),
        data: block.subarray(offset, (offset += r.data.length)),
        arrivalMs: last,
        encrypted: r.encrypted ?? false,
      });
    }
    this.#lastArrival = last;
    return { firstIndex, written: Promise.resolve() };
  }

  async read(from: bigint, limit: number, maxBytes: number): Promise<StoredRecord[]> {
    const start = from > this.#offset ? Number(from - this.#offset) : 0;
    const out: StoredRecord[] = [];
    let bytes = 0;
    for (let i = start; i < this.#records.length && out.length < limit; i++) {
      const r = this.#records[i]!;
      if (out.length > 0 && bytes + r.data.length > maxBytes) break;
      bytes += r.data.length;
      out.push(r);
    }
    return out;
  }

  async indexAtTime(ms: number): Promise<bigint> {
    return this.#offset + BigInt(this.#firstAtOrAfter(ms));
  }

  async trimBefore(ms: number): Promise<void> {
    const drop = this.#firstAtOrAfter(ms);
    this.#records.splice(0, drop);
    this.#offset += BigInt(drop);
  }

  /** Position of the first kept record that arrived at or after ms (arrival times never decrease). */
  #firstAtOrAfter(ms: number): number {
    let lo = 0;
    let hi = this.#records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#records[mid]!.arrivalMs >= ms) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export class MemoryLogRoot implements LogRoot {
  readonly inMemory = true;
  #documents = new Map<string, Map<string, unknown>>();
  #shards = new Map<string, MemoryShardLog>();

  async loadDocuments(kind: string): Promise<Map<string, unknown>> {
    // Copies, as the disk root reads fresh ones: a caller changing a loaded document changes nothing stored.
    return new Map([...(this.#documents.get(kind) ?? [])].map(([key, doc]) => [key, structuredClone(doc)]));
  }

  async saveDocument(kind: string, key: string, doc: unknown): Promise<void> {
    if (kind === 'shards') throw new RangeError('"shards" is not a valid document kind.');
    let docs = this.#documents.get(kind);
    if (!docs) this.#documents.set(kind, (docs = new Map()));
    // A JSON round trip, as the disk root stores it: what cannot be saved there fails here too.
    const text = JSON.stringify(doc) as string | undefined;
    if (text === undefined) throw new TypeError('A document must be a JSON value.');
    docs.set(key, JSON.parse(text) as unknown);
  }

  async deleteDocument(kind: string, key: string): Promise<void> {
    this.#documents.get(kind)?.delete(key);
  }

  async openShard(streamKey: string, shardId: string): Promise<ShardLog> {
    const id = `${streamKey}/${shardId}`;
    let shard = this.#shards.get(id);
    if (!shard) this.#shards.set(id, (shard = new MemoryShardLog()));
    return shard;
  }

  async dropStream(streamKey: string): Promise<void> {
    for (const id of [...this.#shards.keys()]) if (id.startsWith(`${streamKey}/`)) this.#shards.delete(id);
  }

  async close(): Promise<void> {}
}
