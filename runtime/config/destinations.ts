// Where a destination points: an ARN, a function of this service (key or deployed name), or `{arn, type}` with
// an intrinsic resolved against resources.

import { evaluate, functionArn, IntrinsicError, type IntrinsicContext } from './intrinsics.ts';
import { isIntrinsic, isPlainObject, type Path, type Report } from './validate.ts';

export interface DestinationInput {
  readonly ctx: IntrinsicContext;
  /** Function key -> deployed name. */
  readonly names: ReadonlyMap<string, string>;
  readonly report: Report;
}

/** Resolves a destination given as an ARN, a function of this service (key or deployed name), or `{arn, type}`. */
export function destinationArn(input: DestinationInput, value: unknown, at: Path): string | undefined {
  const { ctx, names, report } = input;
  let arn: unknown = isPlainObject(value) && !isIntrinsic(value) ? value['arn'] : value;
  const p = isPlainObject(value) && !isIntrinsic(value) ? [...at, 'arn'] : at;
  if (isIntrinsic(arn)) {
    try {
      arn = evaluate(ctx, arn);
    } catch (err) {
      if (!(err instanceof IntrinsicError)) throw err;
      report.error(p, err.message);
      return undefined;
    }
  }
  if (typeof arn !== 'string') return undefined;
  if (arn.startsWith('arn:')) return arn;
  const byKey = names.get(arn);
  if (byKey !== undefined) return functionArn(ctx, byKey);
  if ([...names.values()].includes(arn)) return functionArn(ctx, arn);
  report.error(p, `${JSON.stringify(arn)} is neither an ARN nor a function of this service`);
  return undefined;
}
