// Per-mapping checkpoints, one LogRoot document (kind `checkpoints`, key = mapping UUID) replaced
// atomically. Writes are coalesced: while one write runs, later changes wait and go out together, and
// every caller's promise resolves once a write holding its change is done.
import type { LogRoot } from '../log/types.ts';

export const CHECKPOINTS_KIND = 'checkpoints';

export interface ShardCheckpoint {
  /** Resume AFTER this sequence number (the last record done). */
  after?: string;
  /** Resume AT this sequence number (the first record seen from a LATEST / AT_TIMESTAMP start). */
  at?: string;
  /**
   * With ParallelizationFactor > 1: the last record done in each lane (lanes run ahead of the shard
   * checkpoint). A restart reads from `after` but skips records their lane already finished, so only
   * the batches in flight are delivered twice. Only valid for the PF they were written with.
   */
  lanes?: Record<string, string>;
  pf?: number;
  /** Read to its end and every record done: never read again; its children may start. */
  finished?: boolean;
  /** Listed when the mapping first started: reads from the mapping's StartingPosition, not TRIM_HORIZON. */
  initial?: boolean;
}

export interface CheckpointDoc {
  uuid: string;
  /** Set once the first ListShards has been recorded. */
  initialized: boolean;
  shards: Record<string, ShardCheckpoint>;
}

export class CheckpointStore {
  readonly #root: LogRoot;
  readonly doc: CheckpointDoc;
  #dirty = false;
  #pending: Promise<void> | undefined;
  #deleted = false;

  constructor(root: LogRoot, uuid: string, existing: unknown) {
    this.#root = root;
    const doc = existing as CheckpointDoc | undefined;
    this.doc =
      doc && typeof doc === 'object' && doc.shards && typeof doc.shards === 'object'
        ? { uuid, initialized: doc.initialized === true, shards: { ...doc.shards } }
        : { uuid, initialized: false, shards: {} };
  }

  shard(shardId: string): ShardCheckpoint | undefined {
    return this.doc.shards[shardId];
  }

  update(shardId: string, patch: ShardCheckpoint): void {
    this.doc.shards[shardId] = { ...this.doc.shards[shardId], ...patch };
    if (patch.after !== undefined || patch.lanes !== undefined) delete this.doc.shards[shardId]!.at;
  }

  /** Writes the document (coalescing with a write in progress). */
  save(): Promise<void> {
    if (this.#deleted) return Promise.resolve();
    this.#dirty = true;
    this.#pending ??= this.#run();
    return this.#pending;
  }

  async #run(): Promise<void> {
    try {
      while (this.#dirty && !this.#deleted) {
        this.#dirty = false;
        const snapshot = JSON.parse(JSON.stringify(this.doc)) as CheckpointDoc;
        await this.#root.saveDocument(CHECKPOINTS_KIND, this.doc.uuid, snapshot);
      }
    } finally {
      this.#pending = undefined;
    }
  }

  async flush(): Promise<void> {
    while (this.#pending) await this.#pending.catch(() => {});
  }

  async delete(): Promise<void> {
    await this.flush();
    this.#deleted = true;
    await this.#root.deleteDocument(CHECKPOINTS_KIND, this.doc.uuid);
  }
}
