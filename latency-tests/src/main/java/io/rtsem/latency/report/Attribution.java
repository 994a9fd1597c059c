package io.rtsem.latency.report;

import io.rtsem.latency.run.JvmEventLog;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import io.rtsem.latency.run.ThreadSchedMonitor.SchedChange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Explains an outlier: which JVM events (GC, safepoint, deoptimization, end of a JIT compilation)
 * and which OS scheduler events (CPU migration, preemption) overlapped a wait, and what would
 * help. NON_RT; allocates.
 */
public final class Attribution {
    /** Slack around a wait when matching events, for clock-mapping error (nanoseconds). */
    public static final long TOLERANCE_NANOS = 100_000L;

    /**
     * One cause found for one wait.
     *
     * @param kind   gc, safepoint, deoptimization, compilation, migration or preemption
     * @param detail what exactly (collector, VM operation, method, counts)
     */
    public record Cause(String kind, String detail) {
        /** @throws NullPointerException if {@code kind} or {@code detail} is null */
        public Cause {
            java.util.Objects.requireNonNull(kind, "kind");
            java.util.Objects.requireNonNull(detail, "detail");
        }
    }

    private Attribution() {}

    /**
     * @param w       the wait
     * @param events  the run's JVM events
     * @param sched   the subject's scheduler changes
     * @return the causes that overlapped the wait, possibly none
     * @throws NullPointerException if an argument is null
     */
    public static List<Cause> causes(WaitSample w, List<JvmEvent> events, List<SchedChange> sched) {
        java.util.Objects.requireNonNull(w, "w");
        java.util.Objects.requireNonNull(events, "events");
        java.util.Objects.requireNonNull(sched, "sched");
        long from = w.startEpochNanos() - TOLERANCE_NANOS;
        long to = w.endEpochNanos() + TOLERANCE_NANOS;
        List<Cause> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        int compilations = 0;
        for (JvmEvent e : events) {
            boolean overlaps = switch (e.kind()) {
                // a compilation stops nobody; what matters is code of the measured path installed mid-wait
                case COMPILATION -> e.endEpochNanos() >= from && e.endEpochNanos() <= to && onMeasuredPath(e.detail());
                // a deoptimization stops the thread that hit it, nobody else
                case DEOPTIMIZATION ->
                    (e.thread() == null || e.thread().equals(w.thread()))
                            && e.startEpochNanos() <= to
                            && e.endEpochNanos() >= from;
                default -> e.startEpochNanos() <= to && e.endEpochNanos() >= from;
            };
            if (overlaps && seen.add(kind(e) + e.detail())) {
                if (e.kind() == JvmEventLog.Kind.COMPILATION && ++compilations > 3) {
                    continue;
                }
                out.add(new Cause(kind(e), e.detail()));
            }
        }
        if (compilations > 3) {
            out.add(new Cause("compilation", (compilations - 3) + " more compilations of the measured path"));
        }
        long migrations = 0;
        long involuntary = 0;
        for (SchedChange c : sched) {
            if (c.thread().equals(w.thread()) && c.fromEpochNanos() <= to && c.toEpochNanos() >= from) {
                migrations += c.migrations();
                involuntary += c.involuntary();
            }
        }
        if (migrations > 0) {
            out.add(new Cause(
                    "migration",
                    migrations + " CPU migration(s) of " + w.thread()
                            + " in the 5 ms sampling windows around the wait"));
        }
        if (involuntary > 0) {
            out.add(new Cause(
                    "preemption",
                    involuntary + " involuntary context switch(es) of " + w.thread()
                            + " in the 5 ms sampling windows around the wait"));
        }
        return out;
    }

    /** Methods of HdrHistogram that a scenario thread runs when it records a value. */
    private static final Set<String> RECORD_PATH = Set.of(
            "recordValue",
            "recordSingleValue",
            "countsArrayIndex",
            "getBucketIndex",
            "getSubBucketIndex",
            "incrementCountAtIndex",
            "incrementTotalCount",
            "updateMinAndMax",
            "updateMaxValue",
            "updateMinNonZeroValue",
            "writerCriticalSectionEnter",
            "writerCriticalSectionExit",
            "recordCountAtValue",
            "recordValueWithCount");

    /** Classes of this module whose code runs on scenario threads while they measure. */
    private static final Set<String> WORKER_CLASSES = Set.of(
            "ScenarioWorker",
            "ReleaseStamp",
            "PhaseRecorders",
            "WorstWaits",
            "OverBudgetLog",
            "RtsemUnderTest",
            "JucPeerUnderTest");

    /**
     * Code a scenario thread runs while measuring: its loop, the semaphore under test (rtsem,
     * the bridge, j.u.c.) and HdrHistogram's recording path; not the harness's own work.
     */
    static boolean onMeasuredPath(String method) {
        int dot = method.lastIndexOf('.');
        String type = dot < 0 ? method : method.substring(0, dot);
        String name = dot < 0 ? method : method.substring(dot + 1);
        if (name.contains(" ")) {
            name = name.substring(0, name.indexOf(' '));
        }
        if (type.startsWith("io.rtsem.core.")
                || type.startsWith("io.rtsem.bridge.")
                || type.startsWith("io.rtsem.pool.")
                || type.startsWith("java.util.concurrent.")
                || type.equals("java.lang.Thread")) {
            return true;
        }
        if (type.startsWith("io.rtsem.latency.run.")) {
            String simple = type.substring("io.rtsem.latency.run.".length());
            int nested = simple.indexOf('$');
            return WORKER_CLASSES.contains(nested < 0 ? simple : simple.substring(0, nested));
        }
        return type.startsWith("org.HdrHistogram.") && RECORD_PATH.contains(name);
    }

    private static String kind(JvmEvent e) {
        return switch (e.kind()) {
            case GC, GC_NOTIFICATION -> "gc";
            case SAFEPOINT -> "safepoint";
            case DEOPTIMIZATION -> "deoptimization";
            case COMPILATION -> "compilation";
        };
    }

    /**
     * @param c a cause
     * @return true if the cause means the JVM itself stopped or slowed the thread
     * @throws NullPointerException if {@code c} is null
     */
    public static boolean jvmStop(Cause c) {
        java.util.Objects.requireNonNull(c, "c");
        return c.kind().equals("gc") || c.kind().equals("safepoint") || c.kind().equals("deoptimization");
    }

    /**
     * Advice for the causes seen among the worst waits, tailored to the run: it names the recommended options
     * ({@code configs/jvm.options}) the run lacked, the VM operations behind its safepoints (JFR's own suggest
     * {@code --no-jfr}), and never recommends an option the run already had.
     *
     * @param causes       the causes found for rtsem's worst waits
     * @param jvmArguments the JVM arguments of the run
     * @param missing      recommended real-time options the run did not have
     * @return advice, one line per kind, in a stable order
     * @throws NullPointerException if an argument is null
     */
    public static List<String> advice(List<Cause> causes, List<String> jvmArguments, List<String> missing) {
        java.util.Objects.requireNonNull(causes, "causes");
        java.util.Objects.requireNonNull(jvmArguments, "jvmArguments");
        java.util.Objects.requireNonNull(missing, "missing");
        Set<String> kinds = new LinkedHashSet<>();
        Set<String> operations = new LinkedHashSet<>();
        for (Cause c : causes) {
            kinds.add(c.kind());
            if (c.kind().equals("safepoint")) {
                operations.addAll(safepointOperations(c.detail()));
            }
        }
        List<String> out = new ArrayList<>();
        if (kinds.contains("gc")) {
            out.add(gcAdvice(jvmArguments, missing));
        }
        if (kinds.contains("safepoint")) {
            out.add(safepointAdvice(operations, jvmArguments, missing));
        }
        if (kinds.contains("deoptimization")) {
            out.add(deoptimizationAdvice(missing));
        }
        if (kinds.contains("compilation")) {
            out.add("compilation: the JIT was still installing code during measurement. Lengthen 'warmup'.");
        }
        if (kinds.contains("migration")) {
            out.add("migration: the OS moved the thread to another CPU. Pin it (cpu: N).");
        }
        if (kinds.contains("preemption")) {
            out.add("preemption: the OS ran something else on the thread's CPU. On a shared machine this is "
                    + "expected; isolate the CPU (isolcpus, nohz_full) or reduce other load.");
        }
        return List.copyOf(out);
    }

    private static String deoptimizationAdvice(List<String> missing) {
        StringBuilder sb = new StringBuilder("deoptimization: compiled code was thrown away mid-run, usually because "
                + "a branch never taken while the JIT profiled it was taken (reason unstable_if).");
        if (missing.contains(TRAP_LIMIT_OPTION)) {
            sb.append(" This run lacked ")
                    .append(TRAP_LIMIT_OPTION)
                    .append(" of configs/jvm.options, with which the "
                            + "JIT compiles rarely taken branches instead of trapping on them; ./rtsem applies it.");
        }
        sb.append(" Otherwise lengthen 'warmup' so every path runs before measurement; the jdk.Deoptimization "
                + "events in run.jfr name the method, line and reason.");
        return sb.toString();
    }

    /** The option that keeps C2 from compiling a rarely taken branch as an uncommon trap (configs/jvm.options). */
    static final String TRAP_LIMIT_OPTION = "-XX:PerMethodTrapLimit=0";

    private static String gcAdvice(List<String> jvmArguments, List<String> missing) {
        List<String> lacked = new ArrayList<>();
        for (String o : missing) {
            if (o.startsWith("-Xm")
                    || o.equals("-XX:+AlwaysPreTouch")
                    || (o.startsWith("-XX:+Use") && o.endsWith("GC"))) {
                lacked.add(o);
            }
        }
        StringBuilder sb = new StringBuilder("gc: a collection stopped the threads.");
        if (!lacked.isEmpty()) {
            sb.append(" This run lacked ")
                    .append(String.join(" ", lacked))
                    .append(" of configs/jvm.options (a young generation the run does not fill, a heap sized "
                            + "and touched up front); ./rtsem applies them.");
        } else {
            sb.append(" The real-time loops allocate nothing: something else (the harness, JFR, bookkeepers) filled "
                    + "the young generation.");
        }
        List<String> others = new ArrayList<>();
        for (String o : List.of("-XX:+UseEpsilonGC", "-XX:+UseZGC")) {
            if (!jvmArguments.contains(o)) {
                others.add(o);
            }
        }
        if (!others.isEmpty()) {
            sb.append(" Otherwise try ")
                    .append(String.join(" (nothing in the process allocates) or ", others))
                    .append(others.size() > 1 ? " (a concurrent collector)." : ".");
        }
        return sb.toString();
    }

    private static String safepointAdvice(Set<String> operations, List<String> jvmArguments, List<String> missing) {
        StringBuilder sb = new StringBuilder("safepoint: the JVM stopped every thread");
        sb.append(operations.isEmpty() ? "." : " for " + String.join(", ", operations) + ".");
        List<String> jfr = operations.stream()
                .filter(o -> o.toUpperCase(java.util.Locale.ROOT).startsWith("JFR"))
                .toList();
        if (!jfr.isEmpty()) {
            sb.append(" ")
                    .append(String.join(", ", jfr))
                    .append(jfr.size() > 1 ? " are" : " is")
                    .append(" JFR's own: run with --no-jfr (outliers are then matched to GC notifications only).");
        }
        boolean periodic =
                operations.isEmpty() || operations.contains("Cleanup") || operations.contains("no vm operation");
        if (periodic && missing.contains("-XX:GuaranteedSafepointInterval=0")) {
            sb.append(" This run lacked -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0, which "
                    + "removes the periodic ones.");
        }
        if (operations.isEmpty() && jvmArguments.stream().noneMatch(a -> a.startsWith("-Xlog:safepoint"))) {
            sb.append(" -Xlog:safepoint (or JFR) names the operation.");
        }
        return sb.toString();
    }

    /** @return the VM operation names of a safepoint cause's detail ("safepoint #3 (Op1, Op2), 12.0 us"). */
    static List<String> safepointOperations(String detail) {
        int open = detail.indexOf('(');
        int close = detail.indexOf(')', open + 1);
        if (open < 0 || close < 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String op : detail.substring(open + 1, close).split(",")) {
            if (!op.isBlank()) {
                out.add(op.strip());
            }
        }
        return out;
    }
}
