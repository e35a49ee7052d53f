// The durable local outbox: records bound for destinations eddy does not emulate (SQS queues, SNS
// topics, S3 buckets, EventBridge buses, or a function that is not deployed here), kept in the data dir
// as documents of kind `destinations` so nothing is lost and `eddy` can show them.
// Used by async invocations (onSuccess / onFailure) and by event-source mappings (on-failure records).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { documentsDir, readDocuments } from '../../log/disk-root.ts';
import type { LogRoot } from '../../log/types.ts';

export const OUTBOX_KIND = 'destinations';

export type DestinationService = 'sqs' | 'sns' | 's3' | 'events' | 'lambda' | 'other';

export interface OutboxEntry {
  /** Unique, and sorts in append order. */
  id: string;
  /** The destination ARN as configured. */
  arn: string;
  service: DestinationService;
  /** When it was appended (ms since the epoch, of the outbox's clock). */
  atMs: number;
  /** The record as AWS would deliver it (the SQS message body / SNS message). */
  record: unknown;
}

export interface Outbox {
  appendToOutbox(arn: string, record: unknown): Promise<OutboxEntry>;
  /** Every entry, oldest first; only those for one ARN when given. */
  listOutbox(arn?: string): Promise<OutboxEntry[]>;
  /** Removes one entry (e.g. once a user has drained it). */
  removeFromOutbox(id: string): Promise<void>;
}

/** The AWS service an ARN names (`arn:aws:sqs:…` -> 'sqs'). */
export function destinationService(arn: string): DestinationService {
  const service = arn.split(':')[2];
  switch (service) {
    case 'sqs':
    case 'sns':
    case 's3':
    case 'events':
    case 'lambda':
      return service;
    default:
      return 'other';
  }
}

export function createOutbox(options: { root: LogRoot; clock: Clock }): Outbox {
  const { root, clock } = options;
  let seq = 0;
  return {
    async appendToOutbox(arn, record) {
      const atMs = clock.now();
      // Time, then a per-process counter, then randomness: sorts in append order across restarts.
      const id = `${String(atMs).padStart(15, '0')}-${String(seq++).padStart(9, '0')}-${randomUUID().slice(0, 8)}`;
      const entry: OutboxEntry = { id, arn, service: destinationService(arn), atMs, record };
      await root.saveDocument(OUTBOX_KIND, id, entry);
      return entry;
    },
    async listOutbox(arn) {
      const docs = await root.loadDocuments(OUTBOX_KIND);
      return inOrder([...docs.values()] as OutboxEntry[]).filter((e) => arn === undefined || e.arn === arn);
    },
    async removeFromOutbox(id) {
      await root.deleteDocument(OUTBOX_KIND, id);
    },
  };
}

function inOrder(entries: OutboxEntry[]): OutboxEntry[] {
  return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The outbox kept in an eddy's data dir, read from its files (beside a running eddy, or after it). */
export async function readOutboxOfDataDir(dataDir: string): Promise<OutboxEntry[]> {
  const docs = await readDocuments(documentsDir(dataDir, OUTBOX_KIND));
  return inOrder([...docs.values()] as OutboxEntry[]);
}
