// A SimulationTarget over a running emulator: puts and stream shapes through the real SDK client on its endpoint,
// invocation reports and Kinesis events from its listeners, drain() from the emulator.
import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import type { Clock } from '../../clock.ts';
import type { KinesisEvent } from '../../kinesis/types.ts';
import type { InvocationReport } from '../../lambda/types.ts';
import type { StreamShape } from '../meter.ts';
import { sdkPutRecords, type SimulationTarget } from './driver.ts';

/** The part of the Emulator facade a simulation needs. */
export interface SimulatedEmulator {
  readonly endpoint: string;
  onKinesisEvent(listener: (event: KinesisEvent) => void): () => void;
  onReport(listener: (report: InvocationReport) => void): () => void;
  drain(): Promise<void>;
  /** Largest iterator age over the mappings, ms (optional; estimated from reads otherwise). */
  iteratorAgeMs?(): number | Promise<number>;
}

export interface EmulatorTarget extends SimulationTarget {
  readonly kinesis: KinesisClient;
  close(): void;
}

export function emulatorTarget(emu: SimulatedEmulator, options: { clock: Clock; region?: string }): EmulatorTarget {
  const region = options.region ?? 'us-east-1';
  const kinesis = new KinesisClient({
    endpoint: emu.endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // Throttled entries come back per entry; a throttled request is the driver's to count, not the SDK's to retry.
    maxAttempts: 1,
  });
  // Shards first seen open and later closed are billed until they were seen closed (ListShards gives no times).
  const seen = new Map<string, { createdAtMs: number; closedAtMs: number | undefined }>();
  const streams = async (): Promise<StreamShape[]> => {
    const now = options.clock.now();
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await kinesis.send(new ListStreamsCommand(token ? { NextToken: token } : {}));
      names.push(...(page.StreamNames ?? []));
      token = page.HasMoreStreams ? page.NextToken : undefined;
    } while (token);
    const shapes: StreamShape[] = [];
    for (const name of names) {
      const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
      const shards: { shardId: string; createdAtMs: number; closedAtMs?: number | undefined }[] = [];
      let next: string | undefined;
      do {
        const page = await kinesis.send(new ListShardsCommand(next ? { NextToken: next } : { StreamName: name }));
        for (const s of page.Shards ?? []) {
          const key = `${name}/${s.ShardId}`;
          const known = seen.get(key) ?? { createdAtMs: now, closedAtMs: undefined };
          if (s.SequenceNumberRange?.EndingSequenceNumber && known.closedAtMs === undefined) known.closedAtMs = now;
          seen.set(key, known);
          shards.push({ shardId: s.ShardId!, createdAtMs: known.createdAtMs, closedAtMs: known.closedAtMs });
        }
        next = page.NextToken;
      } while (next);
      shapes.push({
        name,
        mode: summary?.StreamModeDetails?.StreamMode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED',
        retentionPeriodHours: summary?.RetentionPeriodHours ?? 24,
        shards,
        consumers: Array.from({ length: summary?.ConsumerCount ?? 0 }, (_, i) => ({ consumerName: `consumer-${i}` })),
      });
    }
    return shapes;
  };
  const target: EmulatorTarget = {
    clock: options.clock,
    region,
    kinesis,
    putRecords: sdkPutRecords(kinesis),
    onReport: (l) => emu.onReport(l),
    onKinesisEvent: (l) => emu.onKinesisEvent(l),
    streams,
    drain: () => emu.drain(),
    close: () => kinesis.destroy(),
  };
  if (emu.iteratorAgeMs) {
    const age = emu.iteratorAgeMs.bind(emu);
    target.iteratorAgeMs = async () => age();
  }
  return target;
}
