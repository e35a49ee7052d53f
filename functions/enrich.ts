// Pipes and filters, step 2: adds a category to each event and routes it by priority.
import type { KinesisStreamHandler } from 'aws-lambda';
import { decode, type DemoEvent, type EnrichedEvent } from './lib/event.ts';
import { env, putJson } from './lib/streams.ts';

const categories: Record<DemoEvent['type'], string> = { click: 'engagement', view: 'engagement', purchase: 'revenue' };

export const handler: KinesisStreamHandler = async (event) => {
  const normal: Array<{ key: string; value: EnrichedEvent }> = [];
  const urgent: Array<{ key: string; value: EnrichedEvent }> = [];
  for (const record of event.Records) {
    const e = decode<DemoEvent>(record);
    const enriched: EnrichedEvent = { ...e, category: categories[e.type], enrichedAt: new Date().toISOString() };
    (e.priority === 'urgent' ? urgent : normal).push({ key: e.key, value: enriched });
  }
  await Promise.all([putJson(env('ENRICHED_STREAM'), normal), putJson(env('URGENT_STREAM'), urgent)]);
};
