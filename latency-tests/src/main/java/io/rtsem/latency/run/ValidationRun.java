package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Budget;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.StallSpec;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import net.openhft.affinity.Affinity;

/**
 * Runs one scenario: a JIT warm-up of the scenario on each subject alone, then the scenario on rtsem and on
 * {@code java.util.concurrent.Semaphore} interleaved (the same threads alternate between the two in {@link Slices},
 * warm-up and measurement), then the cache-line hand-off floor and a spinning gap detector ({@link CpuGapMeter}) on
 * the scenario's real-time CPUs (last, when JVM start-up is over), with the platform hiccup meter, a JFR recording
 * and the OS scheduler monitor running throughout.
 *
 * <p>The calling thread (NON_RT) is the harness: it starts the scenario threads, samples the
 * recorders every interval into the {@code .hlog} files, drains over-budget waits into JFR
 * events, samples the scheduler every 5 ms, prints the progress line and stops the threads at
 * the end. {@link #run} blocks for {@link Scenario#plannedNanos()} plus a little.
 */
public final class ValidationRun {
    private static final long SCHED_SAMPLE_NANOS = 5_000_000L;
    /** Waits over budget a scenario thread can log before the harness drains them (once per interval). */
    private static final int OVER_BUDGET_RING = 1024;
    /** How many distinct worst-wait episodes a report lists per subject. */
    public static final int WORST_EPISODES = 10;

    private final Scenario scenario;
    private final Path outDir;
    private final PrintWriter progress;
    private final boolean withJfr;
    private final List<String> notes = new ArrayList<>();
    /** Starts the per-CPU gap detectors ({@link CpuGapMeter}); a stand-in in tests. */
    private CpuGapMeter.Starter gapStarter = CpuGapMeter.PINNED;
    /** The scenario's threads with every {@code cpu: any} resolved to a CPU number. */
    private List<ThreadSpec> threads;
    private long epochOffset;
    private long runStartNanoTime;

    /**
     * @param scenario the validated scenario
     * @param outDir   output directory (created if missing)
     * @param progress where the live progress line goes, or null for none ({@code --quiet})
     * @param withJfr  record JVM events with JFR (false: GC notifications only)
     */
    public ValidationRun(Scenario scenario, Path outDir, PrintWriter progress, boolean withJfr) {
        this.scenario = scenario;
        this.outDir = outDir;
        this.progress = progress;
        this.withJfr = withJfr;
    }

    /**
     * For tests: the gap detectors of the floor phase are started by {@code starter} (one that cannot pin, or a detector
     * that never runs) instead of as pinned {@code RtThread}s.
     *
     * @param starter starts each CPU's detector thread
     * @return this run
     */
    ValidationRun withGapStarter(CpuGapMeter.Starter starter) {
        this.gapStarter = starter;
        return this;
    }

    /**
     * Runs every phase and returns what was measured. NON_RT; blocks; allocates.
     *
     * @return the raw measurements
     * @throws IOException          if an output file cannot be written
     * @throws InterruptedException if the harness thread is interrupted
     * @throws ThreadStartException  if a scenario thread cannot be started or pinned as configured
     * @throws IllegalStateException if a scenario thread failed or did not stop
     */
    public RunResult run() throws IOException, InterruptedException {
        Files.createDirectories(outDir);
        long startedMillis = System.currentTimeMillis();
        epochOffset = EpochClock.offsetNanos();
        runStartNanoTime = System.nanoTime();
        BitSet harnessAffinity = Affinity.getAffinity();
        int cpuCount = Runtime.getRuntime().availableProcessors();
        threads = resolveAnyCpus(harnessAffinity);
        // confine first, then start JFR: its threads are created by this (confined) thread and inherit its mask
        ThreadConfinement confinement = confineToHousekeepingCpus(harnessAffinity);
        JvmEventLog jvm = null;
        try {
            jvm = new JvmEventLog(withJfr);
            if (jvm.jfrProblem() != null) {
                notes.add(jvm.jfrProblem());
            }
            if (confinement != null) {
                confinement.sweep(Set.of()); // anything JFR or the JVM started meanwhile from an unconfined thread
                confinementNote(confinement);
            }
            return measure(jvm, startedMillis, harnessAffinity, cpuCount);
        } finally {
            Affinity.setAffinity(harnessAffinity);
            if (confinement != null) {
                confinement.close();
            }
            if (jvm != null) {
                jvm.close();
            }
        }
    }

    private RunResult measure(JvmEventLog jvm, long startedMillis, BitSet harnessAffinity, int cpuCount)
        throws IOException, InterruptedException {
        try (HiccupMeter hiccups = new HiccupMeter()) {
            boolean nonRt = scenario.threads().stream().anyMatch(t -> t.context() == RtContext.NON_RT);
            if (scenario.warmupNanos() > 0) {
                // The harness's own code (loops, recorders, logs) is shared by both subjects: without this, the
                // subjects' first slices would meet its compilations and deoptimizations. Each subject alone, so that
                // neither is measured while the JIT is still busy with its code (on a 2-CPU machine the compiler
                // threads share the housekeeping CPU with the scenario's NON_RT/SOFT threads, and a C2 compilation
                // there delays them by milliseconds).
                status("JIT warm-up: each subject for one warm-up, nothing recorded");
                try (SemaphoreUnderTest s = new RtsemUnderTest(scenario.semaphore(), nonRt)) {
                    runPhase(List.of(s), hiccups, true);
                }
                try (SemaphoreUnderTest s = new JucPeerUnderTest(scenario.semaphore())) {
                    runPhase(List.of(s), hiccups, true);
                }
                notes.add("before anything was measured, the scenario ran once on each subject alone for its warm-up ("
                    + scenario.warmupNanos() / 1_000_000 + " ms each), nothing recorded: the JIT compiles the "
                    + "harness's and both subjects' code before either is measured");
            }
            Phase phase;
            try (SemaphoreUnderTest r = new RtsemUnderTest(scenario.semaphore(), nonRt);
                 SemaphoreUnderTest p = new JucPeerUnderTest(scenario.semaphore())) {
                phase = runPhase(List.of(r, p), hiccups, false);
            }
            SubjectResult rtsem = phase.subjects().get(0);
            SubjectResult peer = phase.subjects().get(1);
            // the floor comes last, when JVM start-up (class loading, JFR, first compilations) is over. The harness
            // gets its whole mask back first (the floor's threads start from it); the JVM's other threads stay off the
            // real-time CPUs. The floor's CPUs come from the mask the run started with, not from availableProcessors():
            // on JDK 17 in a container that is one figure for the whole process, cached for 20 ms, computed from the
            // mask of whichever thread asked last, and a confined thread (a GC thread, for one) asks now and then, so
            // right after the peer's phase it said 1 on a 2-CPU machine and CPU 0 got no floor thread and no gap
            // detector (ValidateEndToEndTest lost hiccups-cpu0.hgrm that way).
            Affinity.setAffinity(harnessAffinity);
            int[] cpus = floorCpus(threads, allowedCpus(harnessAffinity));
            List<String> floorNotes = new ArrayList<>();
            if (cpus[1] < 0) {
                floorNotes.add("the floor phase had only CPU " + cpuName(cpus[0]) + " to pin to (this process may use CPUs "
                    + allowedCpus(harnessAffinity) + "): the floor hand-off ran against an unpinned thread, and no gap "
                    + "detector ran on a second CPU");
            }
            status("floor: cache-line hand-off between CPUs " + cpuName(cpus[0]) + " and " + cpuName(cpus[1]));
            hiccups.take();
            long floorWarmup = Math.min(scenario.floorNanos() / 5, 200_000_000L);
            Histogram floor = HandoffFloorMeter.measure(cpus[0], cpus[1], floorWarmup, scenario.floorNanos());
            status("floor: hiccups of a spinning thread on CPUs " + cpuName(cpus[0]) + " and " + cpuName(cpus[1]));
            List<CpuGapMeter.CpuGaps> cpuHiccups = CpuGapMeter.measure(cpus, scenario.floorNanos(), gapStarter);
            for (CpuGapMeter.CpuGaps g : cpuHiccups) {
                if (g.problem() != null) {
                    floorNotes.add(g.problem());
                }
            }
            notes.addAll(floorNotes);
            Histogram floorHiccups = hiccups.take();
            List<JvmEventLog.JvmEvent> events = jvm.stop(outDir.resolve("run.jfr"));
            if (progress != null) {
                progress.print("\r" + " ".repeat(100) + "\r");
                progress.flush();
            }
            long[] range = phase.slices().sliceLengthRange();
            RunResult.Interleaving interleaving = new RunResult.Interleaving(phase.slices().count(),
                phase.slices().nominalSliceNanos(), range[0], range[1], phase.slices().perSubjectNanos(),
                2 * scenario.warmupNanos());
            return new RunResult(scenario, outDir, startedMillis, cpus, floor, floorHiccups, cpuHiccups, rtsem, peer,
                events,
                ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getProperty("java.vm.version"),
                cpuCount, List.copyOf(notes), List.copyOf(floorNotes), threads, interleaving, phase.threadCpuMillis());
        }
    }

    /**
     * Resolves {@code cpu: any} to CPU numbers before anything starts, so that no such thread can take a CPU a thread
     * pinned to a fixed CPU needs, and so that the confinement knows every real-time CPU: fixed CPUs of HARD/SOFT
     * threads are reserved first, then each HARD/SOFT {@code any} thread takes a free CPU of its own (the highest
     * first, as {@code RtThread} would), then a NON_RT {@code any} thread takes a CPU no spinner holds.
     *
     * @throws ThreadStartException if a HARD/SOFT {@code any} thread finds no free CPU in the allowed mask
     */
    private List<ThreadSpec> resolveAnyCpus(BitSet allowed) {
        ThreadSpec[] out = scenario.threads().toArray(new ThreadSpec[0]);
        BitSet taken = new BitSet();
        for (ThreadSpec t : out) {
            if (t.context() != RtContext.NON_RT && t.pinnedToFixedCpu()) {
                taken.set(t.cpu());
            }
        }
        for (boolean spinners : new boolean[] {true, false}) {
            for (int i = 0; i < out.length; i++) {
                ThreadSpec t = out[i];
                if (t.cpu() != RtThread.ANY_CPU || (t.context() != RtContext.NON_RT) != spinners) {
                    continue;
                }
                BitSet free = (BitSet) allowed.clone();
                free.andNot(taken);
                int cpu = free.length() - 1;
                if (cpu < 0 && spinners) {
                    throw new ThreadStartException("cannot start scenario thread " + t.name() + " on cpu any: every "
                        + "CPU this process may use (" + allowed + ") is held by a pinned real-time thread " + taken, null);
                }
                cpu = cpu < 0 ? allowed.length() - 1 : cpu;
                if (spinners) {
                    taken.set(cpu);
                }
                out[i] = t.withCpu(cpu);
                notes.add("thread " + t.name() + " (cpu: any) ran on CPU " + cpu);
            }
        }
        return List.of(out);
    }

    /**
     * Keeps everything that is not a pinned real-time thread off the pinned real-time CPUs, as {@code isolcpus} or a
     * cpuset would in production: every thread of the JVM that exists now (the harness, JIT compiler threads, the VM
     * thread, GC workers, service and notification threads, a test runner's threads) moves to the remaining CPUs
     * ({@link ThreadConfinement}), and every thread created from then on by one of them (JFR's threads, unpinned
     * scenario threads, the hiccup meter, the bridge's wake service, new compiler threads) inherits that mask. Without
     * it, a thread the scheduler puts on a HARD thread's CPU preempts the HARD thread (milliseconds, while it may hold
     * the permit), and a NON_RT thread woken there waits a whole scheduler slice behind the spinner. Pinned threads
     * set their own affinity. Applies to rtsem, the peer and the floor alike; said in the report's notes.
     *
     * @return the confinement to undo at the end, or null where there is nothing to confine or it is not possible
     */
    private ThreadConfinement confineToHousekeepingCpus(BitSet harnessAffinity) {
        BitSet reserved = new BitSet();
        for (ThreadSpec t : threads) {
            if (t.context() != RtContext.NON_RT && t.pinnedToFixedCpu()) {
                reserved.set(t.cpu());
            }
        }
        BitSet housekeeping = (BitSet) harnessAffinity.clone();
        housekeeping.andNot(reserved);
        if (reserved.isEmpty()) {
            return null;
        }
        if (housekeeping.isEmpty()) {
            notes.add("every CPU is held by a pinned real-time thread (" + reserved + "): unpinned threads, the "
                + "harness and the JVM's own threads share them, and preempt them");
            return null;
        }
        if (!ThreadConfinement.supported()) {
            Affinity.setAffinity(housekeeping);
            notes.add("no /proc/self/task: only the harness and the threads it starts ran on CPUs " + housekeeping
                + "; the JVM's own threads (JIT, GC, VM thread) could still run on " + reserved);
            return null;
        }
        return new ThreadConfinement(housekeeping, harnessAffinity);
    }

    private void confinementNote(ThreadConfinement c) {
        notes.add("every thread of the JVM but the pinned real-time ones ran on CPUs " + c.housekeeping() + ", as "
            + "isolcpus would: " + c.confined() + " threads moved before the run (the harness, JIT compiler, VM, GC, "
            + "service threads), and those started later (JFR's, unpinned scenario threads, the hiccup meter, the "
            + "bridge's wake service) inherit the mask of the thread that creates them");
        if (!c.problems().isEmpty()) {
            notes.add("could not confine " + c.problems().size() + " thread(s): " + c.problems());
        }
    }

    /**
     * The floor's two CPUs: the scenario's pinned real-time CPUs in file order, completed with the lowest other CPUs of
     * {@code allowed}, and {@code RtThread.NO_PIN} where there is none.
     *
     * @param threads the scenario's threads, {@code cpu: any} resolved
     * @param allowed the CPUs this process may use (the harness's mask at the start of the run)
     * @return two CPU numbers, or {@code RtThread.NO_PIN} for a side that has no CPU of its own
     */
    static int[] floorCpus(List<ThreadSpec> threads, BitSet allowed) {
        List<Integer> cpus = new ArrayList<>();
        for (ThreadSpec t : threads) {
            if (t.context() != RtContext.NON_RT && t.pinnedToFixedCpu() && !cpus.contains(t.cpu())) {
                cpus.add(t.cpu());
            }
        }
        for (int c = allowed.nextSetBit(0); c >= 0 && cpus.size() < 2; c = allowed.nextSetBit(c + 1)) {
            if (!cpus.contains(c)) {
                cpus.add(c);
            }
        }
        while (cpus.size() < 2) {
            cpus.add(RtThread.NO_PIN);
        }
        return new int[] {cpus.get(0), cpus.get(1)};
    }

    /** @return the CPUs of {@code affinity}, or CPUs 0 to availableProcessors()-1 where the mask is unknown (empty) */
    private static BitSet allowedCpus(BitSet affinity) {
        if (!affinity.isEmpty()) {
            return affinity;
        }
        BitSet all = new BitSet();
        all.set(0, Runtime.getRuntime().availableProcessors());
        return all;
    }

    /** What one phase measured: a result per subject, its slices and the CPU time its threads used. */
    private record Phase(List<SubjectResult> subjects, Slices slices, Map<String, Double> threadCpuMillis) {
    }

    /**
     * Runs the scenario on {@code subjects}: warm-up, then measurement, with one set of scenario threads. With two
     * subjects they alternate in {@link Slices} (each subject gets {@code warmup} of the warm-up and {@code duration} of
     * the measurement, so the phase lasts twice as long); with one, it has the whole phase. With {@code warmUpOnly},
     * the warm-up alone, with no log, no JFR event and no note (the JIT pass); the result is then meaningless.
     */
    private Phase runPhase(List<SemaphoreUnderTest> subjects, HiccupMeter hiccups, boolean warmUpOnly)
        throws IOException, InterruptedException {
        // A collection before the phase, outside any measurement (as JMH's -gc does): the phase starts with an
        // empty young generation.
        System.gc();
        hiccups.take(); // drop what happened between phases
        ThreadCpuSnapshot cpuBefore = ThreadCpuSnapshot.take();
        ThreadCpuSnapshot cpuAfter = cpuBefore;
        int n = subjects.size();
        PhaseRecorders warm = new PhaseRecorders();
        PhaseRecorders[] measured = new PhaseRecorders[n];
        ReleaseStamp[] stamps = new ReleaseStamp[n];
        AtomicLong[] outstanding = new AtomicLong[n];
        for (int i = 0; i < n; i++) {
            measured[i] = new PhaseRecorders();
            stamps[i] = new ReleaseStamp();
            // permits taken and not given back ("releases: none"); a releaser returns only these
            outstanding[i] = new AtomicLong(scenario.semaphore().maxPermits() - scenario.semaphore().permits());
        }
        long start = System.nanoTime() + 50_000_000L;
        long measureStart = start + n * scenario.warmupNanos();
        Slices slices = n == 1 ? Slices.single(measureStart, measureStart + (warmUpOnly ? 0 : scenario.durationNanos()))
            : Slices.interleaved(measureStart, scenario.durationNanos(), scenario.sliceNanos());
        long stop = slices.stop();
        StallSpec stall = warmUpOnly ? null : scenario.stall().orElse(null);
        List<ScenarioWorker> workers = new ArrayList<>();
        List<ScenarioWorker> consumers = new ArrayList<>();
        for (ThreadSpec t : threads) {
            Budget b = scenario.budgets().get(t.context());
            long threshold = b == null || !t.waits() ? Long.MAX_VALUE : b.singleWaitThresholdNanos();
            ScenarioWorker.Lane[] lanes = new ScenarioWorker.Lane[n];
            long[] stallAt = new long[n];
            for (int i = 0; i < n; i++) {
                lanes[i] = new ScenarioWorker.Lane(subjects.get(i).gateFor(t), stamps[i], outstanding[i], measured[i],
                    new OverBudgetLog(threshold, OVER_BUDGET_RING));
                // each subject's stall at the same point of its own measured time
                stallAt[i] = stall != null && stall.thread().equals(t.name()) ? slices.instantOf(i, stall.atNanos())
                    : Long.MAX_VALUE;
            }
            ScenarioWorker w = new ScenarioWorker(t, lanes, warm, slices, start, measureStart, stop, stallAt,
                stall == null ? 0 : stall.forNanos());
            workers.add(w);
            if (t.role() == Role.ACQUIRER && !t.releasesOwn()) {
                consumers.add(w);
            }
        }
        for (ScenarioWorker w : workers) {
            if (w.spec().role() == Role.RELEASER) {
                w.consumers(consumers);
            }
        }
        String label = n == 1 ? subjects.get(0).name() : "rtsem+peer";
        List<RtThread> running = new ArrayList<>();
        try {
            for (ScenarioWorker w : workers) {
                ThreadSpec t = w.spec();
                running.add(RtThread.start(t.name(), t.context(), t.cpu(), w));
            }
        } catch (RuntimeException e) {
            workers.forEach(ScenarioWorker::abort);
            running.forEach(Thread::interrupt);
            subjects.forEach(s -> s.unblock(1_000));
            throw new ThreadStartException("cannot start scenario thread " + workers.get(running.size()).spec().name()
                + " on cpu " + cpuName(workers.get(running.size()).spec().cpu()) + ": " + e.getMessage(), e);
        }
        if (n > 1) {
            hiccups.interleave(slices);
        }
        ThreadSchedMonitor sched = new ThreadSchedMonitor(epochOffset);
        List<Map<RtContext, HistogramLogWriter>> logs = new ArrayList<>();
        Set<RtContext> waiting = scenario.waitingContexts();
        try {
            for (SemaphoreUnderTest s : subjects) {
                logs.add(warmUpOnly ? new EnumMap<>(RtContext.class) : openLogs(s.name(), measureStart));
            }
            boolean watching = false;
            long nextInterval = measureStart + scenario.intervalNanos();
            long lastIntervalEnd = measureStart;
            long nextProgress = 0;
            while (true) {
                long now = System.nanoTime();
                if (!watching && now >= start) {
                    for (ScenarioWorker w : workers) {
                        sched.watch(w.spec().name(), w.nativeTid());
                    }
                    watching = true;
                }
                sched.sample();
                if (cpuAfter == cpuBefore && now >= stop - 20_000_000L) {
                    cpuAfter = ThreadCpuSnapshot.take(); // while the scenario threads are still alive
                }
                if (!warmUpOnly && (now >= nextInterval || now >= stop)) {
                    long end = Math.min(now, stop);
                    for (int i = 0; i < n; i++) {
                        writeInterval(measured[i], logs.get(i), waiting, lastIntervalEnd - measureStart,
                            end - measureStart);
                    }
                    lastIntervalEnd = end;
                    nextInterval += scenario.intervalNanos();
                    drain(workers, subjects);
                }
                if (now >= nextProgress) {
                    progress(label, now, measureStart, measured, waiting);
                    nextProgress = now + 250_000_000L;
                }
                if (now >= stop) {
                    break;
                }
                Thread.sleep(SCHED_SAMPLE_NANOS / 1_000_000L);
            }
            stopThreads(subjects, workers, running, warmUpOnly);
            sched.sample();
            if (!warmUpOnly) {
                for (int i = 0; i < n; i++) {
                    writeInterval(measured[i], logs.get(i), waiting, lastIntervalEnd - measureStart,
                        System.nanoTime() - measureStart);
                }
                drain(workers, subjects);
            }
        } finally {
            hiccups.interleave(Slices.single(0, 0));
            for (Map<RtContext, HistogramLogWriter> m : logs) {
                for (HistogramLogWriter w : m.values()) {
                    w.close();
                }
            }
        }
        for (ScenarioWorker w : workers) {
            if (w.failure() != null) {
                throw new IllegalStateException("scenario thread " + w.spec().name() + " failed on " + label
                    + ": " + w.failure(), w.failure());
            }
        }
        Histogram[] phaseHiccups = hiccups.takeBySubject();
        List<SubjectResult> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SemaphoreUnderTest subject = subjects.get(i);
            long lost = 0;
            long overBudget = 0;
            Map<String, SubjectResult.ThreadSchedule> schedule = new LinkedHashMap<>();
            List<WaitSample> worst = new ArrayList<>();
            for (ScenarioWorker w : workers) {
                ThreadSpec t = w.spec();
                lost += w.overBudget(i).lost();
                overBudget += w.overBudget(i).count();
                long scheduled = t.fixedRate() ? slices.scheduled(i, start, t.periodNanos())
                    : SubjectResult.ThreadSchedule.NO_SCHEDULE;
                schedule.put(t.name(), new SubjectResult.ThreadSchedule(scheduled, w.completed(i), w.unfinished(i)));
                if (w.unfinished(i) > 0 && !warmUpOnly) {
                    notes.add("thread " + t.name() + " was still waiting on " + subject.name() + " when the run stopped "
                        + "it; that wait is recorded as ending at the stop");
                }
                WorstWaits ww = w.worstWaits(i);
                for (int k = 0; k < ww.capacity(); k++) {
                    if (ww.waitNanos(k) >= 0) {
                        worst.add(new WaitSample(t.name(), t.context().name(), ww.waitNanos(k), ww.serviceNanos(k),
                            ww.startNanoTime(k) + epochOffset, ww.endNanoTime(k) + epochOffset));
                    }
                }
            }
            if (lost > 0 && !warmUpOnly) {
                notes.add(lost + " wait(s) over budget on " + subject.name() + " were not turned into "
                    + "io.rtsem.WaitOverBudget JFR events: the ring of " + OVER_BUDGET_RING + " per thread was full "
                    + "(they count in overBudgetWaits)");
            }
            worst.sort(Comparator.comparingLong(WaitSample::waitNanos).reversed());
            Map<RtContext, String> styles = new EnumMap<>(RtContext.class);
            for (RtContext c : waiting) {
                styles.put(c, subject.waitStyle(c));
            }
            Histogram subjectHiccups = n == 1 ? sum(phaseHiccups) : phaseHiccups[i];
            Map<String, Histogram> hiccupFloors = new LinkedHashMap<>();
            for (ScenarioWorker w : workers) {
                if (w.spec().context() == RtContext.HARD && w.spec().fixedRate() && !warmUpOnly) {
                    int subjectIndex = i;
                    LongPredicate mine = t -> t >= measureStart && t < stop && slices.subjectAt(t) == subjectIndex;
                    hiccupFloors.put(w.spec().name(), HiccupFloor.fromGaps(w.gapCount(), w::gapStart, w::gapLength,
                        mine, w.spunNanos(i), w.spec().periodNanos()));
                    if (i == 0 && w.gapsLost() > 0) {
                        notes.add("thread " + w.spec().name() + " saw more gaps on its CPU than its log holds ("
                            + ScenarioWorker.GAP_LOG + "); " + w.gapsLost() + " were not logged: its hiccup floor is "
                            + "too low");
                    }
                }
            }
            results.add(new SubjectResult(subject.name(), subject.describe(), styles, measured[i],
                WorstWaits.episodes(worst, WORST_EPISODES), subjectHiccups, overBudget, schedule,
                List.copyOf(sched.changes()), measureStart + epochOffset, stop + epochOffset, hiccupFloors));
        }
        return new Phase(results, slices, cpuAfter.since(cpuBefore, 8));
    }

    private static Histogram sum(Histogram[] hs) {
        Histogram h = PhaseRecorders.newHistogram();
        for (Histogram x : hs) {
            h.add(x);
        }
        return h;
    }

    /**
     * Waits for the loops to end, then stops the ones still running: first an interrupt alone, so that a thread still
     * waiting for permits leaves with that wait recorded as ending at the stop (before anything else moves: a stalled
     * holder that is stopped first would hand its permit over and the wait would end as if nothing were wrong); then
     * an abort (a stall or a hold ends, loops end after their iteration), more interrupts and permits for whoever is
     * still blocked.
     */
    private void stopThreads(List<SemaphoreUnderTest> subjects, List<ScenarioWorker> workers, List<RtThread> threads,
                             boolean warmUpOnly) throws InterruptedException {
        long maxPeriod = scenario.threads().stream().mapToLong(ThreadSpec::periodNanos).max().orElse(0);
        long graceMillis = 200 + (ScenarioWorker.OVERRUN_NANOS + maxPeriod) / 1_000_000L + scenario.threads().stream()
            .mapToLong(ThreadSpec::holdNanos).max().orElse(0) / 1_000_000L;
        long deadline = System.currentTimeMillis() + graceMillis;
        for (RtThread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        List<String> stuck = new ArrayList<>();
        long stoppedAt = System.nanoTime();
        for (int i = 0; i < threads.size(); i++) {
            if (threads.get(i).isAlive()) {
                stuck.add(workers.get(i).spec().name());
                workers.get(i).stopping(stoppedAt);
                threads.get(i).interrupt();
            }
        }
        if (stuck.isEmpty()) {
            return;
        }
        if (!warmUpOnly) {
            notes.add("scenario threads " + stuck + " had not ended " + graceMillis + " ms after the end of the "
                + "measured phase and were stopped");
        }
        for (RtThread t : threads) {
            t.join(50);
        }
        for (int round = 0; round < 20; round++) {
            stuck.clear();
            for (int i = 0; i < threads.size(); i++) {
                if (threads.get(i).isAlive()) {
                    stuck.add(workers.get(i).spec().name());
                    workers.get(i).stop(stoppedAt);
                    threads.get(i).interrupt();
                }
            }
            if (stuck.isEmpty()) {
                return;
            }
            int permits = workers.stream().mapToInt(w -> w.spec().permits()).sum();
            for (SemaphoreUnderTest s : subjects) {
                s.unblock(permits);
            }
            for (RtThread t : threads) {
                t.join(50);
            }
        }
        throw new IllegalStateException("scenario threads " + stuck + " did not stop within 1 s after their deadline, "
            + "although stopped, interrupted and given permits");
    }

    private Map<RtContext, HistogramLogWriter> openLogs(String subject, long measureStart) throws FileNotFoundException {
        Map<RtContext, HistogramLogWriter> logs = new EnumMap<>(RtContext.class);
        long startMillis = (measureStart + epochOffset) / 1_000_000L;
        for (RtContext c : scenario.waitingContexts()) {
            File f = outDir.resolve(subject + "-" + c.name() + ".hlog").toFile();
            HistogramLogWriter w = new HistogramLogWriter(f);
            w.outputComment("rtsem validate: scenario " + scenario.name() + ", subject " + subject + ", context "
                + c.name() + ". Values in nanoseconds. Untagged: corrected wait; tags: service, hold, handoff.");
            w.outputLogFormatVersion();
            w.setBaseTime(startMillis);
            w.outputBaseTime(startMillis);
            w.outputStartTime(startMillis);
            w.outputLegend();
            logs.put(c, w);
        }
        return logs;
    }

    private static void writeInterval(PhaseRecorders measured, Map<RtContext, HistogramLogWriter> logs,
                                      Set<RtContext> contexts, long fromNanos, long toNanos) {
        double from = Math.max(0, fromNanos) / 1e9;
        double to = Math.max(0, toNanos) / 1e9;
        for (RtContext c : contexts) {
            for (Metric m : Metric.values()) {
                Histogram h = measured.sample(PhaseRecorders.slot(c, m));
                h.setTag(m == Metric.WAIT ? null : m.label());
                logs.get(c).outputIntervalHistogram(from, to, h, 1000.0);
            }
        }
    }

    private void drain(List<ScenarioWorker> workers, List<SemaphoreUnderTest> subjects) {
        for (ScenarioWorker w : workers) {
            for (int i = 0; i < subjects.size(); i++) {
                w.overBudget(i).drain(w.spec().name(), w.spec().context().name(), subjects.get(i).name(), epochOffset);
            }
        }
    }

    /** The progress line: the phase, time elapsed and left, and each context's largest wait so far per subject. */
    private void progress(String label, long now, long measureStart, PhaseRecorders[] measured,
                          Set<RtContext> contexts) {
        if (progress == null) {
            return;
        }
        double elapsed = (now - runStartNanoTime) / 1e9;
        double remaining = Math.max(0, (runStartNanoTime + scenario.plannedNanos() - now)) / 1e9;
        StringBuilder sb = new StringBuilder(120);
        sb.append(String.format(Locale.ROOT, "\r[%s] %-10s %-7s elapsed %5.1fs remaining %5.1fs |", scenario.name(),
            label, now < measureStart ? "warm-up" : "measure", elapsed, remaining));
        for (RtContext c : contexts) {
            sb.append(' ').append(c.name()).append(" max");
            for (int i = 0; i < measured.length; i++) {
                sb.append(i == 0 ? " " : " / ").append(formatMicros(measured[i].maxSoFar(c, Metric.WAIT)));
            }
            sb.append(" |");
        }
        progress.print(sb);
        progress.flush();
    }

    private void status(String line) {
        if (progress != null) {
            progress.print(String.format(Locale.ROOT, "\r[%s] %s", scenario.name(), line));
            progress.flush();
        }
    }

    private static String formatMicros(long nanos) {
        return String.format(Locale.ROOT, "%.1fus", nanos / 1000.0);
    }

    /**
     * @param cpu a CPU number, {@code RtThread.ANY_CPU} or {@code RtThread.NO_PIN}
     * @return the CPU as written in scenario files: a number, {@code any} or {@code none}
     */
    public static String cpuName(int cpu) {
        return cpu == RtThread.ANY_CPU ? "any" : cpu == RtThread.NO_PIN ? "none" : Integer.toString(cpu);
    }
}
