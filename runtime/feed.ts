// `eddy start --feed workload.yml`: plays a workload's producers into the streams in real time while eddy
// serves, over and over, so a pipeline has something to do (the demo's `npm start`).
import { WorkloadGenerator } from './cost/simulate/generator.ts';
import type { Workload } from './cost/simulate/workload.ts';

export interface FeedTarget {
  putRecords(streamName: string, records: ReadonlyArray<{ partitionKey: string; data: Uint8Array }>): Promise<void>;
  onError(err: unknown): void;
}

const TICK_MS = 100;

export class Feed {
  readonly #workload: Workload;
  readonly #target: FeedTarget;
  #generator: WorkloadGenerator;
  #t = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #stopped = false;
  #written = 0;

  constructor(workload: Workload, target: FeedTarget) {
    this.#workload = workload;
    this.#target = target;
    this.#generator = new WorkloadGenerator(workload, Date.now());
  }

  /** Records written so far. */
  get written(): number {
    return this.#written;
  }

  start(): this {
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    return this;
  }

  #tick(): void {
    // A tick that is still writing makes the next one wait: the feed slows down rather than piling up.
    this.#inFlight = this.#inFlight.then(async () => {
      if (this.#stopped) return;
      if (this.#t >= this.#workload.durationMs) {
        this.#t = 0;
        this.#generator = new WorkloadGenerator(this.#workload, Date.now());
      }
      const batches = this.#generator.tick(this.#t, TICK_MS);
      this.#t += TICK_MS;
      for (const batch of batches) {
        for (let i = 0; i < batch.records.length; i += batch.batchSize) {
          const chunk = batch.records.slice(i, i + batch.batchSize);
          try {
            await this.#target.putRecords(batch.stream, chunk);
            this.#written += chunk.length;
          } catch (err) {
            this.#target.onError(err);
          }
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#inFlight;
  }
}
