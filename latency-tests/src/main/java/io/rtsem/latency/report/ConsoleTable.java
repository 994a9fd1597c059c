package io.rtsem.latency.report;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.latency.config.Budget;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.report.Attribution.Cause;
import io.rtsem.latency.run.CpuGapMeter;
import io.rtsem.latency.run.InversionEpisodes;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.RunResult;
import io.rtsem.latency.run.SubjectResult;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import io.rtsem.latency.run.ValidationRun;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console summary of a run (also written as {@code summary.txt}): how rtsem and the peer were interleaved and
 * how each waits, percentiles by context and metric for both, the ratios that mean something (each to the peer, the
 * hand-off to the cache-line floor, the wait to the hiccup floor of its own CPU), budget verdicts, each thread's
 * schedule against what it completed, the worst waits with their causes, advice, and the JVM arguments of the run.
 * NON_RT; allocates.
 */
public final class ConsoleTable {
    private ConsoleTable() {}

    /**
     * @param report the judged run
     * @return the summary text, lines ending in {@code \n}
     * @throws NullPointerException if {@code report} is null
     */
    public static String render(RunReport report) {
        java.util.Objects.requireNonNull(report, "report");
        RunResult run = report.run();
        StringBuilder sb = new StringBuilder(4096);
        List<String> failed = new java.util.ArrayList<>();
        if (!report.misses().isEmpty()) {
            failed.add(report.misses().size() + " budget(s) missed"
                    + (report.misses().stream().anyMatch(RunReport.Miss::noMeasurements) ? " or no measurements" : ""));
        }
        if (!report.behind().isEmpty()) {
            failed.add(report.behind().size() + " thread(s) behind their schedule");
        }
        sb.append(String.format(
                Locale.ROOT,
                "rtsem validate: scenario %s (%s): %s%n",
                run.scenario().name(),
                run.scenario().file(),
                report.pass() ? "PASS, every budget met" : "FAIL, " + String.join(", ", failed)));
        sb.append(String.format(
                Locale.ROOT,
                "all figures in microseconds; wait = corrected for coordinated omission "
                        + "(from the intended start); service = raw%n"));
        RunResult.Interleaving il = run.interleaving();
        sb.append(String.format(
                Locale.ROOT,
                "%nrtsem and the peer interleaved on the same threads and CPUs: %d slices "
                        + "of %.1f ms (%.1f to %.1f ms), each subject measured for %.0f ms in all, after %.0f ms "
                        + "of warm-up sliced the same way%n",
                il.slices(),
                il.sliceNanos() / 1e6,
                il.minSliceNanos() / 1e6,
                il.maxSliceNanos() / 1e6,
                il.perSubjectNanos() / 1e6,
                il.warmupNanos() / 1e6));
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            sb.append(String.format(Locale.ROOT, "  %-5s %s%n", s.subject(), s.description()));
            s.waitStyles()
                    .forEach((c, w) -> sb.append(String.format(Locale.ROOT, "        %-7s waits: %s%n", c.name(), w)));
        }
        if (!run.scheduling().isEmpty()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%nscheduling per thread, read back from the kernel at start (the same threads, so the same "
                            + "policies, for rtsem and the peer):%n"));
            for (ThreadSpec t : run.threads()) {
                AppliedScheduling a = run.scheduling().get(t.name());
                if (a != null) {
                    sb.append("  ")
                            .append(pad(t.name(), 14))
                            .append(' ')
                            .append(pad(t.context().name(), 7))
                            .append(' ')
                            .append(schedulingLine(t, a))
                            .append('\n');
                }
            }
        }
        header(
                sb,
                "floor: one-way cache-line hand-off, CPUs " + ValidationRun.cpuName(run.floorCpus()[0]) + " <-> "
                        + ValidationRun.cpuName(run.floorCpus()[1]) + " (the floor of every hand-off)");
        row(sb, "", "", "floor", report.floor());
        header(
                sb,
                "platform hiccups: jHiccup-style 1 ms sleeper (housekeeping CPUs) per phase, and in each subject's "
                        + "slices; a spinning thread's gaps over " + CpuGapMeter.THRESHOLD_NANOS / 1000
                        + " us on each real-time "
                        + "CPU (floor phase)");
        row(sb, "", "", "floor", Percentiles.of(run.floorHiccups()));
        row(sb, "", "", "rtsem", Percentiles.of(run.rtsem().hiccups()));
        row(sb, "", "", "peer", Percentiles.of(run.peer().hiccups()));
        for (CpuGapMeter.CpuGaps g : run.cpuHiccups()) {
            row(sb, "", "", "cpu " + g.cpu(), Percentiles.of(g.gaps()));
        }
        String late = lateWakeUps(run);
        if (!late.isEmpty()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "late wake-ups of real-time sleepers (a SOFT thread's or releaser's timed sleep that ended %d us or "
                            + "more late, cyclictest's measure; by the subject whose slice it was due in): %s%n",
                    io.rtsem.latency.run.ScenarioWorker.LATE_WAKE_NANOS / 1000,
                    late));
        }
        header(
                sb,
                "by context: rtsem and peer; wait against the peer and, for HARD, the hiccup floor of its own CPU "
                        + "(the waits a loop on the same schedule would meet from the gaps the HARD thread saw "
                        + "there while it spun between iterations, split by slice like the waits; '-' where it is "
                        + "at or below the "
                        + CpuGapMeter.THRESHOLD_NANOS / 1000
                        + " us gap threshold); hand-off against the peer and the cache-line floor");
        for (RtContext c : run.scenario().waitingContexts()) {
            for (Metric m : Metric.values()) {
                Percentiles mine = report.percentiles("rtsem", c, m);
                Percentiles peer = report.percentiles("peer", c, m);
                row(sb, c.name(), m.label(), "rtsem", mine);
                row(sb, c.name(), m.label(), "peer", peer);
                if (m == Metric.WAIT || m == Metric.HANDOFF) {
                    ratioRow(sb, c.name(), m.label(), "rtsem/peer", mine, peer);
                }
                Percentiles hiccupFloor = report.hiccupFloor(c);
                if (m == Metric.WAIT && hiccupFloor != null) {
                    row(sb, c.name(), m.label(), "hiccup floor", hiccupFloor);
                    ratioRow(sb, c.name(), m.label(), "rtsem/hiccup", RunReport.toHiccupFloor(mine, hiccupFloor));
                }
                if (m == Metric.HANDOFF) {
                    ratioRow(sb, c.name(), m.label(), "rtsem/floor", mine, report.floor());
                }
            }
        }
        if (!run.scenario().budgets().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nbudgets (rtsem corrected wait):%n"));
            for (Map.Entry<RtContext, Budget> e : run.scenario().budgets().entrySet()) {
                boolean measured =
                        report.percentiles("rtsem", e.getKey(), Metric.WAIT).count() > 0;
                StringBuilder line = new StringBuilder("  " + pad(e.getKey().name(), 7));
                e.getValue()
                        .limits()
                        .forEach((k, v) -> line.append(
                                measured
                                        ? String.format(
                                                Locale.ROOT,
                                                "  %s %s <= %s %s",
                                                k,
                                                num(report.judged(e.getKey(), k)),
                                                num(v / 1e3),
                                                report.meets(e.getKey(), k, v) ? "ok" : "MISSED")
                                        : String.format(
                                                Locale.ROOT, "  %s no measurements <= %s MISSED", k, num(v / 1e3))));
                sb.append(line).append('\n');
            }
            for (RunReport.Miss m : report.misses()) {
                sb.append("  missed: ").append(m.describe()).append('\n');
                String platform = report.platformLimit(m);
                if (platform != null) {
                    sb.append("    platform limit: ").append(platform).append('\n');
                }
            }
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nschedule (measured phase; completed / scheduled iterations per subject; a waiting "
                        + "thread on a fixed schedule more than one interval's worth behind fails):%n"));
        for (String thread : run.rtsem().schedule().keySet()) {
            StringBuilder line = new StringBuilder("  " + pad(thread, 14));
            for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
                SubjectResult.ThreadSchedule ts = s.schedule().get(thread);
                line.append(String.format(
                        Locale.ROOT,
                        "  %s %d / %s",
                        s.subject(),
                        ts.completed(),
                        ts.scheduled() == SubjectResult.ThreadSchedule.NO_SCHEDULE ? "no schedule" : ts.scheduled()));
                if (ts.unfinishedWaits() > 0) {
                    line.append(
                            String.format(Locale.ROOT, " (%d wait(s) unfinished at the stop)", ts.unfinishedWaits()));
                }
            }
            sb.append(line).append('\n');
        }
        for (RunReport.Behind b : report.behind()) {
            sb.append("  behind: ").append(b.describe()).append('\n');
        }
        inversions(sb, run);
        sb.append(String.format(
                Locale.ROOT,
                "%nCPU time by thread during the interleaved phase (ms, warm-up included; "
                        + "%.1f s of wall time on %d CPUs):%n",
                (run.interleaving().warmupNanos() + 2 * run.interleaving().perSubjectNanos()) / 1e9,
                run.cpus()));
        StringBuilder cpu = new StringBuilder(" ");
        run.threadCpuMillis().forEach((name, ms) -> cpu.append(String.format(Locale.ROOT, " %s %.0f", name, ms)));
        sb.append(cpu).append('\n');
        worst(sb, report, run.rtsem());
        worst(sb, report, run.peer());
        if (!report.jvmStopNotes().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nthe JVM stopped real-time threads during the worst waits:%n"));
            report.jvmStopNotes().forEach(n -> sb.append("  ").append(n).append('\n'));
        }
        if (!report.advice().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nwhat would help:%n"));
            report.advice().forEach(a -> sb.append("  - ").append(a).append('\n'));
        }
        if (!report.missingJvmOptions().isEmpty()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%nthis JVM runs without recommended real-time options %s "
                            + "(./rtsem applies them by default; see configs/jvm.options)%n",
                    report.missingJvmOptions()));
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nJVM %s on %d CPUs; JVM arguments: %s%n",
                run.javaVersion(),
                run.cpus(),
                run.jvmArguments().isEmpty() ? "none" : String.join(" ", run.jvmArguments())));
        sb.append("machine: ").append(run.machine().summary()).append('\n');
        run.notes().forEach(n -> sb.append("note: ").append(n).append('\n'));
        sb.append(String.format(Locale.ROOT, "%nfiles: %s%n", run.outDir()));
        return sb.toString();
    }

    /** The priority-inversion episodes of each subject by waiting context, and rtsem's boosts. */
    private static void inversions(StringBuilder sb, RunResult run) {
        if (run.rtsem().inversions().episodes().isEmpty()) {
            return; // no HARD or SOFT waiter
        }
        sb.append(String.format(
                Locale.ROOT,
                "%npriority-inversion episodes (a HARD or SOFT wait of 2 planned holds + 100 us or more, "
                        + "behind a lower-context holder that was runnable but off its CPU; all waits examined):%n"));
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            InversionEpisodes.Result r = s.inversions();
            StringBuilder line = new StringBuilder("  " + pad(s.subject(), 6));
            r.episodes().forEach((c, n) -> line.append(String.format(Locale.ROOT, "  %s %d", c, n)));
            line.append(String.format(Locale.ROOT, "  (of %d long waits)", r.longWaits()));
            if (r.priorityBoosts() != null) {
                line.append(String.format(
                        Locale.ROOT,
                        "; priority boosts %d, refused %d",
                        r.priorityBoosts(),
                        r.priorityBoostsRefused()));
            }
            if (r.longWaitsLost() + r.longHoldsLost() > 0) {
                line.append(String.format(
                        Locale.ROOT,
                        "; not logged: %d waits, %d holds (a lower bound)",
                        r.longWaitsLost(),
                        r.longHoldsLost()));
            }
            sb.append(line).append('\n');
        }
    }

    private static void worst(StringBuilder sb, RunReport report, SubjectResult s) {
        if (s.worst().isEmpty()) {
            return;
        }
        sb.append(String.format(
                Locale.ROOT,
                "%n%d worst waits on %s (ms after measurement start: wait / service; " + "causes overlapping):%n",
                s.worst().size(),
                s.subject()));
        List<List<Cause>> causes = report.causes(s.subject());
        for (int i = 0; i < s.worst().size(); i++) {
            WaitSample w = s.worst().get(i);
            StringBuilder c = new StringBuilder();
            for (Cause cause : causes.get(i)) {
                c.append(c.length() == 0 ? "" : "; ")
                        .append(cause.kind())
                        .append(": ")
                        .append(cause.detail());
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "  %9.3f ms  %-12s %-6s %10s / %-10s %s%n",
                    (w.startEpochNanos() - s.measureStartEpochNanos()) / 1e6,
                    w.thread(),
                    w.context(),
                    num(w.waitNanos() / 1e3),
                    num(w.serviceNanos() / 1e3),
                    c.length() == 0 ? "no JVM or OS event seen" : c));
        }
    }

    private static void header(StringBuilder sb, String title) {
        sb.append(String.format(Locale.ROOT, "%n%s%n", title));
        sb.append(String.format(
                Locale.ROOT,
                "  %-7s %-8s %-12s %10s %10s %10s %10s %10s %10s %10s%n",
                "context",
                "metric",
                "subject",
                "count",
                "p50",
                "p90",
                "p99",
                "p99.9",
                "p99.99",
                "max"));
    }

    private static void row(StringBuilder sb, String ctx, String metric, String subject, Percentiles p) {
        sb.append(String.format(
                Locale.ROOT,
                "  %-7s %-8s %-12s %10d %10s %10s %10s %10s %10s %10s%n",
                ctx,
                metric,
                subject,
                p.count(),
                num(p.p50()),
                num(p.p90()),
                num(p.p99()),
                num(p.p999()),
                num(p.p9999()),
                num(p.max())));
    }

    private static void ratioRow(
            StringBuilder sb, String ctx, String metric, String label, Percentiles a, Percentiles b) {
        Map<String, Double> ratios = new java.util.LinkedHashMap<>();
        for (String n : Percentiles.NAMES) {
            ratios.put(n, a.count() == 0 || b.count() == 0 ? null : RunReport.ratio(a.get(n), b.get(n)));
        }
        ratioRow(sb, ctx, metric, label, ratios);
    }

    private static void ratioRow(
            StringBuilder sb, String ctx, String metric, String label, Map<String, Double> ratios) {
        StringBuilder s =
                new StringBuilder(String.format(Locale.ROOT, "  %-7s %-8s %-12s %10s", ctx, metric, label, ""));
        for (String n : Percentiles.NAMES) {
            Double r = ratios.get(n);
            s.append(String.format(Locale.ROOT, " %10s", r == null ? "-" : "x" + ratio(r)));
        }
        sb.append(s).append('\n');
    }

    /** @return a ratio with precision that suits its size. */
    static String ratio(double r) {
        if (r >= 100) {
            return String.format(Locale.ROOT, "%.0f", r);
        }
        if (r >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", r);
        }
        return String.format(Locale.ROOT, "%.4f", r);
    }

    /** @return a microsecond figure with precision that suits its size. */
    static String num(double us) {
        if (us < 10) {
            return String.format(Locale.ROOT, "%.3f", us);
        }
        if (us < 1000) {
            return String.format(Locale.ROOT, "%.1f", us);
        }
        return String.format(Locale.ROOT, "%.0f", us);
    }

    /**
     * One thread's scheduling for the summary: what the scenario asked (with a context default resolved), what the
     * kernel reported, and the note of a fallback or a warning.
     *
     * @param t the thread as configured
     * @param a what its scheduling became
     * @return e.g. {@code asked fifo:10, runs FIFO 10}
     */
    static String schedulingLine(ThreadSpec t, AppliedScheduling a) {
        String asked = ThreadSpec.schedulingText(t.scheduling());
        String resolved = ThreadSpec.schedulingText(a.requested());
        return "asked " + asked + (resolved.equals(asked) ? "" : " (= " + resolved + ")") + ", runs " + a.policy()
                + " " + a.priority() + (a.asRequested() ? "" : ", NOT as asked")
                + (a.note().isEmpty() ? "" : ": " + a.note());
    }

    private static String pad(String s, int n) {
        return String.format(Locale.ROOT, "%-" + n + "s", s);
    }

    /** @return per late-waking thread: its late wake-ups in each subject's slices and the latest, or "" if none. */
    private static String lateWakeUps(RunResult run) {
        Map<String, long[]> byThread = new java.util.LinkedHashMap<>(); // rtsem count, latest, peer count, latest
        int subject = 0;
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            for (SubjectResult.LateWake w : s.lateWakes()) {
                long[] a = byThread.computeIfAbsent(w.thread(), k -> new long[4]);
                a[2 * subject]++;
                a[2 * subject + 1] = Math.max(a[2 * subject + 1], w.lateNanos());
            }
            subject++;
        }
        List<String> out = new java.util.ArrayList<>();
        byThread.forEach((t, a) -> out.add(String.format(
                Locale.ROOT,
                "%s rtsem %d (latest %s us), peer %d (latest %s us)",
                t,
                a[0],
                num(a[1] / 1e3),
                a[2],
                num(a[3] / 1e3))));
        return String.join("; ", out);
    }
}
