// Wires a CostMeter to a running eddy: every invocation report, every Kinesis event, and the streams' shapes
// (observed at attach, on every create / reshard / delete event, and on refresh()).
import type { KinesisEvent } from '../kinesis/types.ts';
import type { InvocationReport } from '../lambda/types.ts';
import type { CostMeter, StreamShape } from './meter.ts';

export interface MeterSources {
  onReport(listener: (report: InvocationReport) => void): () => void;
  onKinesisEvent(listener: (event: KinesisEvent) => void): () => void;
  /** The streams' current shapes (runtime/kinesis StreamMeta satisfies StreamShape; or ApiStreamShapes). */
  shapes(): Promise<readonly StreamShape[]> | readonly StreamShape[];
}

export interface AttachedMeter {
  /** Re-reads the shapes (call before a snapshot to catch retention, mode and consumer changes). */
  refresh(): Promise<void>;
  detach(): void;
}

export async function attachMeter(meter: CostMeter, sources: MeterSources): Promise<AttachedMeter> {
  let chain = Promise.resolve();
  const refresh = (): Promise<void> => {
    // Serialised, so shapes are observed in the order they were read.
    chain = chain.then(async () => {
      for (const shape of await sources.shapes()) meter.observeStream(shape);
    }).catch(() => undefined);
    return chain;
  };
  const offReport = sources.onReport((r) => meter.recordInvocation(r));
  const offEvents = sources.onKinesisEvent((e) => {
    meter.recordKinesis(e);
    if (e.type === 'streamCreated' || e.type === 'shardsChanged') void refresh();
  });
  await refresh();
  return {
    refresh,
    detach: () => {
      offReport();
      offEvents();
    },
  };
}
