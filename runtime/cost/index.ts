// Cost metering, the monthly bill projection and its reports: the public names of runtime/cost.
export { loadPrices, pricesFor, putPayloadUnits, onDemandBilledBytes, builtInPricesFile, type PriceTable, type RegionPrices, type ResolvedPrices } from './prices.ts';
export { CostMeter, saveSnapshot, loadSnapshot, readSnapshotFile, writeSnapshotFile, parseSnapshot, type CostSnapshot, type CostMeterOptions, type StreamShape } from './meter.ts';
export { projectMonthlyBill, toCents, type BillOptions, type LineItem, type MonthlyBill } from './bill.ts';
export { renderHtml, renderJson, renderMarkdown, renderTerminal, type CostReport, type ReportFormat } from './report/index.ts';
export { costReport, render, simulate, type SimulateOptions, type SimulateResult, type StartedTarget } from './commands.ts';
export { attachMeter, type AttachedMeter, type MeterSources } from './attach.ts';
export { ApiStreamShapes, type KinesisCall } from './shapes.ts';
