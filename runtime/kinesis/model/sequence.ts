// Shard ids and 56-digit sequence numbers that encode the shard and the record's index in it.
//
// Layout (47 hex digits, after kinesalite's reverse-engineered "v2" format, which is 56 decimal digits):
//   2 | shard creation secs (9) | ordinal's last hex digit (1) | position (16) | 00 | write secs (9) | ordinal (8) | 2
// position is the record's log index + 1; 0 is the shard's StartingSequenceNumber (below every record).
// The position sits above the write time, so numbers rise strictly with the index within a shard.

/** The parts of a shard its sequence numbers encode. */
export interface SequencedShard {
  ordinal: number;
  createdAtMs: number;
}

export interface ParsedSequenceNumber {
  shardOrdinal: number;
  shardCreatedSecs: number;
  /** 0 = before the shard's first record; n = the record at log index n - 1. */
  position: bigint;
  writeSecs: number;
}

const SHIFT_WRITE = 36n;
const SHIFT_POSITION = 80n;
const SHIFT_ORDINAL_DIGIT = 144n;
const SHIFT_CREATED = 148n;
const LEADING = 2n << 184n;
const MAX_POSITION = (1n << 63n) - 1n;
/** The difference between the numbers of consecutive records written in the same second. */
export const SEQUENCE_STEP = 1n << SHIFT_POSITION;
const MAX_SECS = 16 ** 9 - 1;
const MAX_ORDINAL = 2 ** 31 - 1;

/** The part of every sequence number of a shard that does not change from record to record. */
export function sequenceBase(shard: SequencedShard): bigint {
  const ordinal = BigInt(shard.ordinal);
  return (
    LEADING |
    (BigInt(Math.floor(shard.createdAtMs / 1000)) << SHIFT_CREATED) |
    ((ordinal & 0xfn) << SHIFT_ORDINAL_DIGIT) |
    (ordinal << 4n) |
    2n
  );
}

/** The sequence number of the record at a log index, written at writeMs. */
export function sequenceNumberAt(base: bigint, index: bigint, writeMs: number): string {
  return sequenceValueAt(base, index, writeMs).toString();
}

/** sequenceNumberAt as a BigInt. */
export function sequenceValueAt(base: bigint, index: bigint, writeMs: number): bigint {
  return base | ((index + 1n) << SHIFT_POSITION) | (BigInt(Math.floor(writeMs / 1000)) << SHIFT_WRITE);
}

/** Sequence numbers of count consecutive records from firstIndex, all written at writeMs (the put path). */
export function sequenceNumbersFrom(base: bigint, firstIndex: bigint, count: number, writeMs: number): string[] {
  const out = new Array<string>(count);
  const counter = new SequenceCounter();
  counter.set(sequenceValueAt(base, firstIndex, writeMs));
  for (let i = 0; i < count; i++) {
    out[i] = counter.toString();
    counter.step();
  }
  return out;
}

const LIMB = 10_000_000;
const LIMB_DIGITS = 7;
/** 63 digits: room above the 56 of every sequence number. */
const LIMBS = 9;
/** The most digits SequenceCounter.writeTo writes. */
export const SEQUENCE_DIGITS_MAX = LIMBS * LIMB_DIGITS;
const LIMB_BIG = BigInt(LIMB);
const COUNTER_LIMIT = 10n ** BigInt(SEQUENCE_DIGITS_MAX);
const STEP_LIMBS = new Int32Array(LIMBS);
for (let i = 0, v = SEQUENCE_STEP; i < LIMBS; i++, v /= LIMB_BIG) STEP_LIMBS[i] = Number(v % LIMB_BIG);
const scratch = Buffer.alloc(SEQUENCE_DIGITS_MAX);
/** '00' to '99' as ASCII byte pairs. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/**
 * A sequence number in decimal, for numbering runs of records: consecutive records of a shard written in the
 * same second differ by SEQUENCE_STEP, and adding it to decimal limbs costs a fraction of a BigInt toString
 * (the put and get paths number thousands of records a call).
 */
export class SequenceCounter {
  /** Seven decimal digits each, least significant first. */
  readonly #limbs = new Int32Array(LIMBS);

  set(value: bigint): void {
    if (value < 0n || value >= COUNTER_LIMIT) throw new RangeError(`${value} is not a sequence number`);
    let v = value;
    for (let i = 0; i < LIMBS; i++, v /= LIMB_BIG) this.#limbs[i] = Number(v % LIMB_BIG);
  }

  /** Adds SEQUENCE_STEP. */
  step(): void {
    const limbs = this.#limbs;
    let carry = 0;
    for (let i = 0; i < LIMBS; i++) {
      const sum = limbs[i]! + STEP_LIMBS[i]! + carry;
      carry = sum >= LIMB ? 1 : 0;
      limbs[i] = sum - carry * LIMB;
    }
  }

  /** Writes the number's ASCII digits at buf[at..] (at most SEQUENCE_DIGITS_MAX) and returns where they end. */
  writeTo(buf: Uint8Array, at: number): number {
    const limbs = this.#limbs;
    let top = LIMBS - 1;
    while (top > 0 && limbs[top] === 0) top--;
    // The most significant limb without leading zeros, then every other one as seven digits.
    const head = String(limbs[top]!);
    for (let k = 0; k < head.length; k++) buf[at + k] = head.charCodeAt(k);
    let p = at + head.length;
    for (let i = top - 1; i >= 0; i--, p += LIMB_DIGITS) {
      // Two digits per table lookup: 7 = 1 + 2 + 2 + 2.
      let v = limbs[i]!;
      const d56 = v % 100;
      v = (v / 100) | 0;
      const d34 = v % 100;
      v = (v / 100) | 0;
      const d12 = v % 100;
      buf[p] = 48 + ((v / 100) | 0);
      buf[p + 1] = DIGIT_PAIRS[2 * d12]!;
      buf[p + 2] = DIGIT_PAIRS[2 * d12 + 1]!;
      buf[p + 3] = DIGIT_PAIRS[2 * d34]!;
      buf[p + 4] = DIGIT_PAIRS[2 * d34 + 1]!;
      buf[p + 5] = DIGIT_PAIRS[2 * d56]!;
      buf[p + 6] = DIGIT_PAIRS[2 * d56 + 1]!;
    }
    return p;
  }

  toString(): string {
    return scratch.toString('latin1', 0, this.writeTo(scratch, 0));
  }
}

/** The shard's SequenceNumberRange.StartingSequenceNumber: below the number of its first record. */
export function startingSequenceNumber(shard: SequencedShard): string {
  return (sequenceBase(shard) | (BigInt(Math.floor(shard.createdAtMs / 1000)) << SHIFT_WRITE)).toString();
}

/**
 * A closed shard's EndingSequenceNumber: the position of its last record (closedAtIndex records were
 * written) at the closing time, so it is >= every record's number and AT_SEQUENCE_NUMBER of it reads the last one.
 */
export function endingSequenceNumber(shard: SequencedShard, closedAtIndex: bigint, closedAtMs: number): string {
  return (
    sequenceBase(shard) |
    (closedAtIndex << SHIFT_POSITION) |
    (BigInt(Math.floor(closedAtMs / 1000)) << SHIFT_WRITE)
  ).toString();
}

/** Decodes a sequence number eddy issued; undefined for anything else. */
export function parseSequenceNumber(value: string): ParsedSequenceNumber | undefined {
  if (!/^[1-9]\d{55}$/.test(value)) return undefined;
  const n = BigInt(value);
  if (n >> 184n !== 2n || (n & 0xfn) !== 2n) return undefined;
  if (((n >> 72n) & 0xffn) !== 0n) return undefined;
  const ordinal = (n >> 4n) & 0xffffffffn;
  const position = (n >> SHIFT_POSITION) & 0xffffffffffffffffn;
  if (((n >> SHIFT_ORDINAL_DIGIT) & 0xfn) !== (ordinal & 0xfn) || ordinal > BigInt(MAX_ORDINAL)) return undefined;
  if (position > MAX_POSITION) return undefined;
  return {
    shardOrdinal: Number(ordinal),
    shardCreatedSecs: Number((n >> SHIFT_CREATED) & 0xfffffffffn),
    position,
    writeSecs: Number((n >> SHIFT_WRITE) & 0xfffffffffn),
  };
}

/** The log index an AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER iterator starts at. */
export function indexForSequence(parsed: ParsedSequenceNumber, type: 'AT' | 'AFTER'): bigint {
  if (type === 'AFTER') return parsed.position;
  return parsed.position === 0n ? 0n : parsed.position - 1n;
}

/** Whether a parsed number was issued by this shard (same ordinal and creation second). */
export function isFromShard(parsed: ParsedSequenceNumber, shard: SequencedShard): boolean {
  return parsed.shardOrdinal === shard.ordinal && parsed.shardCreatedSecs === Math.floor(shard.createdAtMs / 1000);
}

/** `shardId-000000000007` for ordinal 7. */
export function shardIdOf(ordinal: number): string {
  return `shardId-${String(ordinal).padStart(12, '0')}`;
}

/**
 * Resolves the short forms AWS accepts (`shardId-7`, `shardId-000000000007`, `7`) to the ordinal, as
 * kinesalite's AWS-recorded tests show; undefined when it names no possible shard.
 */
export function parseShardId(value: string): number | undefined {
  const dash = value.indexOf('-');
  const digits = dash === -1 ? value : value.slice(dash + 1).split('-')[0]!;
  if (!/^\d+$/.test(digits)) return undefined;
  const n = Number(digits);
  return n <= MAX_ORDINAL ? n : undefined;
}

/** Guards the fixed-width fields; a clock past year 4000 or a 2^31st shard would not fit. */
export function assertEncodable(shard: SequencedShard): void {
  if (shard.createdAtMs / 1000 > MAX_SECS || shard.ordinal > MAX_ORDINAL || shard.ordinal < 0) {
    throw new RangeError(`shard ${shard.ordinal} created at ${shard.createdAtMs} cannot be encoded`);
  }
}
