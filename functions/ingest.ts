// Ingestion: accepts one event or a list of them and appends them to the events stream, keyed by `key`.
import type { Handler } from 'aws-lambda';
import { env, putJson } from './lib/streams.ts';

interface IngestResult {
  accepted: number;
}

export const handler: Handler<unknown, IngestResult> = async (payload) => {
  const events = Array.isArray(payload) ? payload : [payload];
  await putJson(
    env('EVENTS_STREAM'),
    events.map((e) => ({ key: String((e as { key?: unknown }).key ?? 'none'), value: e })),
  );
  return { accepted: events.length };
};
