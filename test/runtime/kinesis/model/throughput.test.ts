import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../../runtime/log/memory-root.ts';
import { ShardThroughput, rateExceededMessage, throughputOf } from '../../../../runtime/kinesis/model/throughput.ts';

const MiB = 1024 * 1024;

describe('shard throughput', () => {
  it('admits 1,000 records per second, then throttles until the clock refills it', () => {
    const clock = new VirtualClock();
    const t = new ShardThroughput(clock.now());
    let admitted = 0;
    for (let i = 0; i < 1500; i++) if (t.admitWrite(10, clock.now())) admitted++;
    expect(admitted).toBe(1000);
    clock.advance(100);
    admitted = 0;
    for (let i = 0; i < 500; i++) if (t.admitWrite(10, clock.now())) admitted++;
    expect(admitted).toBe(100);
    clock.advance(5000); // a full bucket holds one second's worth, no more
    admitted = 0;
    for (let i = 0; i < 1500; i++) if (t.admitWrite(10, clock.now())) admitted++;
    expect(admitted).toBe(1000);
  });

  it('admits 1 MiB per second of data plus partition keys', () => {
    const clock = new VirtualClock();
    const t = new ShardThroughput(clock.now());
    expect(t.admitWrite(MiB - 100, clock.now())).toBe(true);
    expect(t.admitWrite(101, clock.now())).toBe(false);
    expect(t.admitWrite(100, clock.now())).toBe(true);
    expect(t.admitWrite(1, clock.now())).toBe(false);
    clock.advance(500);
    expect(t.admitWrite(MiB / 2, clock.now())).toBe(true);
    expect(t.admitWrite(1, clock.now())).toBe(false);
  });

  it('admits 5 GetRecords calls per second', () => {
    const clock = new VirtualClock();
    const t = new ShardThroughput(clock.now());
    for (let i = 0; i < 5; i++) expect(t.admitRead(clock.now())).toBe(true);
    expect(t.admitRead(clock.now())).toBe(false);
    clock.advance(999);
    expect(t.admitRead(clock.now())).toBe(false);
    clock.advance(1);
    expect(t.admitRead(clock.now())).toBe(true);
  });

  it('throttles reads for 5 s after a 10 MiB GetRecords', () => {
    const clock = new VirtualClock();
    const t = new ShardThroughput(clock.now());
    expect(t.admitRead(clock.now())).toBe(true);
    t.chargeRead(10 * MiB, clock.now());
    clock.advance(4999);
    expect(t.admitRead(clock.now())).toBe(false);
    clock.advance(1);
    expect(t.admitRead(clock.now())).toBe(true);
  });

  it('keeps one limiter per shard log', async () => {
    const root = new MemoryLogRoot();
    const a = await root.openShard('s', 'shardId-000000000000');
    const b = await root.openShard('s', 'shardId-000000000001');
    expect(throughputOf(a, 0)).toBe(throughputOf(a, 0));
    expect(throughputOf(a, 0)).not.toBe(throughputOf(b, 0));
  });

  it("words the exception as AWS does", () => {
    expect(rateExceededMessage('shardId-000000000001', 'foo', '000000000000')).toBe(
      'Rate exceeded for shard shardId-000000000001 in stream foo under account 000000000000.',
    );
  });
});
