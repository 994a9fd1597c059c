package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Set;

/**
 * The live progress line of a run, rewritten in place ({@code \r}): what the harness is doing, or during a phase the
 * time elapsed and left and each context's largest wait so far per subject. Harness thread only (NON_RT); allocates
 * and writes to the stream.
 */
final class ProgressLine {
    private final PrintWriter out;
    private final String scenario;
    private final long runStartNanoTime;
    private final long plannedNanos;

    /**
     * @param out              where the line goes, or null for none ({@code --quiet})
     * @param scenario         the scenario's name
     * @param runStartNanoTime when the run started
     * @param plannedNanos     how long the run is planned to last ({@code Scenario.plannedNanos()})
     */
    ProgressLine(PrintWriter out, String scenario, long runStartNanoTime, long plannedNanos) {
        this.out = out;
        this.scenario = scenario;
        this.runStartNanoTime = runStartNanoTime;
        this.plannedNanos = plannedNanos;
    }

    /** The phase, time elapsed and left, and each context's largest wait so far per subject. */
    void phase(String label, long now, long measureStart, PhaseRecorders[] measured, Set<RtContext> contexts) {
        if (out == null) {
            return;
        }
        double elapsed = (now - runStartNanoTime) / 1e9;
        double remaining = Math.max(0, (runStartNanoTime + plannedNanos - now)) / 1e9;
        StringBuilder sb = new StringBuilder(120);
        sb.append(String.format(
                Locale.ROOT,
                "\r[%s] %-10s %-7s elapsed %5.1fs remaining %5.1fs |",
                scenario,
                label,
                now < measureStart ? "warm-up" : "measure",
                elapsed,
                remaining));
        for (RtContext c : contexts) {
            sb.append(' ').append(c.name()).append(" max");
            for (int i = 0; i < measured.length; i++) {
                sb.append(i == 0 ? " " : " / ").append(formatMicros(measured[i].maxSoFar(c, Metric.WAIT)));
            }
            sb.append(" |");
        }
        out.print(sb);
        out.flush();
    }

    /** What the harness is doing now. */
    void status(String line) {
        if (out != null) {
            out.print(String.format(Locale.ROOT, "\r[%s] %s", scenario, line));
            out.flush();
        }
    }

    /** Blanks the line, at the end of the run. */
    void clear() {
        if (out != null) {
            out.print("\r" + " ".repeat(100) + "\r");
            out.flush();
        }
    }

    private static String formatMicros(long nanos) {
        return String.format(Locale.ROOT, "%.1fus", nanos / 1000.0);
    }
}
