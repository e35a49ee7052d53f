// The storage contract of the log: durable per-shard record files and small metadata documents.
// The stream model (runtime/kinesis) decides what records and documents mean; storage only keeps them.

/** A record as the stream model hands it to a shard: the shard assigns its index. */
export interface NewRecord {
  partitionKey: string;
  data: Uint8Array;
  /** Arrival time in ms since the epoch; storage keeps it non-decreasing within a shard. */
  arrivalMs: number;
  /** Only set when the record was written to an encrypted stream. */
  encrypted?: boolean;
}

/** A record as read back: index is its position in the shard (0, 1, 2 ...), never reused. */
export interface StoredRecord {
  index: bigint;
  partitionKey: string;
  data: Uint8Array;
  arrivalMs: number;
  encrypted: boolean;
}

/** One shard's append-only log. */
export interface ShardLog {
  /** Index the next appended record will get (= number of records ever appended). */
  readonly nextIndex: bigint;
  /** Lowest index still readable (records below it were trimmed by retention). */
  readonly firstIndex: bigint;
  /** Arrival time of the newest record, or undefined when the shard is empty. */
  readonly lastArrivalMs: number | undefined;
  /**
   * Appends records in order and returns the index of the first. The indexes are assigned at once
   * (synchronously, so concurrent callers interleave whole batches); the promise resolves once the
   * bytes are handed to the OS, or fsynced when the root was opened with fsync. A batch holding a record
   * storage cannot keep (partition key over 65 535 UTF-8 bytes, or over 64 MiB) throws a RangeError and
   * changes nothing. On disk, a failed write rejects `written` for its group and for every later append
   * of the shard (it stops; a restart truncates whatever the failed write left).
   */
  append(records: readonly NewRecord[]): { firstIndex: bigint; written: Promise<void> };
  /**
   * Records with index >= from, at most limit of them and about maxBytes of data (at least one). Sees every
   * record appended before the call (on disk it first waits for their write, and fsync when on).
   */
  read(from: bigint, limit: number, maxBytes: number): Promise<StoredRecord[]>;
  /** Index of the first record that arrived at or after ms (nextIndex when none did). */
  indexAtTime(ms: number): Promise<bigint>;
  /** Drops every record that arrived before ms; files wholly before it are deleted. */
  trimBefore(ms: number): Promise<void>;
}

/** Where logs and metadata documents live: a data dir on disk, or memory. */
export interface LogRoot {
  readonly inMemory: boolean;
  /** Every document of one kind ('streams', 'checkpoints', ...), by key. */
  loadDocuments(kind: string): Promise<Map<string, unknown>>;
  /** Replaces one document atomically (temp file + rename on disk). */
  saveDocument(kind: string, key: string, doc: unknown): Promise<void>;
  deleteDocument(kind: string, key: string): Promise<void>;
  /** Opens (recovering from disk, truncating a torn tail) or creates a shard's log. */
  openShard(streamKey: string, shardId: string): Promise<ShardLog>;
  /** Deletes every shard log of a stream. */
  dropStream(streamKey: string): Promise<void>;
  close(): Promise<void>;
}
