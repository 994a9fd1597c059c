package io.rtsem.latency.report;

import io.rtsem.core.RtContext;
import io.rtsem.latency.run.CpuGapMeter;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.RunResult;
import io.rtsem.latency.run.SubjectResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The self-contained {@code report.html}: verdict, how the subjects were interleaved and how each waits, the
 * console summary, and two inline SVG percentile plots with HdrHistogram's logarithmic "nines" x-axis (0%, 90%,
 * 99%, 99.9% ...) and a logarithmic latency axis: the corrected wait (element id {@code percentile-plot}) per context,
 * rtsem's (solid) and the peer's (dashed), with the hiccup floor of the context's own CPU (dotted) where there is one;
 * and the hand-off (element id {@code handoff-plot}) per context with the cache-line floor (black). No scripts, fonts
 * or links to fetch. NON_RT; allocates.
 */
public final class HtmlReport {
    private static final int W = 960;
    private static final int H = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 220;
    private static final int TOP = 30;
    private static final int BOTTOM = 60;
    private static final Map<RtContext, String> COLORS =
            Map.of(RtContext.HARD, "#c0392b", RtContext.SOFT, "#2471a3", RtContext.NON_RT, "#1e8449");

    /** A named curve: (nines, microseconds) points; dashed for the peer, dotted for a floor. */
    record Series(String label, String color, boolean dashed, boolean dotted, List<double[]> points) {
        Series(String label, String color, boolean dashed, List<double[]> points) {
            this(label, color, dashed, false, points);
        }
    }

    private HtmlReport() {}

    /**
     * @param report the judged run
     * @return the whole HTML document
     * @throws NullPointerException if {@code report} is null
     */
    public static String render(RunReport report) {
        java.util.Objects.requireNonNull(report, "report");
        RunResult run = report.run();
        List<Series> series = new ArrayList<>();
        List<Series> handoffs = new ArrayList<>();
        handoffs.add(new Series("floor (cache-line hand-off)", "#000000", false, curve(run.floor())));
        for (RtContext c : run.scenario().waitingContexts()) {
            series.add(new Series(
                    "rtsem " + c.name() + " wait",
                    COLORS.get(c),
                    false,
                    curve(run.rtsem().recorders().total(c, Metric.WAIT))));
            series.add(new Series(
                    "peer " + c.name() + " wait",
                    COLORS.get(c),
                    true,
                    curve(run.peer().recorders().total(c, Metric.WAIT))));
            Histogram hiccupFloor = report.hiccupFloorHistogram(c);
            if (hiccupFloor != null) {
                // only where the floor is known: above the gap detector's threshold
                List<double[]> known = new ArrayList<>(curve(hiccupFloor));
                known.removeIf(p -> p[1] <= CpuGapMeter.THRESHOLD_NANOS / 1e3);
                series.add(new Series(c.name() + " hiccup floor (own CPU)", COLORS.get(c), false, true, known));
            }
            handoffs.add(new Series(
                    "rtsem " + c.name() + " hand-off",
                    COLORS.get(c),
                    false,
                    curve(run.rtsem().recorders().total(c, Metric.HANDOFF))));
            handoffs.add(new Series(
                    "peer " + c.name() + " hand-off",
                    COLORS.get(c),
                    true,
                    curve(run.peer().recorders().total(c, Metric.HANDOFF))));
        }
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>rtsem validate: ")
                .append(esc(run.scenario().name()))
                .append("</title>\n<style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}h1{font-size:22px}")
                .append(".pass{color:#1e8449}.fail{color:#c0392b}pre{background:#f6f6f6;padding:12px;font-size:12px;")
                .append("overflow-x:auto}svg{background:#fff;border:1px solid #ccc}")
                .append("</style></head><body>\n");
        sb.append("<h1>rtsem validate: ")
                .append(esc(run.scenario().name()))
                .append(" &mdash; <span class=\"")
                .append(report.pass() ? "pass\">PASS" : "fail\">FAIL")
                .append("</span></h1>\n");
        sb.append("<p>").append(esc(run.scenario().description())).append("</p>\n");
        if (!report.pass()) {
            sb.append("<ul class=\"fail\">");
            report.misses().forEach(m -> {
                sb.append("<li>").append(esc(m.describe()));
                String platform = report.platformLimit(m);
                if (platform != null) {
                    sb.append("<br>platform limit: ").append(esc(platform));
                }
                sb.append("</li>");
            });
            report.behind()
                    .forEach(b -> sb.append("<li>").append(esc(b.describe())).append("</li>"));
            sb.append("</ul>\n");
        }
        RunResult.Interleaving il = run.interleaving();
        sb.append(String.format(
                Locale.ROOT,
                "<h2>Subjects</h2>\n<p id=\"interleaving\">rtsem and the peer ran "
                        + "interleaved on the same threads and CPUs: %d slices of %.1f ms (%.1f to %.1f ms), "
                        + "%.0f ms of measurement each.</p>\n<ul id=\"wait-styles\">",
                il.slices(),
                il.sliceNanos() / 1e6,
                il.minSliceNanos() / 1e6,
                il.maxSliceNanos() / 1e6,
                il.perSubjectNanos() / 1e6));
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            sb.append("<li><b>")
                    .append(esc(s.subject()))
                    .append("</b>: ")
                    .append(esc(s.description()))
                    .append("<ul>");
            s.waitStyles()
                    .forEach((c, w) -> sb.append("<li>")
                            .append(c.name())
                            .append(" waits: ")
                            .append(esc(w))
                            .append("</li>"));
            sb.append("</ul></li>");
        }
        sb.append("</ul>\n");
        sb.append("<h2>Percentiles of the corrected wait</h2>\n");
        sb.append(svg("percentile-plot", "Corrected wait by percentile (log nines axis)", series));
        sb.append("\n<h2>Percentiles of the hand-off</h2>\n");
        sb.append(svg("handoff-plot", "Hand-off by percentile (log nines axis)", handoffs));
        sb.append("\n<h2>Summary</h2>\n<pre>")
                .append(esc(ConsoleTable.render(report)))
                .append("</pre>\n");
        sb.append("<h2>JVM</h2>\n<p>Java ")
                .append(esc(run.javaVersion()))
                .append(", ")
                .append(run.cpus())
                .append(" CPUs. Arguments:</p>\n<pre>")
                .append(esc(String.join(" ", run.jvmArguments())))
                .append("</pre>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** Points (x in nines, y in microseconds) of a nanosecond histogram, as HdrHistogram's plotter draws them. */
    static List<double[]> curve(Histogram h) {
        List<double[]> pts = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return pts;
        }
        double maxNines = maxNines(h.getTotalCount());
        for (HistogramIterationValue v : h.percentiles(5)) {
            double pct = v.getPercentileLevelIteratedTo();
            if (pct >= 100.0) {
                break;
            }
            double x = Math.log10(100.0 / (100.0 - pct));
            if (x > maxNines) {
                break;
            }
            pts.add(new double[] {x, Math.max(v.getValueIteratedTo(), 1) / 1e3});
        }
        pts.add(new double[] {maxNines, Math.max(h.getMaxValue(), 1) / 1e3});
        return pts;
    }

    private static double maxNines(long count) {
        return Math.max(1, Math.min(7, Math.ceil(Math.log10(Math.max(count, 10)))));
    }

    static String svg(String id, String title, List<Series> series) {
        double xMax = 1;
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xMax = Math.max(xMax, p[0]);
                yMin = Math.min(yMin, p[1]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        if (yMax == 0) {
            yMin = 0.01;
            yMax = 1;
        }
        double lo = Math.floor(Math.log10(yMin));
        double hi = Math.max(lo + 1, Math.ceil(Math.log10(yMax)));
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
                        + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n",
                id,
                W,
                H,
                W,
                H));
        sb.append("<title>").append(esc(title)).append("</title>\n");
        for (int n = 0; n <= (int) xMax; n++) {
            double x = LEFT + plotW * n / xMax;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    TOP,
                    x,
                    TOP + plotH,
                    x,
                    TOP + plotH + 18,
                    ninesLabel(n)));
        }
        for (int d = (int) lo; d <= (int) hi; d++) {
            double y = TOP + plotH - plotH * (d - lo) / (hi - lo);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT,
                    y,
                    LEFT + plotW,
                    y,
                    LEFT - 6,
                    y + 4,
                    usLabel(Math.pow(10, d))));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + plotW / 2,
                H - 15));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" " + "text-anchor=\"middle\">latency</text>%n",
                TOP + plotH / 2,
                TOP + plotH / 2));
        int legendY = TOP + 10;
        for (Series s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                double x = LEFT + plotW * p[0] / xMax;
                double y = TOP + plotH - plotH * (Math.log10(p[1]) - lo) / (hi - lo);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            String dash = s.dashed() ? " stroke-dasharray=\"6 4\"" : s.dotted() ? " stroke-dasharray=\"2 3\"" : "";
            sb.append(String.format(
                    Locale.ROOT,
                    "<polyline class=\"series\" data-label=\"%s\" fill=\"none\" "
                            + "stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>%n",
                    esc(s.label()),
                    s.color(),
                    dash,
                    pts.toString().trim()));
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                            + "stroke-width=\"2\"%s/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + plotW + 12,
                    legendY,
                    LEFT + plotW + 40,
                    legendY,
                    s.color(),
                    dash,
                    LEFT + plotW + 46,
                    legendY + 4,
                    esc(s.label())));
            legendY += 20;
        }
        sb.append("</svg>");
        return sb.toString();
    }

    private static String ninesLabel(int n) {
        if (n == 0) {
            return "0%";
        }
        if (n == 1) {
            return "90%";
        }
        return "99" + (n > 2 ? "." + "9".repeat(n - 2) : "") + "%";
    }

    private static String usLabel(double us) {
        if (us >= 1e6) {
            return String.format(Locale.ROOT, "%.0f s", us / 1e6);
        }
        if (us >= 1e3) {
            return String.format(Locale.ROOT, "%.0f ms", us / 1e3);
        }
        if (us >= 1) {
            return String.format(Locale.ROOT, "%.0f us", us);
        }
        return String.format(Locale.ROOT, "%s ns", Math.round(us * 1e3));
    }

    private static String esc(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&quot;");
    }
}
