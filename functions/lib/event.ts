// The demo's event shape, and decoding it from a Kinesis record.
import type { KinesisStreamRecord } from 'aws-lambda';

export interface DemoEvent {
  id: string;
  type: 'click' | 'view' | 'purchase';
  key: string;
  value: number;
  priority: 'normal' | 'urgent';
  at: string;
}

export interface EnrichedEvent extends DemoEvent {
  category: string;
  enrichedAt: string;
}

export function decode<T>(record: KinesisStreamRecord): T {
  return JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as T;
}

/** The validator's check (the mapping's filter already checked `type`; this handler can also be invoked directly). */
export function isDemoEvent(value: unknown): value is DemoEvent {
  const e = value as Partial<DemoEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.id === 'string' &&
    (e.type === 'click' || e.type === 'view' || e.type === 'purchase') &&
    typeof e.key === 'string' &&
    typeof e.value === 'number' &&
    Number.isFinite(e.value) &&
    (e.priority === 'normal' || e.priority === 'urgent')
  );
}
