/**
 * Judging and writing what a run measured: {@link io.rtsem.latency.report.RunReport} (verdicts, ratios, attribution,
 * the report.json document), the console table, the HTML report and the output files. Reads {@code run}'s results and
 * {@code config}'s scenario; nothing below it depends on it.
 */
package io.rtsem.latency.report;
