package io.rtsem.latency.report;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.latency.config.Budget;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.run.JvmEventLog;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.ScenarioWorker;
import io.rtsem.latency.run.SubjectResult.LateWake;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Which missed budgets the platform itself stopped, with the evidence the run measured: the report names them next to
 * the misses (issue 11: "its budgets are met, or the report says which platform limit stops them"). Two limits are
 * recognised, each only from what this run measured on rtsem:
 *
 * <ol>
 *   <li><b>The HARD thread's own CPU.</b> The hiccup floor of the HARD threads ({@code HiccupFloor}: the waits a loop on
 *       the same schedule would meet from the gaps each saw on its own CPU while it spun, in rtsem's slices) is at or
 *       above the budget at the budget's percentile: no semaphore could have met it on that CPU.
 *   <li><b>The CPU of the thread itself, or of the thread that feeds it.</b> A thread (a SOFT thread, a releaser)
 *       under a real-time policy whose priority no other thread that can share its CPUs reaches (scenario threads,
 *       rtsem's wake service, and no priority boost in the run) and that woke from a timed sleep
 *       {@link ScenarioWorker#LATE_WAKE_NANOS} or more late, with no JVM stop (GC pause, safepoint, a deoptimization
 *       of its own) overlapping it, was kept off its CPU by the platform (interrupts, kernel threads, the hypervisor):
 *       cyclictest's measure. The report counts the context's wait episodes over the budget that overlap such a late
 *       wake of the waiting thread itself or, for a consuming acquirer ({@code releases: none}), of a releaser, from
 *       which alone its permits come.
 * </ol>
 *
 * <p>Judging code: NON_RT, allocates. Stateless.
 */
public final class PlatformLimits {
    private PlatformLimits() {}

    /**
     * A missed budget the platform stopped.
     *
     * @param context    the context whose budget was missed
     * @param percentile the budget key ({@link Budget#KEYS})
     * @param reason     the limit and its evidence, one sentence or more
     */
    public record Limit(String context, String percentile, String reason) {
        /** @throws NullPointerException if an argument is null */
        public Limit {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(percentile, "percentile");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * What the run measured that the judgement needs.
     *
     * @param threads        the scenario's threads
     * @param policies       each thread's applied scheduling as the report reads it ({@code FIFO 40}, {@code OTHER 0}),
     *                       by thread name; a thread missing here (a synthetic run) is taken as not real-time
     * @param wakeScheduling rtsem's wake service's scheduling ({@code semaphore.wake-scheduling}), or null (its
     *                       default, {@code unchanged}: not real-time here)
     * @param boosts         rtsem's priority boosts in the measured window, or null if unknown
     * @param ownCpuFloors   rtsem's hiccup floor per context (HARD), nanoseconds
     * @param episodes       rtsem's wait episodes per thread, largest first
     * @param lateWakes      the late wake-ups of releasers and SOFT threads in rtsem's measured slices
     * @param jvmEvents      the run's JVM events (a late wake-up that overlaps a JVM stop is the JVM's)
     */
    public record Evidence(
            List<ThreadSpec> threads,
            Map<String, String> policies,
            RtScheduling wakeScheduling,
            Long boosts,
            Map<RtContext, Histogram> ownCpuFloors,
            Map<String, List<WaitSample>> episodes,
            List<LateWake> lateWakes,
            List<JvmEvent> jvmEvents) {
        /** @throws NullPointerException if an argument but {@code wakeScheduling} or {@code boosts} is null */
        public Evidence {
            Objects.requireNonNull(threads, "threads");
            Objects.requireNonNull(policies, "policies");
            Objects.requireNonNull(ownCpuFloors, "ownCpuFloors");
            Objects.requireNonNull(episodes, "episodes");
            Objects.requireNonNull(lateWakes, "lateWakes");
            Objects.requireNonNull(jvmEvents, "jvmEvents");
        }
    }

    /**
     * The platform limits behind the missed budgets.
     *
     * @param misses   the budgets rtsem missed
     * @param evidence what the run measured
     * @return one entry per miss the platform stopped, in the misses' order (a miss with no such evidence has none)
     * @throws NullPointerException if an argument is null
     */
    public static List<Limit> of(List<RunReport.Miss> misses, Evidence evidence) {
        Objects.requireNonNull(misses, "misses");
        Objects.requireNonNull(evidence, "evidence");
        List<Limit> out = new ArrayList<>();
        for (RunReport.Miss m : misses) {
            if (m.noMeasurements()) {
                continue;
            }
            RtContext context = RtContext.valueOf(m.context());
            int key = List.of(Budget.KEYS).indexOf(m.percentile());
            long budgetNanos = Math.round(m.budgetUs() * 1e3);
            List<String> reasons = new ArrayList<>();
            Histogram floor = evidence.ownCpuFloors().get(context);
            if (floor != null && floor.getTotalCount() > 0 && key >= 0) {
                long f = RunReport.judgedAt(floor, key);
                if (f >= budgetNanos) {
                    reasons.add("the " + context
                            + " threads' own CPU was gone that long: their hiccup floor (the waits "
                            + "a loop on the same schedule would meet from the gaps each saw on its CPU while it spun, "
                            + "in rtsem's slices) is " + us(f) + " us at " + m.percentile() + ", at or above the "
                            + "budget");
                }
            }
            String fed = lateWakeUps(context, budgetNanos, evidence);
            if (fed != null) {
                reasons.add(fed);
            }
            if (!reasons.isEmpty()) {
                out.add(new Limit(m.context(), m.percentile(), String.join("; and ", reasons)));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The episodes over the budget of the context's threads that overlap a late wake-up of one of their sources: the
     * thread itself, and for a consuming acquirer the releasers, each only if it runs at the top real-time priority
     * where it runs; null if none does.
     */
    private static String lateWakeUps(RtContext context, long budgetNanos, Evidence e) {
        if (e.boosts() != null && e.boosts() > 0) {
            return null; // a boosted holder may have run above the thread: not the platform's alone
        }
        List<ThreadSpec> waiting = new ArrayList<>();
        for (ThreadSpec t : e.threads()) {
            if (t.context() == context && t.waits()) {
                waiting.add(t);
            }
        }
        int over = 0;
        int overlapping = 0;
        long latest = 0;
        boolean full = false;
        Set<String> late = new LinkedHashSet<>();
        for (ThreadSpec t : waiting) {
            Set<String> sources = new LinkedHashSet<>();
            if (highestWhereItRuns(t, e)) {
                sources.add(t.name());
            }
            if (t.role() == Role.ACQUIRER && !t.releasesOwn()) {
                for (ThreadSpec r : e.threads()) {
                    if (r.role() == Role.RELEASER && highestWhereItRuns(r, e)) {
                        sources.add(r.name());
                    }
                }
            }
            List<WaitSample> eps = e.episodes().getOrDefault(t.name(), List.of());
            full |= eps.size() >= ScenarioWorker.WORST
                    && eps.get(eps.size() - 1).waitNanos() > budgetNanos;
            for (WaitSample w : eps) {
                if (w.waitNanos() <= budgetNanos) {
                    continue;
                }
                over++;
                boolean hit = false;
                for (LateWake lw : e.lateWakes()) {
                    if (sources.contains(lw.thread())
                            && lw.dueEpochNanos() < w.endEpochNanos()
                            && lw.wokeEpochNanos() > w.startEpochNanos()
                            && !jvmStopped(lw, e.jvmEvents())) {
                        hit = true;
                        latest = Math.max(latest, lw.lateNanos());
                        late.add(lw.thread());
                    }
                }
                overlapping += hit ? 1 : 0;
            }
        }
        if (overlapping == 0) {
            return null;
        }
        List<String> names = new ArrayList<>();
        waiting.forEach(t -> names.add(t.name()));
        List<String> described = new ArrayList<>();
        for (String r : late) {
            described.add(r + " (" + e.policies().get(r) + ")");
        }
        return overlapping + " of the " + (full ? "first " : "") + over + " wait episodes over " + us(budgetNanos)
                + " us of " + String.join(", ", names) + " overlap a late wake-up of " + String.join(", ", described)
                + " (the waiting thread itself, or a releaser its permits come from): at the highest real-time "
                + "priority that can run where it runs, it woke from timed sleeps up to " + us(latest) + " us late "
                + "(cyclictest's measure) with no JVM stop then, so its CPU was given to the platform (interrupts, "
                + "kernel threads, the hypervisor), not to it";
    }

    /** Whether a JVM stop (GC pause, safepoint, or a deoptimization of the sleeper itself) overlaps the late wake. */
    static boolean jvmStopped(LateWake lw, List<JvmEvent> events) {
        return jvmStopped(lw.thread(), lw.dueEpochNanos(), lw.wokeEpochNanos(), events);
    }

    /**
     * Whether a JVM stop (GC pause, safepoint, or a deoptimization of {@code thread} itself) overlaps the span
     * {@code (from, to)} in which {@code thread} did not run.
     */
    static boolean jvmStopped(String thread, long from, long to, List<JvmEvent> events) {
        for (JvmEvent ev : events) {
            boolean stop = ev.kind() == JvmEventLog.Kind.GC
                    || ev.kind() == JvmEventLog.Kind.GC_NOTIFICATION
                    || ev.kind() == JvmEventLog.Kind.SAFEPOINT
                    || (ev.kind() == JvmEventLog.Kind.DEOPTIMIZATION && thread.equals(ev.thread()));
            if (stop && ev.startEpochNanos() < to && ev.endEpochNanos() > from) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether thread {@code r} runs under a real-time policy that no other thread that can share its CPUs reaches: a
     * scenario thread, or rtsem's wake service (unpinned: it runs on the housekeeping CPUs).
     */
    private static boolean highestWhereItRuns(ThreadSpec r, Evidence e) {
        int mine = realTimePriority(e.policies().get(r.name()));
        if (mine == 0) {
            return false;
        }
        for (ThreadSpec t : e.threads()) {
            if (t != r && sharesCpu(r, t) && realTimePriority(e.policies().get(t.name())) >= mine) {
                return false;
            }
        }
        RtScheduling wake = e.wakeScheduling();
        boolean wakeOnItsCpus = !pinnedAway(r);
        boolean wakeRealTime = wake != null
                && wake.policy().map(io.rtsem.core.SchedulingPolicy::isRealTime).orElse(false);
        return !(wakeOnItsCpus && wakeRealTime && wake.priority() >= mine);
    }

    /**
     * Whether two scenario threads can run on one CPU. The harness keeps every unpinned thread off the CPUs its pinned
     * SOFT and HARD threads use (ValidationRun's confinement), so a pinned real-time thread shares no CPU with an
     * unpinned one; a pinned NON_RT thread may.
     */
    static boolean sharesCpu(ThreadSpec a, ThreadSpec b) {
        boolean pa = a.pinnedToFixedCpu();
        boolean pb = b.pinnedToFixedCpu();
        if (pa && pb) {
            return a.cpu() == b.cpu();
        }
        if (!pa && !pb) {
            return true;
        }
        ThreadSpec pinned = pa ? a : b;
        return pinned.context() == RtContext.NON_RT;
    }

    /** Whether the thread is pinned to a CPU the unpinned threads (the wake service among them) are kept off. */
    private static boolean pinnedAway(ThreadSpec t) {
        return t.pinnedToFixedCpu() && t.context() != RtContext.NON_RT;
    }

    /** @return the priority of {@code FIFO n} or {@code RR n}, else 0 */
    static int realTimePriority(String applied) {
        if (applied == null || !(applied.startsWith("FIFO ") || applied.startsWith("RR "))) {
            return 0;
        }
        try {
            return Integer.parseInt(applied.substring(applied.indexOf(' ') + 1).trim());
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    private static String us(long nanos) {
        return String.format(Locale.ROOT, "%,.0f", nanos / 1e3);
    }
}
