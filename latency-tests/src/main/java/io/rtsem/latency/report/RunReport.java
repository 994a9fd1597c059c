package io.rtsem.latency.report;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.Budget;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.report.Attribution.Cause;
import io.rtsem.latency.run.CpuGapMeter;
import io.rtsem.latency.run.HiccupFloor;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.RunResult;
import io.rtsem.latency.run.SubjectResult;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The judgement of a run: budget verdicts, threads behind their schedule, ratios to the peer and to the floors
 * (hand-off to the cache-line floor, waits to the hiccup floor of their own CPU in rtsem's slices), outlier
 * attribution, JVM advice,
 * and the {@code report.json} document (schema in {@code docs/LATENCY.md}, {@value #SCHEMA_VERSION}). Built once
 * after the run; immutable. NON_RT; allocates.
 */
public final class RunReport {
    /** Version of the report.json schema. */
    public static final int SCHEMA_VERSION = 7;

    /**
     * A waiting thread on a fixed schedule that completed fewer iterations than its schedule held, by more than one
     * interval's worth ({@code interval / period}): it hung or fell behind, and what it did not do is in no
     * percentile. Counted over both subjects (they share the thread); never a pass.
     *
     * @param thread          the thread
     * @param context         its context
     * @param scheduled       intended starts in the measured window (both subjects)
     * @param completed       iterations it completed (both subjects)
     * @param rtsemScheduled  of {@code scheduled}, those in rtsem's slices
     * @param rtsemCompleted  of {@code completed}, those on rtsem
     * @param allowed         the shortfall allowed: one interval's worth of iterations
     * @param unfinishedWaits waits that had not ended when the run stopped the thread (recorded as ending there)
     */
    public record Behind(
            String thread,
            String context,
            long scheduled,
            long completed,
            long rtsemScheduled,
            long rtsemCompleted,
            long allowed,
            long unfinishedWaits) {
        /** @return one line for the console and the HTML report. */
        public String describe() {
            return String.format(
                    java.util.Locale.ROOT,
                    "thread %s (%s) completed %d of the %d iterations its schedule held (rtsem %d of %d, "
                            + "peer %d of %d): behind by %d, more than one interval's worth (%d)%s",
                    thread,
                    context,
                    completed,
                    scheduled,
                    rtsemCompleted,
                    rtsemScheduled,
                    completed - rtsemCompleted,
                    scheduled - rtsemScheduled,
                    scheduled - completed,
                    allowed,
                    unfinishedWaits == 0
                            ? ""
                            : "; " + unfinishedWaits + " wait(s) had not ended when the run stopped it");
        }
    }

    /**
     * A budget a context missed, or a waiting context that recorded no wait at all.
     *
     * @param context    HARD, SOFT or NON_RT
     * @param percentile p50, p99, p99.9, p99.99 or max; {@link #NO_MEASUREMENTS} when nothing was recorded
     * @param budgetUs   the limit, or null for {@link #NO_MEASUREMENTS}
     * @param actualUs   what rtsem's corrected wait was, or null for {@link #NO_MEASUREMENTS}
     */
    public record Miss(String context, String percentile, Double budgetUs, Double actualUs) {
        /** The percentile name of a context whose threads recorded no wait: never a pass. */
        public static final String NO_MEASUREMENTS = "count";

        /**
         * @throws IllegalArgumentException if only one of {@code budgetUs} and {@code actualUs} is null (both are, for
         *                                  {@link #NO_MEASUREMENTS}; neither is, for a missed budget)
         * @throws NullPointerException     if {@code context} or {@code percentile} is null
         */
        public Miss {
            java.util.Objects.requireNonNull(context, "context");
            java.util.Objects.requireNonNull(percentile, "percentile");
            if ((budgetUs == null) != (actualUs == null)) {
                throw new IllegalArgumentException("budgetUs and actualUs are both null (no measurements) or both set, "
                        + "got budgetUs " + budgetUs + " and actualUs " + actualUs);
            }
        }

        /** @return true if the context recorded no wait. */
        public boolean noMeasurements() {
            return actualUs == null;
        }

        /** @return how far over the budget, microseconds, or null without measurements. */
        public Double overByUs() {
            return noMeasurements() ? null : actualUs - budgetUs;
        }

        /** @return one line for the console and the HTML report. */
        public String describe() {
            if (noMeasurements()) {
                return context + ": no measurements (its threads recorded no wait in the measured phase)";
            }
            return String.format(
                    java.util.Locale.ROOT,
                    "%s %s: %.1f us against a budget of %.1f us (over by %.1f us, %.0f%%)",
                    context,
                    percentile,
                    actualUs,
                    budgetUs,
                    overByUs(),
                    100.0 * overByUs() / budgetUs);
        }
    }

    private final RunResult run;
    private final Percentiles floor;
    private final Map<String, Map<RtContext, Map<Metric, Percentiles>>> subjects = new LinkedHashMap<>();
    private final List<Miss> misses = new ArrayList<>();
    private final Map<String, List<List<Cause>>> causes = new LinkedHashMap<>();
    private final List<String> advice;
    private final List<String> jvmStopNotes = new ArrayList<>();
    private final List<String> missingJvmOptions;
    private final List<Behind> behind = new ArrayList<>();
    private final Map<RtContext, Percentiles> hiccupFloors = new EnumMap<>(RtContext.class);
    private final Map<RtContext, Histogram> hiccupFloorHistograms = new EnumMap<>(RtContext.class);
    private final List<PlatformLimits.Limit> platformLimits;

    /**
     * Judges a run.
     *
     * @param run         what was measured
     * @param recommended the real-time JVM options {@code ./rtsem} applies by default
     * @throws NullPointerException if an argument is null
     */
    public RunReport(RunResult run, List<String> recommended) {
        this.run = java.util.Objects.requireNonNull(run, "run");
        java.util.Objects.requireNonNull(recommended, "recommended");
        this.floor = Percentiles.of(run.floor());
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            Map<RtContext, Map<Metric, Percentiles>> byCtx = new EnumMap<>(RtContext.class);
            for (RtContext c : run.scenario().waitingContexts()) {
                Map<Metric, Percentiles> byMetric = new EnumMap<>(Metric.class);
                for (Metric m : Metric.values()) {
                    byMetric.put(m, Percentiles.of(s.recorders().total(c, m)));
                }
                byCtx.put(c, byMetric);
            }
            subjects.put(s.subject(), byCtx);
        }
        for (RtContext c : run.scenario().waitingContexts()) {
            Budget b = run.scenario().budgets().get(c);
            if (percentiles("rtsem", c, Metric.WAIT).count() == 0) {
                misses.add(new Miss(c.name(), Miss.NO_MEASUREMENTS, null, null)); // never a pass, budget or not
                continue;
            }
            if (b == null) {
                continue;
            }
            b.limits().forEach((k, limit) -> {
                if (!meets(c, k, limit)) {
                    misses.add(new Miss(c.name(), k, limit / 1e3, judged(c, k)));
                }
            });
        }
        Map<String, String> applied = new java.util.LinkedHashMap<>();
        policies(run).forEach(p -> applied.put(p.thread(), p.applied()));
        List<Cause> rtsemCauses = new ArrayList<>();
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            List<List<Cause>> list = new ArrayList<>();
            for (WaitSample w : s.worst()) {
                List<Cause> cs = new ArrayList<>(Attribution.causes(w, run.jvmEvents(), s.sched()));
                cs.addAll(Attribution.inversions(w, s.inversions().list()));
                cs.addAll(Attribution.lateWakes(
                        w, s.inversions().list(), s.lateWakes(), run.threads(), applied, run.jvmEvents()));
                cs.addAll(Attribution.cpuGaps(w, s.cpuGaps(), run.jvmEvents()));
                list.add(List.copyOf(cs));
                if (s.subject().equals("rtsem")) {
                    rtsemCauses.addAll(cs);
                    StringBuilder stops = new StringBuilder();
                    for (Cause c : cs) {
                        if (Attribution.jvmStop(c)) {
                            stops.append(stops.length() == 0 ? "" : "; ")
                                    .append(c.kind())
                                    .append(": ")
                                    .append(c.detail());
                        }
                    }
                    if (stops.length() > 0 && jvmStopNotes.size() < 5) {
                        jvmStopNotes.add("The JVM stopped " + w.thread() + " (" + w.context() + ") during a wait of "
                                + String.format(java.util.Locale.ROOT, "%.1f", w.waitNanos() / 1e3) + " us: " + stops);
                    }
                }
            }
            causes.put(s.subject(), list);
        }
        List<String> missing = new ArrayList<>();
        for (String o : recommended) {
            if (!run.jvmArguments().contains(o)) {
                missing.add(o);
            }
        }
        this.missingJvmOptions = List.copyOf(missing);
        List<String> allAdvice =
                new ArrayList<>(Attribution.advice(rtsemCauses, run.jvmArguments(), missingJvmOptions));
        allAdvice.addAll(Attribution.machineAdvice(
                run.machine(),
                policies(run),
                run.rtsem().worst(),
                causes.get("rtsem"),
                run.rtsem().inversions(),
                run.peer().inversions()));
        this.advice = List.copyOf(allAdvice);
        judgeSchedules();
        for (RtContext c : run.scenario().waitingContexts()) {
            Histogram h = HiccupFloor.of(run.threads(), c, run.rtsem());
            if (h != null) {
                hiccupFloorHistograms.put(c, h);
                hiccupFloors.put(c, Percentiles.of(h));
            }
        }
        this.platformLimits = PlatformLimits.of(
                misses,
                new PlatformLimits.Evidence(
                        run.threads(),
                        applied,
                        run.scenario().semaphore().wakeScheduling(),
                        run.rtsem().inversions().priorityBoosts(),
                        hiccupFloorHistograms,
                        run.rtsem().episodes(),
                        run.rtsem().lateWakes(),
                        run.jvmEvents()));
    }

    /** @return each scenario thread's scheduling as the machine advice reads it (none for a synthetic run) */
    private static List<Attribution.ThreadPolicy> policies(RunResult run) {
        List<Attribution.ThreadPolicy> out = new ArrayList<>();
        for (ThreadSpec t : run.threads()) {
            io.rtsem.core.AppliedScheduling a = run.scheduling().get(t.name());
            if (a == null) {
                continue;
            }
            out.add(new Attribution.ThreadPolicy(
                    t.name(),
                    t.context(),
                    t.cpu(),
                    ThreadSpec.schedulingText(t.scheduling()),
                    a.policy() + " " + a.priority(),
                    a.asRequested(),
                    a.note()));
        }
        return out;
    }

    /** Finds the waiting threads on a fixed schedule that completed less than it held, by more than an interval. */
    private void judgeSchedules() {
        for (ThreadSpec t : run.threads()) {
            SubjectResult.ThreadSchedule a = run.rtsem().schedule().get(t.name());
            SubjectResult.ThreadSchedule b = run.peer().schedule().get(t.name());
            if (!t.waits() || !t.fixedRate() || a == null || b == null) {
                continue;
            }
            long scheduled = a.scheduled() + b.scheduled();
            long completed = a.completed() + b.completed();
            long allowed = run.scenario().intervalNanos() / t.periodNanos();
            if (scheduled - completed > allowed) {
                behind.add(new Behind(
                        t.name(),
                        t.context().name(),
                        scheduled,
                        completed,
                        a.scheduled(),
                        a.completed(),
                        allowed,
                        a.unfinishedWaits() + b.unfinishedWaits()));
            }
        }
    }

    /**
     * rtsem's corrected wait at a budget's percentile, as judged against the budget: the lowest value of the
     * histogram bucket that holds it (HdrHistogram reports a bucket's highest value, up to 0.1% above what was
     * recorded at 3 significant digits), so a wait exactly at the budget is not a miss.
     *
     * @param context a waiting context
     * @param key     a budget key ({@link Budget#KEYS})
     * @return microseconds (0 without measurements)
     * @throws IllegalArgumentException if {@code key} is not a budget key or {@code context} has no waiting thread
     */
    public double judged(RtContext context, String key) {
        int i = budgetKey(key);
        waitingContext(context);
        Histogram h = run.rtsem().recorders().total(context, Metric.WAIT);
        if (h.getTotalCount() == 0) {
            return 0;
        }
        return judgedAt(h, i) / 1e3;
    }

    /**
     * A histogram's value at budget key {@code keyIndex} as budgets are judged: the lowest value of the bucket that
     * holds it (see {@link #judged}). Shared with {@link PlatformLimits}, which compares a floor with a budget so.
     *
     * @param h        a histogram, not empty
     * @param keyIndex an index into {@link Budget#KEYS}
     * @return the value, in the histogram's unit
     */
    static long judgedAt(Histogram h, int keyIndex) {
        long v = keyIndex == Budget.KEYS.length - 1
                ? h.getMaxValue()
                : h.getValueAtPercentile(Budget.PERCENTILES[keyIndex]);
        return h.lowestEquivalentValue(v);
    }

    /**
     * @param context    a waiting context
     * @param key        a budget key ({@link Budget#KEYS})
     * @param limitNanos the budget, positive
     * @return true if rtsem's corrected wait met it (never without measurements)
     * @throws IllegalArgumentException if {@code key} is not a budget key, {@code context} has no waiting thread or
     *                                  {@code limitNanos} is not positive
     */
    public boolean meets(RtContext context, String key, long limitNanos) {
        budgetKey(key);
        if (limitNanos <= 0) {
            throw new IllegalArgumentException("limitNanos must be positive, got " + limitNanos);
        }
        return percentiles("rtsem", context, Metric.WAIT).count() > 0 && judged(context, key) <= limitNanos / 1e3;
    }

    /** @return the run judged. */
    public RunResult run() {
        return run;
    }

    /** @return true if every budget was met and no thread fell behind its schedule. */
    public boolean pass() {
        return misses.isEmpty() && behind.isEmpty();
    }

    /** @return 0 if every budget was met, 1 otherwise. */
    public int exitCode() {
        return pass() ? 0 : 1;
    }

    /**
     * @return the missed budgets the platform itself stopped, with the evidence this run measured
     *     ({@link PlatformLimits}), in the misses' order; empty if none
     */
    public List<PlatformLimits.Limit> platformLimits() {
        return platformLimits;
    }

    /**
     * @param miss one of {@link #misses()}
     * @return the platform limit named for it ({@link PlatformLimits.Limit#reason()}), or null if none
     */
    public String platformLimit(Miss miss) {
        for (PlatformLimits.Limit l : platformLimits) {
            if (l.context().equals(miss.context()) && l.percentile().equals(miss.percentile())) {
                return l.reason();
            }
        }
        return null;
    }

    /** @return the budgets missed, in scenario order. */
    public List<Miss> misses() {
        return misses;
    }

    /** @return the threads behind their schedule, in scenario order. */
    public List<Behind> behind() {
        return behind;
    }

    /**
     * @param context a waiting context
     * @return the hiccup floor of its corrected waits on its own CPU in rtsem's slices ({@link HiccupFloor}), or null
     *         where undefined
     */
    public Percentiles hiccupFloor(RtContext context) {
        return hiccupFloors.get(context);
    }

    /**
     * @param context a waiting context
     * @return the histogram behind {@link #hiccupFloor} (nanoseconds, counts in tenths of an iteration), or null
     */
    public Histogram hiccupFloorHistogram(RtContext context) {
        return hiccupFloorHistograms.get(context);
    }

    /**
     * rtsem's percentiles of a wait divided by a floor's, only where the floor's percentile is above what the gap
     * detector records (below it the floor is unknown, so the ratio would say nothing).
     *
     * @param mine  rtsem's percentiles
     * @param floor the floor's
     * @return percentile name to ratio or null
     */
    static Map<String, Double> toHiccupFloor(Percentiles mine, Percentiles floor) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String n : Percentiles.NAMES) {
            boolean known = floor != null && floor.get(n) > CpuGapMeter.THRESHOLD_NANOS / 1e3;
            m.put(n, mine.count() == 0 || !known ? null : ratio(mine.get(n), floor.get(n)));
        }
        return m;
    }

    /** @return the floor's one-way hand-off percentiles. */
    public Percentiles floor() {
        return floor;
    }

    /**
     * @param subject {@code rtsem} or {@code peer}
     * @param context a waiting context of the scenario
     * @param metric  the metric
     * @return the percentiles
     * @throws IllegalArgumentException if {@code subject} is neither, or {@code context} has no waiting thread
     * @throws NullPointerException     if {@code metric} is null
     */
    public Percentiles percentiles(String subject, RtContext context, Metric metric) {
        java.util.Objects.requireNonNull(metric, "metric");
        return subject(subject).get(waitingContext(context)).get(metric);
    }

    /**
     * @param subject {@code rtsem} or {@code peer}
     * @return its percentiles by waiting context and metric
     * @throws IllegalArgumentException if {@code subject} is neither
     */
    Map<RtContext, Map<Metric, Percentiles>> subject(String subject) {
        Map<RtContext, Map<Metric, Percentiles>> s = subjects.get(subject);
        if (s == null) {
            throw new IllegalArgumentException("unknown subject " + (subject == null ? "null" : "\"" + subject + "\"")
                    + "; expected one of " + subjects.keySet());
        }
        return s;
    }

    private RtContext waitingContext(RtContext context) {
        if (!run.scenario().waitingContexts().contains(context)) {
            throw new IllegalArgumentException("context " + context + " has no waiting thread in scenario "
                    + run.scenario().name() + "; expected one of "
                    + run.scenario().waitingContexts());
        }
        return context;
    }

    private static int budgetKey(String key) {
        int i = key == null ? -1 : List.of(Budget.KEYS).indexOf(key); // List.of(...).indexOf(null) throws
        if (i < 0) {
            throw new IllegalArgumentException("unknown budget key " + (key == null ? "null" : "\"" + key + "\"")
                    + "; expected one of " + List.of(Budget.KEYS));
        }
        return i;
    }

    /**
     * @param subject {@code rtsem} or {@code peer}
     * @return the causes found for each of the subject's worst waits (same order as {@link SubjectResult#worst()})
     * @throws IllegalArgumentException if {@code subject} is neither
     */
    public List<List<Cause>> causes(String subject) {
        subject(subject);
        return causes.get(subject);
    }

    /**
     * @return advice for the causes among rtsem's worst waits, then about the machine and the scheduling where they
     *         cost the run (RT throttling, capabilities, isolcpus/nohz_full, priority inversion:
     *         {@link Attribution#machineAdvice})
     */
    public List<String> advice() {
        return advice;
    }

    /** @return sentences naming JVM stops of rtsem's real-time threads (at most 5). */
    public List<String> jvmStopNotes() {
        return jvmStopNotes;
    }

    /** @return recommended real-time JVM options this run did not use. */
    public List<String> missingJvmOptions() {
        return missingJvmOptions;
    }

    /**
     * @return rtsem's value divided by the reference value (4 significant digits), or null where the reference is 0.
     */
    static Double ratio(double value, double reference) {
        if (reference <= 0) {
            return null;
        }
        return new java.math.BigDecimal(value / reference)
                .round(new java.math.MathContext(4))
                .doubleValue();
    }

    /** @return the report.json document (see docs/LATENCY.md; built by {@link ReportJson}). NON_RT; allocates. */
    public Map<String, Object> json() {
        return ReportJson.of(this);
    }
}
