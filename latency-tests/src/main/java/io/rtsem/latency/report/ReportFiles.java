package io.rtsem.latency.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rtsem.core.RtContext;
import io.rtsem.latency.run.CpuGapMeter;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.RunResult;
import io.rtsem.latency.run.SubjectResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Writes a judged run to its output directory: {@code report.json}, {@code report.html},
 * {@code summary.txt}, and HdrHistogram percentile distributions ({@code .hgrm}, microseconds):
 * {@code <subject>-<CONTEXT>-<metric>.hgrm}, {@code floor.hgrm}, {@code hiccups-<phase>.hgrm},
 * {@code hiccups-cpu<N>.hgrm} (for a CPU whose gap detector did not run, one comment line saying why).
 * (The {@code .hlog} interval logs and {@code run.jfr} are written during the run.)
 * NON_RT; allocates, writes files.
 */
public final class ReportFiles {
    private ReportFiles() {}

    /**
     * @param report the judged run
     * @return the summary text (also in summary.txt)
     * @throws IOException if a file cannot be written
     * @throws NullPointerException if {@code report} is null
     */
    public static String write(RunReport report) throws IOException {
        java.util.Objects.requireNonNull(report, "report");
        RunResult run = report.run();
        Path dir = run.outDir();
        Files.createDirectories(dir);
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            for (RtContext c : run.scenario().waitingContexts()) {
                for (Metric m : Metric.values()) {
                    hgrm(
                            dir.resolve(s.subject() + "-" + c.name() + "-" + m.label() + ".hgrm"),
                            s.recorders().total(c, m));
                }
            }
            hgrm(dir.resolve("hiccups-" + s.subject() + ".hgrm"), s.hiccups());
        }
        hgrm(dir.resolve("floor.hgrm"), run.floor());
        hgrm(dir.resolve("hiccups-floor.hgrm"), run.floorHiccups());
        for (CpuGapMeter.CpuGaps g : run.cpuHiccups()) {
            if (g.measured()) {
                hgrm(dir.resolve("hiccups-cpu" + g.cpu() + ".hgrm"), g.gaps());
            } else {
                Files.writeString(
                        dir.resolve("hiccups-cpu" + g.cpu() + ".hgrm"),
                        "#[" + g.problem() + "]\n",
                        StandardCharsets.UTF_8);
            }
        }
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("report.json").toFile(), report.json());
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(report), StandardCharsets.UTF_8);
        String summary = ConsoleTable.render(report);
        Files.writeString(dir.resolve("summary.txt"), summary, StandardCharsets.UTF_8);
        return summary;
    }

    private static void hgrm(Path file, Histogram h) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            if (h.getTotalCount() > 0) {
                h.outputPercentileDistribution(out, 5, 1000.0);
            } else {
                out.println("#[no values recorded]");
            }
        }
    }
}
