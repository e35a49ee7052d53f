// Properties of the shard progress (checkpoint = longest done prefix; per-lane marks for a restart):
// for any interleaving of lane completions and a crash at any point, a restart from the saved state
// delivers every record not done before the crash (nothing skipped), skips only records that were done,
// and re-delivers only records done after the shard checkpoint.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadRecord } from '../../../runtime/mappings/event.ts';
import { ShardProgress, type SavedProgress } from '../../../runtime/mappings/progress.ts';

function record(i: number, lane: number): ReadRecord {
  return { sequenceNumber: String(1000 + i), partitionKey: `k${lane}`, arrivalMs: i, json: '', bytes: 0, lane, done: false };
}

describe('ShardProgress', () => {
  it('checkpoints the longest done prefix, and a restart loses nothing and skips only done records', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })), { maxLength: 80 }),
        (pf, laneSeeds, steps) => {
          const records = laneSeeds.map((seed, i) => record(i, seed % pf));
          const progress = new ShardProgress(pf, undefined);
          for (const r of records) expect(progress.read(r)).toBe(false);
          // Each lane completes its records in order, a batch at a time, lanes interleaved at random.
          const next = Array.from({ length: pf }, () => 0);
          const byLane = Array.from({ length: pf }, (_, lane) => records.filter((r) => r.lane === lane));
          for (const [laneSeed, size] of steps) {
            const lane = laneSeed % pf;
            const batch = byLane[lane]!.slice(next[lane], next[lane]! + size);
            next[lane]! += batch.length;
            progress.complete(batch);
          }
          const done = new Set(records.filter((r) => r.done).map((r) => r.sequenceNumber));
          expect(progress.pending).toBe(records.length - done.size);
          // The checkpoint never passes a record that is not done.
          const after = progress.after;
          const firstUndone = records.find((r) => !r.done);
          if (after !== undefined) {
            const upTo = records.findIndex((r) => r.sequenceNumber === after);
            expect(records.slice(0, upTo + 1).every((r) => r.done)).toBe(true);
            if (firstUndone) expect(records.indexOf(firstUndone)).toBe(upTo + 1);
          } else if (firstUndone) {
            expect(records.indexOf(firstUndone)).toBe(0);
          }
          // Crash: restart from what would have been saved.
          const saved: SavedProgress = pf > 1 ? { lanes: progress.lanes(), pf } : {};
          if (after !== undefined) saved.after = after;
          const restarted = new ShardProgress(pf, saved);
          const start = after === undefined ? 0 : records.findIndex((r) => r.sequenceNumber === after) + 1;
          const again = records.slice(start).map((r) => ({ ...r, done: false }));
          const delivered = again.filter((r) => !restarted.read(r)).map((r) => r.sequenceNumber);
          expect(restarted.pending).toBe(delivered.length);
          const deliveredSet = new Set(delivered);
          for (const r of records) {
            if (!done.has(r.sequenceNumber)) expect(deliveredSet.has(r.sequenceNumber)).toBe(true);
          }
          // With PF > 1 the lane marks skip every completed record: only unfinished (in-flight) ones come again.
          if (pf > 1) expect(delivered.filter((s) => done.has(s))).toEqual([]);
          // A different PF ignores the lane marks: everything after the checkpoint comes again.
          if (pf > 1) {
            const otherPf = new ShardProgress(pf + 1, saved);
            const again2 = records.slice(start).map((r) => ({ ...r, done: false }));
            expect(again2.filter((r) => !otherPf.read(r))).toHaveLength(again2.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
