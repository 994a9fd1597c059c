package io.rtsem.latency.report;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.machine.MachineState;
import io.rtsem.latency.run.InversionEpisodes;
import io.rtsem.latency.run.JvmEventLog;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.ScenarioWorker;
import io.rtsem.latency.run.SubjectResult.CpuGap;
import io.rtsem.latency.run.SubjectResult.LateWake;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import io.rtsem.latency.run.ThreadSchedMonitor.SchedChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Explains an outlier: which JVM events (GC, safepoint, deoptimization, end of a JIT compilation),
 * which OS scheduler events (CPU migration, preemption), which priority inversions and which late
 * wake-ups of real-time threads on the CPUs the wait depended on overlapped a wait, and what would
 * help. NON_RT; allocates.
 */
public final class Attribution {
    /** Slack around a wait when matching events, for clock-mapping error (nanoseconds). */
    public static final long TOLERANCE_NANOS = 100_000L;

    /**
     * One cause found for one wait.
     *
     * @param kind   gc, safepoint, deoptimization, compilation, migration, preemption, inversion, late-wake or cpu-gap
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

    /**
     * The priority-inversion episodes ({@link InversionEpisodes}) that lie within a worst wait, as causes of kind
     * {@code inversion} naming the holder, its context, its hold against its plan and how long it was off its CPU.
     *
     * @param w        the wait (its intended start to its acquisition)
     * @param episodes the subject's episodes
     * @return one cause per episode of the wait's thread inside it (±{@link #TOLERANCE_NANOS}), possibly none
     * @throws NullPointerException if an argument is null
     */
    public static List<Cause> inversions(WaitSample w, List<InversionEpisodes.Episode> episodes) {
        java.util.Objects.requireNonNull(w, "w");
        java.util.Objects.requireNonNull(episodes, "episodes");
        List<Cause> out = new ArrayList<>();
        for (InversionEpisodes.Episode e : episodes) {
            if (inside(e, w)) {
                out.add(new Cause("inversion", e.describe()));
            }
        }
        return out;
    }

    /**
     * The late wake-ups of real-time sleepers ({@link LateWake}: a SOFT thread's or releaser's timed sleep that ended
     * {@link ScenarioWorker#LATE_WAKE_NANOS} or more late) during a worst wait, on a CPU the wait depended on, as
     * causes of kind {@code late-wake}: the sleeps of the waiting thread itself or of any sleeper that can share a CPU
     * with it (a waiter that is not real-time logs no sleeps of its own), of the releasers its permits come from (a
     * consuming acquirer, {@code releases: none}), and of the holder an inversion episode inside the wait names or any
     * sleeper that can share a CPU with that holder (a holder that is not real-time logs no sleeps of its own: a
     * real-time thread beside it that woke late says its CPU was gone). A late wake-up that a JVM stop overlaps (a GC
     * pause, a safepoint, a deoptimization of the sleeper) is the JVM's and is not listed. One cause per sleeper: its
     * policy, why it counts, how many late wake-ups overlapped the wait and the latest. What ran instead is not known
     * from here: the platform (interrupts, kernel threads, the hypervisor) or a higher real-time thread of the run.
     *
     * @param w         the wait (its intended start to its acquisition)
     * @param episodes  the subject's inversion episodes
     * @param lateWakes the subject's late wake-ups
     * @param threads   the scenario's threads
     * @param policies  each thread's applied scheduling by name ({@code FIFO 40}), as the report reads it
     * @param events    the run's JVM events
     * @return one cause per sleeper, in the order: the waiter, its CPUs, its releasers, the holders' CPUs; possibly
     *     none
     * @throws NullPointerException if an argument is null
     */
    public static List<Cause> lateWakes(
            WaitSample w,
            List<InversionEpisodes.Episode> episodes,
            List<LateWake> lateWakes,
            List<ThreadSpec> threads,
            Map<String, String> policies,
            List<JvmEvent> events) {
        java.util.Objects.requireNonNull(w, "w");
        java.util.Objects.requireNonNull(episodes, "episodes");
        java.util.Objects.requireNonNull(lateWakes, "lateWakes");
        java.util.Objects.requireNonNull(threads, "threads");
        java.util.Objects.requireNonNull(policies, "policies");
        java.util.Objects.requireNonNull(events, "events");
        Map<String, ThreadSpec> byName = new LinkedHashMap<>();
        threads.forEach(t -> byName.put(t.name(), t));
        ThreadSpec waiter = byName.get(w.thread());
        if (waiter == null) {
            return List.of();
        }
        Map<String, String> why = new LinkedHashMap<>(); // sleeper -> why its lateness is this wait's
        why.put(waiter.name(), "the waiting thread itself");
        for (ThreadSpec t : threads) {
            if (t != waiter && PlatformLimits.sharesCpu(t, waiter)) {
                why.putIfAbsent(t.name(), "can run on the CPUs of " + waiter.name() + ", the waiting thread");
            }
        }
        if (waiter.role() == Role.ACQUIRER && !waiter.releasesOwn()) {
            for (ThreadSpec r : threads) {
                if (r.role() == Role.RELEASER) {
                    why.putIfAbsent(r.name(), "a releaser its permits come from");
                }
            }
        }
        for (InversionEpisodes.Episode e : episodes) {
            ThreadSpec holder = byName.get(e.holder());
            if (holder == null || !inside(e, w)) {
                continue;
            }
            why.putIfAbsent(holder.name(), "the holder it waited behind");
            for (ThreadSpec t : threads) {
                if (t != holder && PlatformLimits.sharesCpu(t, holder)) {
                    why.putIfAbsent(
                            t.name(), "can run on the CPUs of " + holder.name() + ", the holder it waited behind");
                }
            }
        }
        Map<String, long[]> seen = new LinkedHashMap<>(); // sleeper -> {count, latest}
        why.keySet().forEach(name -> seen.put(name, new long[2]));
        for (LateWake lw : lateWakes) {
            long[] c = seen.get(lw.thread());
            if (c != null
                    && lw.dueEpochNanos() < w.endEpochNanos()
                    && lw.wokeEpochNanos() > w.startEpochNanos()
                    && !PlatformLimits.jvmStopped(lw, events)) {
                c[0]++;
                c[1] = Math.max(c[1], lw.lateNanos());
            }
        }
        List<Cause> out = new ArrayList<>();
        seen.forEach((name, c) -> {
            if (c[0] > 0) {
                out.add(new Cause(
                        "late-wake",
                        String.format(
                                Locale.ROOT,
                                "%s (%s; %s) woke from a timed sleep %.1f us late during the wait (%d late wake-up(s) "
                                        + "of %d us or more then, cyclictest's measure, no JVM stop overlapping)",
                                name,
                                policies.getOrDefault(name, "policy unknown"),
                                why.get(name),
                                c[1] / 1e3,
                                c[0],
                                ScenarioWorker.LATE_WAKE_NANOS / 1_000L)));
            }
        });
        return out;
    }

    /**
     * The gaps a HARD thread saw on its own CPU while it spun to its tick ({@link CpuGap}, {@link
     * ScenarioWorker#LATE_WAKE_NANOS} or more) that overlap its wait, as one cause of kind {@code cpu-gap}: a wait
     * that starts late because the thread's CPU was gone when its tick came (the gap log covers the spin between
     * iterations, not the spin inside {@code acquire}). A gap that a JVM stop overlaps is the JVM's and is not counted.
     *
     * @param w      the wait
     * @param gaps   the subject's gaps
     * @param events the run's JVM events
     * @return at most one cause: how many gaps and the longest; possibly none
     * @throws NullPointerException if an argument is null
     */
    public static List<Cause> cpuGaps(WaitSample w, List<CpuGap> gaps, List<JvmEvent> events) {
        java.util.Objects.requireNonNull(w, "w");
        java.util.Objects.requireNonNull(gaps, "gaps");
        java.util.Objects.requireNonNull(events, "events");
        int count = 0;
        long longest = 0;
        for (CpuGap g : gaps) {
            if (g.thread().equals(w.thread())
                    && g.startEpochNanos() < w.endEpochNanos()
                    && g.endEpochNanos() > w.startEpochNanos()
                    && !PlatformLimits.jvmStopped(g.thread(), g.startEpochNanos(), g.endEpochNanos(), events)) {
                count++;
                longest = Math.max(longest, g.lengthNanos());
            }
        }
        if (count == 0) {
            return List.of();
        }
        return List.of(new Cause(
                "cpu-gap",
                String.format(
                        Locale.ROOT,
                        "%s's own CPU was gone for %.1f us while it spun to its tick (%d gap(s) of %d us or more "
                                + "between two of its clock reads then, no JVM stop overlapping)",
                        w.thread(),
                        longest / 1e3,
                        count,
                        ScenarioWorker.LATE_WAKE_NANOS / 1_000L)));
    }

    /** Whether an inversion episode lies within the wait, as {@link #inversions} matches them. */
    private static boolean inside(InversionEpisodes.Episode e, WaitSample w) {
        return e.waiter().equals(w.thread())
                && e.waitStartEpochNanos() >= w.startEpochNanos() - TOLERANCE_NANOS
                && e.waitEndEpochNanos() <= w.endEpochNanos() + TOLERANCE_NANOS;
    }

    /**
     * The scheduling one scenario thread asked for and got (from its {@code RtThread}'s {@code AppliedScheduling}),
     * as the machine advice needs it.
     *
     * @param thread      the thread
     * @param context     its context
     * @param cpu         the CPU it was pinned to, or negative if not pinned
     * @param requested   the request as configured ({@code fifo:40/prefer}, {@code default} ...)
     * @param applied     the policy and priority the kernel reported ({@code FIFO 40}, {@code OTHER 0})
     * @param asRequested false if the kernel refused the request and the thread fell back (PREFER)
     * @param note        why it fell back, or a warning (RT throttling), {@code ""} if none
     */
    public record ThreadPolicy(
            String thread,
            RtContext context,
            int cpu,
            String requested,
            String applied,
            boolean asRequested,
            String note) {
        /** @throws NullPointerException if a reference is null */
        public ThreadPolicy {
            java.util.Objects.requireNonNull(thread, "thread");
            java.util.Objects.requireNonNull(context, "context");
            java.util.Objects.requireNonNull(requested, "requested");
            java.util.Objects.requireNonNull(applied, "applied");
            java.util.Objects.requireNonNull(note, "note");
        }
    }

    /**
     * Advice about the machine and the scheduling, each line only when this run shows what it cost: RT throttling
     * that kept a HARD thread from FIFO (or throttles a FIFO one) and whose thread was preempted during a worst wait;
     * a scheduling request the kernel refused (capabilities, RLIMIT_RTPRIO); preemptions or migrations of a pinned
     * HARD thread during its worst waits on a CPU that is not isolated (isolcpus, nohz_full, IRQ affinity); and
     * priority-inversion episodes, on the peer only (the boost did its job) or on rtsem (what to check).
     *
     * @param machine     the kernel's real-time settings at the start of the run
     * @param policies    each scenario thread's scheduling (empty for a synthetic run)
     * @param worst       rtsem's worst waits
     * @param worstCauses their causes, same order
     * @param rtsem       rtsem's episodes and boosts
     * @param peer        the peer's episodes
     * @return advice lines, in a stable order
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code worst} and {@code worstCauses} differ in size
     */
    public static List<String> machineAdvice(
            MachineState machine,
            List<ThreadPolicy> policies,
            List<WaitSample> worst,
            List<List<Cause>> worstCauses,
            InversionEpisodes.Result rtsem,
            InversionEpisodes.Result peer) {
        java.util.Objects.requireNonNull(machine, "machine");
        java.util.Objects.requireNonNull(policies, "policies");
        java.util.Objects.requireNonNull(worst, "worst");
        java.util.Objects.requireNonNull(worstCauses, "worstCauses");
        java.util.Objects.requireNonNull(rtsem, "rtsem");
        java.util.Objects.requireNonNull(peer, "peer");
        if (worst.size() != worstCauses.size()) {
            throw new IllegalArgumentException(
                    "worst has " + worst.size() + " waits but worstCauses " + worstCauses.size() + " lists");
        }
        List<String> out = new ArrayList<>();
        // RT throttling that cost a HARD thread: kept at SCHED_OTHER (or throttled at FIFO) and preempted when it
        // waited worst
        List<String> throttled = new ArrayList<>();
        for (ThreadPolicy p : policies) {
            if (p.context() == RtContext.HARD
                    && p.note().contains("RT throttling")
                    && !Boolean.FALSE.equals(machine.throttled())
                    && preempted(p.thread(), worst, worstCauses, Set.of("preemption")) > 0) {
                throttled.add(p.thread() + " (runs " + p.applied() + ")");
            }
        }
        if (!throttled.isEmpty()) {
            out.add("RT throttling: " + String.join(", ", throttled) + " ran under the policy RT throttling left it"
                    + " and was preempted during its worst waits"
                    + (machine.rtRuntimeUs() == null ? "" : " (sched_rt_runtime_us " + machine.rtRuntimeUs() + ")")
                    + ". ./rtsem tune --apply sets sched_rt_runtime_us to -1 (./rtsem tune --revert restores it), so "
                    + "a pinned HARD thread's default is SCHED_FIFO and FIFO is never stopped for the rest of each "
                    + "period; docs/DEPLOYING.md.");
        }
        // a request the kernel refused: capabilities, rtprio limits
        List<String> refused = new ArrayList<>();
        for (ThreadPolicy p : policies) {
            if (!p.asRequested()) {
                refused.add(p.thread() + " (" + p.context() + ") asked " + p.requested() + ", runs " + p.applied());
            }
        }
        if (!refused.isEmpty()) {
            String caps = machine.capSysNice() == null
                    ? ""
                    : machine.capSysNice()
                            ? " This JVM has CAP_SYS_NICE: a container or security module refused it."
                            : " This JVM lacks CAP_SYS_NICE (RLIMIT_RTPRIO soft " + machine.rtprioSoft() + ", hard "
                                    + machine.rtprioHard() + ").";
            out.add("capabilities: " + String.join("; ", refused) + ": the kernel refused the policy and the thread"
                    + " fell back (/prefer)." + caps + " Give the JVM CAP_SYS_NICE (systemd AmbientCapabilities="
                    + "CAP_SYS_NICE, or setcap cap_sys_nice+ep on the java binary) or an RLIMIT_RTPRIO at least the "
                    + "priority asked (limits.conf rtprio, systemd LimitRTPRIO=); docs/DEPLOYING.md.");
        }
        // preemption or migration of a pinned HARD thread on a CPU the kernel does not keep clear
        List<String> shared = new ArrayList<>();
        Set<Integer> cpus = new java.util.TreeSet<>();
        for (ThreadPolicy p : policies) {
            if (p.context() != RtContext.HARD || p.cpu() < 0) {
                continue;
            }
            boolean isolated = machine.isolated() != null && machine.isolated().get(p.cpu());
            boolean tickless = machine.nohzFull() != null && machine.nohzFull().get(p.cpu());
            int n = preempted(p.thread(), worst, worstCauses, Set.of("preemption", "migration"));
            if (n > 0 && !(isolated && tickless)) {
                shared.add(p.thread() + " on CPU " + p.cpu() + " in " + n + " of its worst waits (CPU " + p.cpu()
                        + (isolated ? " isolated" : " not in isolcpus") + ", "
                        + (tickless ? "tickless" : "not in nohz_full") + ")");
                cpus.add(p.cpu());
            }
        }
        if (!shared.isEmpty()) {
            String list = cpus.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
            out.add("isolcpus/nohz_full: the OS preempted or moved " + String.join("; ", shared) + ". Boot with "
                    + "isolcpus=" + list + " nohz_full=" + list + " rcu_nocbs=" + list + " and keep interrupts off "
                    + "those CPUs (irqaffinity= at boot; ./rtsem tune --apply moves IRQ affinity at run time); "
                    + "docs/DEPLOYING.md.");
        }
        // priority inversion
        if (peer.total() > 0 && rtsem.total() == 0) {
            out.add("priority inversion: the j.u.c. peer had " + peer.total() + " episode(s) " + peer.episodes()
                    + " (a real-time waiter blocked by a lower-context holder that was not running), rtsem none"
                    + boosts(rtsem) + ": rtsem's priority boost kept the holders running (ARCHITECTURE P1-P9).");
        } else if (rtsem.total() > 0) {
            StringBuilder sb = new StringBuilder("priority inversion: rtsem had ")
                    .append(rtsem.total())
                    .append(" episode(s) ")
                    .append(rtsem.episodes())
                    .append(" (the peer ")
                    .append(peer.total())
                    .append(")")
                    .append(boosts(rtsem))
                    .append(". Check: ");
            Set<String> waiters = new java.util.LinkedHashSet<>();
            rtsem.list().forEach(e -> waiters.add(e.waiter()));
            List<String> notRealTime = new ArrayList<>();
            for (ThreadPolicy p : policies) {
                if (waiters.contains(p.thread())
                        && !p.applied().startsWith("FIFO")
                        && !p.applied().startsWith("RR")) {
                    notRealTime.add(p.thread() + " runs " + p.applied());
                }
            }
            if (!notRealTime.isEmpty()) {
                sb.append("the waiters run under no real-time policy (")
                        .append(String.join(", ", notRealTime))
                        .append("), and only a waiter whose RtThread set a FIFO or RR policy boosts its holders "
                                + "(P2, P8): give it scheduling: default or fifo:N; ");
            }
            if (rtsem.priorityBoostsRefused() != null && rtsem.priorityBoostsRefused() > 0) {
                sb.append("the kernel refused ")
                        .append(rtsem.priorityBoostsRefused())
                        .append(" boost(s) (P9: CAP_SYS_NICE, RLIMIT_RTPRIO; docs/DEPLOYING.md); ");
            }
            if (rtsem.priorityBoosts() != null && rtsem.priorityBoosts() == 0) {
                sb.append("no boost was applied: is priorityBoost on for the semaphore (RtSemaphore.Builder"
                        + ".priorityBoost, default on), and did a SOFT or HARD RtThread exist when the holder "
                        + "acquired (P1)? ");
            }
            sb.append(
                    "a HARD waiter's holder is boosted by the bridge's wake service, within 1 ms (P3), or sooner by a SOFT or "
                            + "NON_RT waiter of the same semaphore (P3a); a holder "
                            + "that is not preempted but outranked by another FIFO thread of higher priority is not helped.");
            out.add(sb.toString());
        }
        return List.copyOf(out);
    }

    private static String boosts(InversionEpisodes.Result r) {
        return r.priorityBoosts() == null
                ? ""
                : "; rtsem boosted holders " + r.priorityBoosts() + " time(s), " + r.priorityBoostsRefused()
                        + " refused";
    }

    /** @return how many of the worst waits of {@code thread} have a cause of one of {@code kinds} */
    private static int preempted(String thread, List<WaitSample> worst, List<List<Cause>> causes, Set<String> kinds) {
        int n = 0;
        for (int i = 0; i < worst.size(); i++) {
            if (worst.get(i).thread().equals(thread)
                    && causes.get(i).stream().anyMatch(c -> kinds.contains(c.kind()))) {
                n++;
            }
        }
        return n;
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
            "SpanLog",
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
        if (kinds.contains("cpu-gap")) {
            out.add("cpu-gap: a HARD thread's own CPU was taken from it while it spun, with no JVM stop then: by "
                    + "the platform (interrupts, kernel threads, or the hypervisor stopping the vCPU); the hiccup "
                    + "floor shows how much of the HARD tail this is. Move interrupts off the real-time CPUs "
                    + "(./rtsem tune --apply), isolate them (isolcpus, nohz_full), or use dedicated CPUs (bare "
                    + "metal, pinned vCPUs).");
        }
        if (kinds.contains("late-wake")) {
            out.add("late-wake: a real-time thread the wait depended on (the waiter, a releaser, or a thread on the "
                    + "holder's CPU) woke from a timed sleep far later than due with no JVM stop then: its CPU ran "
                    + "something above it, the platform (interrupts, kernel threads, or the hypervisor stopping the "
                    + "vCPU) or a higher real-time thread of the run, and no semaphore shortens a wait for a thread "
                    + "whose CPU is gone. See that CPU's gaps (hiccups-cpu<N>.hgrm), move interrupts off the "
                    + "real-time CPUs (./rtsem tune --apply), isolate them (isolcpus, nohz_full), or use dedicated "
                    + "CPUs (bare metal, pinned vCPUs).");
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
