// Single-event processing for urgent events: one record per invocation, with more memory.
import type { KinesisStreamHandler } from 'aws-lambda';
import { decode, type EnrichedEvent } from './lib/event.ts';

export const handler: KinesisStreamHandler = async (event) => {
  for (const record of event.Records) {
    const e = decode<EnrichedEvent>(record);
    console.log(`URGENT ${e.type} on ${e.key}: ${e.value} (${e.category})`);
  }
};
