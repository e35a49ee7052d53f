// The cost report renderers, by output format.
export type { CostReport, FunctionStats, Sample, SimulationSummary, StreamStats, SweepPoint, BudgetCheck } from './model.ts';
export { renderHtml } from './html.ts';
export { renderJson } from './json.ts';
export { renderMarkdown } from './markdown.ts';
export { renderTerminal } from './terminal.ts';

export type ReportFormat = 'table' | 'json' | 'markdown' | 'html';
