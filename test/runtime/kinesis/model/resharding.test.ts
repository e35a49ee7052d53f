import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coversHashSpace, createTimeLayout } from '../../../../runtime/kinesis/model/hash.ts';
import {
  applyPlan,
  childShards,
  isExpired,
  planMerge,
  planSplit,
  planUniformScaling,
  type ReshardContext,
  type ReshardResult,
} from '../../../../runtime/kinesis/model/resharding.ts';
import { shardIdOf } from '../../../../runtime/kinesis/model/sequence.ts';
import type { ShardMeta } from '../../../../runtime/kinesis/model/types.ts';

const T0 = Date.UTC(2026, 0, 1);

function newStream(n: number): { shards: ShardMeta[]; next: number } {
  const shards = createTimeLayout(n).map((r, i) => ({ shardId: shardIdOf(i), ordinal: i, ...r, createdAtMs: T0 }));
  return { shards, next: n };
}

const ctx = (s: { shards: ShardMeta[]; next: number }): ReshardContext => ({
  streamName: 'st',
  accountId: '000000000000',
  shards: s.shards,
  nextShardOrdinal: s.next,
});

function apply(s: { shards: ShardMeta[]; next: number }, r: ReshardResult, at = T0 + 1000): { shards: ShardMeta[]; next: number } {
  if (!r.ok) throw new Error(r.error.message);
  return { shards: applyPlan(s.shards, r.plan, at, () => 3n), next: r.plan.nextShardOrdinal };
}

const open = (shards: ShardMeta[]): ShardMeta[] => shards.filter((s) => s.closedAtMs === undefined);

/** Every created shard descends from shards that existed, by one split (2 children) or one merge. */
function assertLineage(shards: ShardMeta[]): void {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  for (const s of shards) {
    if (!s.parentShardId) continue;
    const parent = byId.get(s.parentShardId)!;
    expect(parent.closedAtMs).toBeDefined();
    if (s.adjacentParentShardId) {
      const adj = byId.get(s.adjacentParentShardId)!;
      expect(adj.closedAtMs).toBeDefined();
      const [lo, hi] = BigInt(parent.startingHashKey) < BigInt(adj.startingHashKey) ? [parent, adj] : [adj, parent];
      expect(BigInt(lo.endingHashKey) + 1n).toBe(BigInt(hi.startingHashKey));
      expect(s.startingHashKey).toBe(lo.startingHashKey);
      expect(s.endingHashKey).toBe(hi.endingHashKey);
    } else {
      const kids = childShards(shards, parent.shardId);
      expect(kids).toHaveLength(2);
      expect(coversRange(kids, parent)).toBe(true);
    }
  }
}

function coversRange(kids: ShardMeta[], parent: ShardMeta): boolean {
  const sorted = [...kids].sort((a, b) => (BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? -1 : 1));
  let next = BigInt(parent.startingHashKey);
  for (const k of sorted) {
    if (BigInt(k.startingHashKey) !== next) return false;
    next = BigInt(k.endingHashKey) + 1n;
  }
  return next === BigInt(parent.endingHashKey) + 1n;
}

describe('resharding', () => {
  it('after any sequence of splits and merges the open shards cover the hash space exactly once', () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('split' as const), pick: fc.nat(), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ op: fc.constant('merge' as const), pick: fc.nat(), frac: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(step, { maxLength: 30 }), (n, steps) => {
        let s = newStream(n);
        for (const { op, pick, frac } of steps) {
          const live = open(s.shards).sort((a, b) => (BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? -1 : 1));
          if (op === 'split') {
            const shard = live[pick % live.length]!;
            const start = BigInt(shard.startingHashKey);
            const width = BigInt(shard.endingHashKey) - start;
            if (width < 3n) continue;
            const key = start + 2n + ((width - 3n) * BigInt(Math.floor(frac * 1e6))) / 1_000_000n;
            s = apply(s, planSplit(ctx(s), shard.shardId, key.toString()));
          } else {
            if (live.length < 2) continue;
            const i = pick % (live.length - 1);
            s = apply(s, planMerge(ctx(s), live[i + 1]!.shardId, live[i]!.shardId));
          }
          expect(coversHashSpace(open(s.shards))).toBe(true);
        }
        assertLineage(s.shards);
        expect(new Set(s.shards.map((x) => x.ordinal)).size).toBe(s.shards.length);
      }),
      { numRuns: 150 },
    );
  });

  it('splits into [start, key-1] and [key, end] with the next ordinals', () => {
    const s = newStream(2);
    const r = planSplit(ctx(s), 'shardId-1', '200000000000000000000000000000000000000');
    const after = apply(s, r, T0 + 5000);
    expect(after.shards.slice(1)).toEqual([
      { ...s.shards[1], closedAtMs: T0 + 5000, closedAtIndex: '3' },
      { shardId: 'shardId-000000000002', ordinal: 2, startingHashKey: '170141183460469231731687303715884105728', endingHashKey: '199999999999999999999999999999999999999', parentShardId: 'shardId-000000000001', createdAtMs: T0 + 5000 },
      { shardId: 'shardId-000000000003', ordinal: 3, startingHashKey: '200000000000000000000000000000000000000', endingHashKey: '340282366920938463463374607431768211455', parentShardId: 'shardId-000000000001', createdAtMs: T0 + 5000 },
    ]);
    expect(after.next).toBe(4);
  });

  it("refuses a split key outside (start + 1, end) with AWS's message", () => {
    const s = newStream(1);
    for (const key of ['1', '0', '340282366920938463463374607431768211455']) {
      expect(planSplit(ctx(s), 'shardId-000000000000', key)).toEqual({
        ok: false,
        error: {
          type: 'InvalidArgumentException',
          message:
            `NewStartingHashKey ${key} used in SplitShard() on shard shardId-000000000000 in stream st under account 000000000000 ` +
            "is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey " +
            '340282366920938463463374607431768211455.',
        },
      });
    }
    expect(planSplit(ctx(s), 'shardId-000000000000', '2').ok).toBe(true);
  });

  it('refuses unknown and closed shards', () => {
    let s = newStream(2);
    expect(planSplit(ctx(s), 'shardId-7', '5')).toEqual({
      ok: false,
      error: { type: 'ResourceNotFoundException', message: 'Could not find shard shardId-000000000007 in stream st under account 000000000000.' },
    });
    s = apply(s, planMerge(ctx(s), 'shardId-0', 'shardId-1'));
    expect(planSplit(ctx(s), 'shardId-0', '5')).toEqual({
      ok: false,
      error: {
        type: 'InvalidArgumentException',
        message: 'Shard shardId-000000000000 in stream st under account 000000000000 has already been merged or split, and thus is not eligible for splitting.',
      },
    });
  });

  it('merges only adjacent pairs, in either order', () => {
    const s = newStream(3);
    expect(planMerge(ctx(s), 'shardId-000000000000', 'shardId-000000000002')).toEqual({
      ok: false,
      error: {
        type: 'InvalidArgumentException',
        message: 'Shards shardId-000000000000 and shardId-000000000002 in stream st under account 000000000000 are not an adjacent pair of shards eligible for merging',
      },
    });
    const after = apply(s, planMerge(ctx(s), 'shardId-000000000002', 'shardId-000000000001'));
    expect(after.shards.at(-1)).toEqual({
      shardId: 'shardId-000000000003',
      ordinal: 3,
      startingHashKey: '113427455640312821154458202477256070485',
      endingHashKey: '340282366920938463463374607431768211455',
      parentShardId: 'shardId-000000000002',
      adjacentParentShardId: 'shardId-000000000001',
      createdAtMs: T0 + 1000,
    });
  });

  it('UpdateShardCount ends with the equal-size layout of the target, through valid splits and merges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }), (n, fracs) => {
        let s = newStream(n);
        for (const f of fracs) {
          const current = open(s.shards).length;
          const lo = Math.ceil(current / 2);
          const target = lo + Math.floor(f * (current * 2 - lo));
          s = apply(s, planUniformScaling(ctx(s), target, [], T0));
          const live = open(s.shards).sort((a, b) => (BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? -1 : 1));
          expect(live.map((x) => ({ startingHashKey: x.startingHashKey, endingHashKey: x.endingHashKey }))).toEqual(createTimeLayout(target));
          assertLineage(s.shards);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('UpdateShardCount doubles by splitting each shard once and halves by merging pairs', () => {
    let s = newStream(2);
    const up = planUniformScaling(ctx(s), 4, [], T0);
    expect(up.ok && up.plan.create.map((c) => [c.ordinal, c.parentShardId, c.intermediate])).toEqual([
      [2, 'shardId-000000000000', false],
      [3, 'shardId-000000000000', false],
      [4, 'shardId-000000000001', false],
      [5, 'shardId-000000000001', false],
    ]);
    s = apply(s, up);
    const down = planUniformScaling(ctx(s), 2, [], T0);
    expect(down.ok && down.plan.create.map((c) => [c.ordinal, c.parentShardId, c.adjacentParentShardId])).toEqual([
      [6, 'shardId-000000000002', 'shardId-000000000003'],
      [7, 'shardId-000000000004', 'shardId-000000000005'],
    ]);
  });

  it('UpdateShardCount marks short-lived shards closed and empty', () => {
    const s = apply(newStream(3), planUniformScaling(ctx(newStream(3)), 4, [], T0), T0 + 7000);
    const intermediate = s.shards.filter((x) => x.closedAtMs !== undefined && x.ordinal >= 3);
    expect(intermediate.length).toBeGreaterThan(0);
    for (const x of intermediate) expect(x).toMatchObject({ closedAtMs: T0 + 7000, closedAtIndex: '0' });
  });

  it("UpdateShardCount refuses more than 2x, less than 1/2 and an 11th scaling in 24 h", () => {
    const s = newStream(4);
    expect(planUniformScaling(ctx(s), 9, [], T0)).toEqual({
      ok: false,
      error: {
        type: 'LimitExceededException',
        message: 'UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 4 Target shard count: 9',
      },
    });
    expect(planUniformScaling(ctx(s), 1, [], T0)).toEqual({
      ok: false,
      error: {
        type: 'LimitExceededException',
        message: 'UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 4 Target shard count: 1',
      },
    });
    const day = 24 * 3600_000;
    const ten = Array.from({ length: 10 }, (_, i) => T0 - day + 1 + i);
    expect(planUniformScaling(ctx(s), 8, ten, T0)).toMatchObject({ ok: false, error: { type: 'LimitExceededException' } });
    expect(planUniformScaling(ctx(s), 8, ten, T0 + 1).ok).toBe(true); // the oldest fell out of the window
  });

  it('a closed shard expires once retention has passed since it closed', () => {
    const shard: ShardMeta = { shardId: 'shardId-000000000000', ordinal: 0, startingHashKey: '0', endingHashKey: '1', createdAtMs: T0, closedAtMs: T0 + 10 };
    expect(isExpired(shard, 24, T0 + 10 + 24 * 3600_000 - 1)).toBe(false);
    expect(isExpired(shard, 24, T0 + 10 + 24 * 3600_000)).toBe(true);
    expect(isExpired({ ...shard, closedAtMs: undefined } as unknown as ShardMeta, 24, Infinity)).toBe(false);
  });
});
