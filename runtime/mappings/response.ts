// What a function's answer means to a Kinesis mapping: success, failure of the whole batch, or (with
// ReportBatchItemFailures) success up to the lowest failed sequence number. Reference §4.3, §4.4, §4.6.

export type BatchOutcome =
  | { kind: 'success'; state: unknown }
  /**
   * The whole batch failed: a function error, a response the mapping cannot accept, or (set by the lane, not
   * read from a response) a payload over the 6 MB limit.
   */
  | { kind: 'failure'; reason: 'functionError' | 'invalidResponse' | 'payloadTooLarge' }
  /** Records before index `failedAt` succeeded; the batch is retried from it. */
  | { kind: 'partial'; failedAt: number; state: unknown };

export interface ResponseRules {
  reportBatchItemFailures: boolean;
  /** Tumbling windows: the response must carry `state`. */
  tumbling: boolean;
}

const decoder = new TextDecoder();

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads an invocation's result.
 * - functionError set: failure.
 * - tumbling window: the response must be an object with a `state` key, else failure.
 * - ReportBatchItemFailures: null/absent/empty `batchItemFailures`, an empty object or a null response are
 *   success; an entry without a non-empty string `itemIdentifier` (empty string, null, misspelled key) fails
 *   the whole batch, and so does an identifier that names no record of the batch (LocalStack's rule);
 *   otherwise the lowest failed sequence number is where the retry starts.
 * A response that is not an object (a string, a number) reports no failures: success.
 */
export function interpretResponse(
  payload: Uint8Array,
  functionError: string | undefined,
  sequenceNumbers: readonly string[],
  rules: ResponseRules,
): BatchOutcome {
  if (functionError !== undefined) return { kind: 'failure', reason: 'functionError' };
  let response: unknown = null;
  if (payload.byteLength > 0) {
    try {
      response = JSON.parse(decoder.decode(payload));
    } catch {
      response = undefined;
    }
  }
  let state: unknown = undefined;
  if (rules.tumbling) {
    if (!isObject(response) || !Object.hasOwn(response, 'state')) return { kind: 'failure', reason: 'invalidResponse' };
    state = response['state'];
  }
  if (!rules.reportBatchItemFailures || !isObject(response)) return { kind: 'success', state };
  const failures = response['batchItemFailures'];
  if (failures === undefined || failures === null) return { kind: 'success', state };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'invalidResponse' };
  if (failures.length === 0) return { kind: 'success', state };
  let lowest = -1;
  let lowestSeq = 0n;
  for (const entry of failures) {
    if (!isObject(entry)) return { kind: 'failure', reason: 'invalidResponse' };
    const id = entry['itemIdentifier'];
    if (typeof id !== 'string' || id === '') return { kind: 'failure', reason: 'invalidResponse' };
    const index = sequenceNumbers.indexOf(id);
    if (index === -1) return { kind: 'failure', reason: 'invalidResponse' };
    const seq = BigInt(id);
    if (lowest === -1 || seq < lowestSeq) {
      lowest = index;
      lowestSeq = seq;
    }
  }
  return { kind: 'partial', failedAt: lowest, state };
}
