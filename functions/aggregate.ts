// Multiple-event processing: min / max / average of `value` per key over a tumbling window. The running
// totals travel in `state` between the invocations of one window; the final one publishes the aggregates.
import type { KinesisStreamTumblingWindowEvent, KinesisStreamTumblingWindowHandler } from 'aws-lambda';
import { decode, type EnrichedEvent } from './lib/event.ts';
import { env, putJson } from './lib/streams.ts';

interface Totals {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface Aggregate {
  key: string;
  windowStart: string;
  windowEnd: string;
  count: number;
  min: number;
  max: number;
  average: number;
}

export const handler: KinesisStreamTumblingWindowHandler = async (event: KinesisStreamTumblingWindowEvent) => {
  const state = (event.state ?? {}) as Record<string, Totals>;
  for (const record of event.Records) {
    const e = decode<EnrichedEvent>(record);
    const t = state[e.key];
    state[e.key] = t
      ? { count: t.count + 1, sum: t.sum + e.value, min: Math.min(t.min, e.value), max: Math.max(t.max, e.value) }
      : { count: 1, sum: e.value, min: e.value, max: e.value };
  }
  if (event.isFinalInvokeForWindow) {
    const aggregates: Aggregate[] = Object.entries(state).map(([key, t]) => ({
      key,
      windowStart: event.window.start,
      windowEnd: event.window.end,
      count: t.count,
      min: t.min,
      max: t.max,
      average: t.sum / t.count,
    }));
    await putJson(
      env('AGGREGATES_STREAM'),
      aggregates.map((a) => ({ key: a.key, value: a })),
    );
    console.log(`window ${event.window.start} closed with ${aggregates.length} keys`);
    return { state: {} };
  }
  return { state };
};
