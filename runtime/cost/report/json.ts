// The JSON rendering: the report model as is (stable field names, amounts unrounded).
import type { CostReport } from './model.ts';

export function renderJson(report: CostReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
