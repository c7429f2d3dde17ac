/**
 * Figures and tables for the report: vega-lite plot builders rendered headless to SVG/PNG (and
 * plotly HTML), tables as DataFrames exported to CSV/Markdown/HTML, a manifest of every exported
 * file, the results table from run logs, and notebook display helpers.
 */
export { CLASS_COLOURS, extent, fmt, histogram, PALETTE, thin, titleOf, VEGA_LITE_SCHEMA } from "./spec";
export type { FigureSpec, PlotlyFigure } from "./spec";
export { renderPNG, renderSVG, svgToPNG, toVega } from "./render";
export { ensurePlotly, PLOTLY_ASSET, plotlyHTML, writePlotlyHTML } from "./html";
export { checkExportName, manifestDirs, manifestMarkdown, MANIFEST_FILE, readManifest, recordExports, writeReportIndex } from "./manifest";
export type { ManifestEntry } from "./manifest";
export { exportFigure } from "./export";
export type { ExportedFigure } from "./export";
export { rocSpec } from "./roc";
export type { ScoredSample } from "./roc";
export { sicBandSpec, sicSpec } from "./sic";
export { rejectionSpec } from "./rejection";
export { bandFigure, rgba } from "./band";
export type { BandCurve, BandFigureOptions } from "./band";
export { scoreDistributionsSpec } from "./score-distributions";
export { scoreHistogramSpec } from "./histogram";
export { confusionSpec } from "./confusion";
export { lossCurveSpec } from "./loss";
export { overlaySpec } from "./overlay";
export type { NamedSample } from "./overlay";
export { eventDisplaySpec } from "./event-display";
export type { DisplayJet, EventDisplayInput } from "./event-display";
export { asTable, exportTable, formatCell, tableCSV, tableHTML, tableMarkdown, toDataFrame } from "./table";
export type { Cell, DataFrameLike, ExportedTable, Row, Table } from "./table";
export { evaluations, RESULTS_COLUMNS, RESULTS_METRICS, resultsTable, resultsTableOf, writeResultsTable } from "./results";
export { Footnotes, formatInterval, formatNumber, intervalCaption, intervalLevelOf, METRIC_LABELS, metricCell, percent } from "./cells";
export { metricsSummary } from "./summary";
export { COMPARISON_METRICS, metricsTable, pairedDifferenceTable, seedsTable } from "./comparisons";
export { notebookDisplay, show, showTable } from "./show";
export { importESM } from "./esm";
export { writeInterimReport } from "./interim";
export type { InterimReport } from "./interim";
export { sideBySideSpec } from "./panels";
export { followLossCurve, liveFigure } from "./live";
export type { LiveFigure } from "./live";
