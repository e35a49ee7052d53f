// Small readers for validated config values. The schema applied its defaults already; `num`/`text`/`flag`
// fall back to the same declared defaults only for values that failed validation (the config is then rejected
// anyway), so builders never see undefined.

import { defaultOf } from './schema.ts';
import { isPlainObject, type ObjectSchema } from './validate.ts';
import { UNRESOLVED } from './variables.ts';

export type Obj = Record<string, unknown>;

/** Replaces UNRESOLVED (values already reported) by undefined, so the builder sees "absent". */
export function strip(value: unknown): unknown {
  if (value === UNRESOLVED) return undefined;
  if (Array.isArray(value)) return value.map(strip);
  if (isPlainObject(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const s = strip(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return value;
}

export const asObj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const asNum = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const num = (v: unknown, schema: ObjectSchema, key: string): number => asNum(v) ?? (defaultOf(schema, key) as number);
export const text = (v: unknown, schema: ObjectSchema, key: string): string => asStr(v) ?? (defaultOf(schema, key) as string);
export const flag = (v: unknown, schema: ObjectSchema, key: string): boolean => (typeof v === 'boolean' ? v : (defaultOf(schema, key) as boolean));
