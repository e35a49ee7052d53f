// What a mapping's shard processors and lanes share: its settings, the seams (clock, invoker, source),
// and a few engine services. One per running mapping; rebuilt when the mapping is updated.
import type { Clock } from '../clock.ts';
import type { Invoker } from '../lambda/types.ts';
import type { CheckpointStore } from './checkpoints.ts';
import type { EventContext } from './event.ts';
import type { CompiledFilter } from './filter.ts';
import type { KinesisSource } from './source.ts';
import type { MappingSpec } from './types.ts';

export interface MappingContext {
  readonly spec: MappingSpec;
  readonly streamName: string;
  readonly awsRegion: string;
  readonly filter: CompiledFilter;
  readonly invoker: Invoker;
  readonly clock: Clock;
  readonly source: KinesisSource;
  readonly checkpoints: CheckpointStore;
  /** Idle poll interval in real ms; undefined = wait to be woken (eddy's own log), with a 1 s fallback. */
  readonly pollIntervalMs: number | undefined;
  /** Stream retention in ms, once known: records older than it count as expired. */
  retentionMs: number | undefined;
  /** Reads the stream's retention again into retentionMs (it may have been increased or decreased since). */
  readRetention(): Promise<void>;
  /** The drain epoch now (see MappingEngine.drain). */
  drainEpoch(): number;
  /** Sends an on-failure record to the mapping's destination (function, or the outbox for SQS/SNS). */
  sendToDestination(record: Record<string, unknown>): Promise<void>;
  /** Records the mapping-level LastProcessingResult. */
  setLastResult(result: string): void;
  /** Reports a problem that does not stop the mapping (an SDK error, a failed write). */
  warn(message: string, err?: unknown): void;
  eventContext(shardId: string): EventContext;
}

/** A promise resolved by the next notify(): how lanes and readers wait for work. */
export class Signal {
  #resolve: (() => void) | undefined;
  #promise: Promise<void> | undefined;

  wait(): Promise<void> {
    this.#promise ??= new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
    return this.#promise;
  }

  notify(): void {
    const resolve = this.#resolve;
    this.#promise = undefined;
    this.#resolve = undefined;
    resolve?.();
  }
}

/** Waits ms of real time (I/O pacing, not semantics: never on the injected clock), or until signalled. */
export function pause(ms: number, signal?: Signal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    void signal?.wait().then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
