// The texts of the Lambda API's errors that are computed (JSON parse failures).
import { describe, expect, it } from 'vitest';
import { describeJsonError } from '../../../../runtime/lambda/api/errors.ts';

const SUFFIX = "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

describe('describeJsonError', () => {
  it('names the offending character or token as AWS (Jackson) does', () => {
    expect(describeJsonError('{"a":x}')).toBe(
      "Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
    expect(describeJsonError('hello world')).toBe(
      "Unrecognized token 'hello': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
    expect(describeJsonError('{"a":1,}')).toBe(`Unexpected character ('}' (code 125)): ${SUFFIX}`);
    expect(describeJsonError('[1 2]')).toBe(`Unexpected character ('2' (code 50)): ${SUFFIX}`);
    expect(describeJsonError('{"a":')).toBe('Unexpected end-of-input');
    expect(describeJsonError('"abc')).toBe('Unexpected end-of-input');
    expect(describeJsonError('{} {}')).toBe(`Unexpected character ('{' (code 123)): ${SUFFIX}`);
    expect(describeJsonError('"a\u0001"')).toBe(
      'Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped using backslash to be included in string value',
    );
    expect(describeJsonError('tru')).toBe('Unexpected end-of-input');
  });
});
