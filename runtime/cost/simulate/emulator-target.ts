// A SimulationTarget over a running emulator: puts and stream shapes through the real SDK client on its endpoint,
// invocation reports and Kinesis events from its listeners, drain() from the emulator.
import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import type { Clock } from '../../clock.ts';
import type { KinesisEvent } from '../../kinesis/types.ts';
import type { InvocationReport } from '../../lambda/types.ts';
import { ApiStreamShapes } from '../shapes.ts';
import { sdkPutRecords, type SimulationTarget } from './driver.ts';

/** The part of the Emulator facade a simulation needs. */
export interface SimulatedEmulator {
  readonly endpoint: string;
  onKinesisEvent(listener: (event: KinesisEvent) => void): () => void;
  onReport(listener: (report: InvocationReport) => void): () => void;
  drain(): Promise<void>;
  /** Largest iterator age over the mappings, ms (optional; taken from status() or estimated from reads otherwise). */
  iteratorAgeMs?(): number | Promise<number>;
  /** The Emulator's status: what each mapping has finished with, per shard. */
  status?(): {
    mappings: readonly {
      eventSourceArn: string;
      shards: readonly { recordsProcessed: number; recordsFiltered: number; recordsDiscarded: number }[];
    }[];
  };
}

export interface EmulatorTarget extends SimulationTarget {
  readonly kinesis: KinesisClient;
  close(): void;
}

/** `streams`: names to meter even if ListStreams is unavailable (the workload's streams). */
export function emulatorTarget(emu: SimulatedEmulator, options: { clock: Clock; region?: string; streams?: readonly string[] }): EmulatorTarget {
  const region = options.region ?? 'us-east-1';
  const kinesis = new KinesisClient({
    endpoint: emu.endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // Throttled entries come back per entry; a throttled request is the driver's to count, not the SDK's to retry.
    maxAttempts: 1,
  });
  const shapes = new ApiStreamShapes(async (operation, input) => {
    switch (operation) {
      case 'ListStreams':
        return kinesis.send(new ListStreamsCommand(input));
      case 'DescribeStreamSummary':
        return kinesis.send(new DescribeStreamSummaryCommand(input as { StreamName: string }));
      case 'ListShards':
        return kinesis.send(new ListShardsCommand(input));
    }
  }, options.clock);
  for (const name of options.streams ?? []) shapes.remember(name);
  const target: EmulatorTarget = {
    clock: options.clock,
    region,
    kinesis,
    putRecords: sdkPutRecords(kinesis),
    onReport: (l) => emu.onReport(l),
    onKinesisEvent: (l) =>
      emu.onKinesisEvent((e) => {
        shapes.remember(e.streamName);
        l(e);
      }),
    streams: () => shapes.shapes(),
    drain: () => emu.drain(),
    close: () => kinesis.destroy(),
  };
  if (emu.iteratorAgeMs) {
    const age = emu.iteratorAgeMs.bind(emu);
    target.iteratorAgeMs = async () => age();
  }
  if (emu.status) {
    const status = emu.status.bind(emu);
    // Per stream, the slowest of its mappings (each mapping sees every record).
    target.consumed = async () => {
      const out = new Map<string, number>();
      for (const m of status().mappings) {
        const stream = m.eventSourceArn.slice(m.eventSourceArn.indexOf(':stream/') + ':stream/'.length);
        const done = m.shards.reduce((a, s) => a + s.recordsProcessed + s.recordsFiltered + s.recordsDiscarded, 0);
        out.set(stream, Math.min(out.get(stream) ?? Infinity, done));
      }
      return out;
    };
  }
  return target;
}
