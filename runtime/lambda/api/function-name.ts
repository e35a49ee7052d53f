// What a FunctionName parameter means: a name, a full or partial ARN, with an optional `:qualifier`.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax
import type { LambdaServiceError } from '../types.ts';
import { invalidParameterValue, validationError } from './errors.ts';

/** The model's pattern, as AWS prints it in ValidationException messages. */
export const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

const FUNCTION_NAME =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9\-_.]+)(?::(\$LATEST|[a-zA-Z0-9\-_]+))?$/;

const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9$_-]+)$/;

export interface ParsedFunctionName {
  /** The bare name (deployed name or, locally, the function key). */
  name: string;
  /** From `name:qualifier` or the Qualifier parameter. */
  qualifier: string | undefined;
  region: string | undefined;
  accountId: string | undefined;
}

/** Parses and validates FunctionName (+ Qualifier); returns the AWS error for bad input. */
export function parseFunctionName(raw: string, qualifierParam?: string): ParsedFunctionName | LambdaServiceError {
  if (raw.length === 0 || raw.length > 170) {
    return validationError(
      raw,
      'functionName',
      raw.length === 0 ? 'Member must have length greater than or equal to 1' : 'Member must have length less than or equal to 170',
    );
  }
  const m = FUNCTION_NAME.exec(raw);
  if (!m) return validationError(raw, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
  const name = m[3]!;
  if (name.length > 64) {
    return validationError(raw, 'functionName', 'Member must have length less than or equal to 64');
  }
  if (qualifierParam !== undefined) {
    if (qualifierParam.length === 0 || qualifierParam.length > 128 || !QUALIFIER.test(qualifierParam)) {
      return validationError(qualifierParam, 'qualifier', 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)');
    }
    if (m[4] !== undefined && m[4] !== qualifierParam) {
      return invalidParameterValue('The derived qualifier from the function name does not match the specified qualifier.');
    }
  }
  return { name, qualifier: m[4] ?? qualifierParam, region: m[1], accountId: m[2] };
}

export function isServiceError(value: ParsedFunctionName | LambdaServiceError): value is LambdaServiceError {
  return (value as LambdaServiceError).statusCode !== undefined;
}
