package io.rtsem.latency.run;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Budget;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.StallSpec;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * One phase of a {@link ValidationRun}: the scenario on one subject alone or on two interleaved, warm-up then
 * measurement, with one set of scenario threads ({@link ScenarioWorker}s on one {@link PhaseSchedule}).
 *
 * <p>The calling thread (NON_RT) is the harness: it starts the scenario threads, samples the recorders every interval
 * into the {@code .hlog} files, drains over-budget waits into JFR events, samples the scheduler every 5 ms, prints the
 * progress line and stops the threads at the end. {@link #run} blocks for the phase and allocates.
 */
final class ScenarioPhase {
    private static final long SCHED_SAMPLE_NANOS = 5_000_000L;
    /** Waits over budget a scenario thread can log before the harness drains them (once per interval). */
    private static final int OVER_BUDGET_RING = 1024;

    private final Scenario scenario;
    private final List<ThreadSpec> threads;
    private final Path outDir;
    private final long epochOffset;
    private final ProgressLine progress;
    private final List<String> notes;

    /**
     * What one phase measured: a result per subject, its slices, the CPU time its threads used, and the scheduling
     * each scenario thread ran under (by thread name, in scenario order; one thread serves every subject).
     */
    record Result(
            List<SubjectResult> subjects,
            Slices slices,
            Map<String, Double> threadCpuMillis,
            Map<String, AppliedScheduling> scheduling) {}

    /**
     * @param scenario    the validated scenario
     * @param threads     its threads, {@code cpu: any} resolved
     * @param outDir      where the {@code .hlog} files go
     * @param epochOffset {@code nanoTime} to epoch nanoseconds ({@link EpochClock})
     * @param progress    the run's progress line
     * @param notes       the run's notes, which the phase adds to
     */
    ScenarioPhase(
            Scenario scenario,
            List<ThreadSpec> threads,
            Path outDir,
            long epochOffset,
            ProgressLine progress,
            List<String> notes) {
        this.scenario = scenario;
        this.threads = threads;
        this.outDir = outDir;
        this.epochOffset = epochOffset;
        this.progress = progress;
        this.notes = notes;
    }

    /**
     * Runs the scenario on {@code subjects}: warm-up, then measurement, with one set of scenario threads. With two
     * subjects they alternate in {@link Slices} (each subject gets {@code warmup} of the warm-up and
     * {@code duration} of the measurement, so the phase lasts twice as long); with one, it has the whole phase. With
     * {@code warmUpOnly}, the warm-up alone, with no log, no JFR event and no note (the JIT pass); the result is then
     * meaningless.
     */
    Result run(List<SemaphoreUnderTest> subjects, HiccupMeter hiccups, boolean warmUpOnly)
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
            outstanding[i] = new AtomicLong(
                    scenario.semaphore().maxPermits() - scenario.semaphore().permits());
        }
        PhaseSchedule schedule = schedule(n, warmUpOnly);
        Slices slices = schedule.slices();
        long start = schedule.startNanoTime();
        long measureStart = schedule.measureStartNanoTime();
        long stop = schedule.stopNanoTime();
        List<ScenarioWorker> workers = new ArrayList<>();
        List<ScenarioWorker> consumers = new ArrayList<>();
        for (ThreadSpec t : threads) {
            Budget b = scenario.budgets().get(t.context());
            long threshold = b == null || !t.waits() ? Long.MAX_VALUE : b.singleWaitThresholdNanos();
            ScenarioWorker.Lane[] lanes = new ScenarioWorker.Lane[n];
            for (int i = 0; i < n; i++) {
                lanes[i] = new ScenarioWorker.Lane(
                        subjects.get(i).gateFor(t),
                        stamps[i],
                        outstanding[i],
                        measured[i],
                        new OverBudgetLog(threshold, OVER_BUDGET_RING));
            }
            ScenarioWorker w = new ScenarioWorker(t, schedule, lanes, warm);
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
        List<RtThread> running = start(workers, subjects);
        if (n > 1) {
            hiccups.interleave(slices);
        }
        ThreadSchedMonitor sched = new ThreadSchedMonitor(epochOffset);
        long[][] boostsAtStart = new long[n][];
        List<Map<RtContext, HistogramLogWriter>> logs = new ArrayList<>();
        Set<RtContext> waiting = scenario.waitingContexts();
        try {
            for (SemaphoreUnderTest s : subjects) {
                logs.add(warmUpOnly ? new EnumMap<>(RtContext.class) : openLogs(s.name(), measureStart));
            }
            boolean watching = false;
            boolean boostsTaken = false;
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
                if (!boostsTaken && now >= measureStart) {
                    for (int i = 0; i < n; i++) {
                        boostsAtStart[i] = subjects.get(i).priorityBoostCounts();
                    }
                    boostsTaken = true;
                }
                if (cpuAfter == cpuBefore && now >= stop - 20_000_000L) {
                    cpuAfter = ThreadCpuSnapshot.take(); // while the scenario threads are still alive
                }
                if (!warmUpOnly && (now >= nextInterval || now >= stop)) {
                    long end = Math.min(now, stop);
                    for (int i = 0; i < n; i++) {
                        writeInterval(
                                measured[i], logs.get(i), waiting, lastIntervalEnd - measureStart, end - measureStart);
                    }
                    lastIntervalEnd = end;
                    nextInterval += scenario.intervalNanos();
                    drain(workers, subjects);
                }
                if (now >= nextProgress) {
                    progress.phase(label, now, measureStart, measured, waiting);
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
                    writeInterval(
                            measured[i],
                            logs.get(i),
                            waiting,
                            lastIntervalEnd - measureStart,
                            System.nanoTime() - measureStart);
                }
                drain(workers, subjects);
            }
        } finally {
            sched.close();
            hiccups.interleave(Slices.single(0, 0));
            for (Map<RtContext, HistogramLogWriter> m : logs) {
                for (HistogramLogWriter w : m.values()) {
                    w.close();
                }
            }
        }
        for (ScenarioWorker w : workers) {
            if (w.failure() != null) {
                throw new IllegalStateException(
                        "scenario thread " + w.spec().name() + " failed on " + label + ": " + w.failure(), w.failure());
            }
        }
        Histogram[] phaseHiccups = hiccups.takeBySubject();
        List<SubjectResult> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Histogram subjectHiccups = n == 1 ? sum(phaseHiccups) : phaseHiccups[i];
            results.add(subjectResult(
                    i,
                    subjects.get(i),
                    schedule,
                    workers,
                    measured[i],
                    subjectHiccups,
                    sched,
                    warmUpOnly,
                    boostsSince(boostsAtStart[i], subjects.get(i).priorityBoostCounts())));
        }
        Map<String, AppliedScheduling> scheduling = new LinkedHashMap<>();
        for (int i = 0; i < running.size(); i++) {
            scheduling.put(workers.get(i).spec().name(), running.get(i).scheduling());
        }
        Map<String, Long> ended = new LinkedHashMap<>();
        for (ScenarioWorker w : workers) {
            ended.put(w.spec().name(), w.cpuNanosAtEnd());
        }
        return new Result(results, slices, cpuAfter.since(cpuBefore, 8, ended), scheduling);
    }

    /**
     * The phase's schedule: it starts 50 ms from now, each subject warms up for the scenario's warm-up (interleaved
     * with the other's when there are two), then measures; the scenario's stall, if any, in the measured phase only.
     */
    private PhaseSchedule schedule(int n, boolean warmUpOnly) {
        long start = System.nanoTime() + 50_000_000L;
        long measureStart = start + n * scenario.warmupNanos();
        Slices slices = n == 1
                ? Slices.single(measureStart, measureStart + (warmUpOnly ? 0 : scenario.durationNanos()))
                : Slices.interleaved(measureStart, scenario.durationNanos(), scenario.sliceNanos());
        StallSpec stall = warmUpOnly ? null : scenario.stall().orElse(null);
        return new PhaseSchedule(slices, start, measureStart, stall);
    }

    /**
     * Starts a thread per worker, each in its context on its CPU, under the scheduling its scenario asks for
     * ({@link ThreadSpec#scheduling()}, {@code scheduling} in the file). The key's default is
     * {@link RtScheduling#unchanged()} (the policy the harness has), not the context default of docs/ARCHITECTURE.md
     * S1-S3: a SOFT thread at SCHED_FIFO outranks a HARD thread that RT throttling keeps at SCHED_OTHER wherever both
     * can run, and without a priority-inversion boost a FIFO SOFT waiter keeps a SCHED_OTHER holder off its CPU
     * (docs/LATENCY.md, "Scheduling policy per thread"). Each thread serves every subject of the phase (the peer's
     * slices run on the same thread), so both run under the same policy by construction.
     *
     * @throws ThreadStartException if one cannot be started or pinned (those already started are stopped)
     */
    private static List<RtThread> start(List<ScenarioWorker> workers, List<SemaphoreUnderTest> subjects) {
        List<RtThread> running = new ArrayList<>();
        try {
            for (ScenarioWorker w : workers) {
                ThreadSpec t = w.spec();
                running.add(RtThread.start(t.name(), t.context(), t.cpu(), t.scheduling(), w));
            }
        } catch (RuntimeException e) {
            workers.forEach(ScenarioWorker::abort);
            running.forEach(Thread::interrupt);
            subjects.forEach(s -> s.unblock(1_000));
            throw new ThreadStartException(
                    "cannot start scenario thread "
                            + workers.get(running.size()).spec().name() + " on cpu "
                            + ValidationRun.cpuName(
                                    workers.get(running.size()).spec().cpu())
                            + " (scheduling "
                            + workers.get(running.size()).spec().scheduling() + "): "
                            + e.getMessage(),
                    e);
        }
        return running;
    }

    /**
     * What subject {@code i} measured, from its recorders and what its threads kept: schedule kept or not, worst
     * episodes, waits over budget, and each HARD fixed-rate thread's hiccup floor in its slices.
     */
    private SubjectResult subjectResult(
            int i,
            SemaphoreUnderTest subject,
            PhaseSchedule schedule,
            List<ScenarioWorker> workers,
            PhaseRecorders measured,
            Histogram subjectHiccups,
            ThreadSchedMonitor sched,
            boolean warmUpOnly,
            long[] boosts) {
        Slices slices = schedule.slices();
        long start = schedule.startNanoTime();
        long measureStart = schedule.measureStartNanoTime();
        long stop = schedule.stopNanoTime();
        long lost = 0;
        long overBudget = 0;
        Map<String, SubjectResult.ThreadSchedule> threadSchedules = new LinkedHashMap<>();
        List<WaitSample> worst = new ArrayList<>();
        Map<String, List<WaitSample>> episodes = new LinkedHashMap<>();
        List<SubjectResult.LateWake> lateWakes = new ArrayList<>();
        for (ScenarioWorker w : workers) {
            ThreadSpec t = w.spec();
            SpanLog late = w.lateWakes();
            for (int k = 0; k < late.size() && !warmUpOnly; k++) {
                if (slices.subjectAt(late.start(k)) == i) { // due in this subject's slices
                    lateWakes.add(new SubjectResult.LateWake(
                            t.name(), late.start(k) + epochOffset, late.end(k) + epochOffset));
                }
            }
            if (i == 0 && late.lost() > 0 && !warmUpOnly) {
                notes.add("thread " + t.name() + " woke late (" + ScenarioWorker.LATE_WAKE_NANOS / 1000
                        + " us or more) more often than its log holds (" + ScenarioWorker.SPAN_LOG + "); "
                        + late.lost() + " were not logged");
            }
            List<WaitSample> own = new ArrayList<>();
            lost += w.overBudget(i).lost();
            overBudget += w.overBudget(i).count();
            long scheduled = t.fixedRate()
                    ? slices.scheduled(i, start, t.periodNanos())
                    : SubjectResult.ThreadSchedule.NO_SCHEDULE;
            threadSchedules.put(t.name(), new SubjectResult.ThreadSchedule(scheduled, w.completed(i), w.unfinished(i)));
            if (w.unfinished(i) > 0 && !warmUpOnly) {
                notes.add("thread " + t.name() + " was still waiting on " + subject.name() + " when the run stopped "
                        + "it; that wait is recorded as ending at the stop");
            }
            WorstWaits ww = w.worstWaits(i);
            for (int k = 0; k < ww.capacity(); k++) {
                if (ww.waitNanos(k) >= 0) {
                    own.add(new WaitSample(
                            t.name(),
                            t.context().name(),
                            ww.waitNanos(k),
                            ww.serviceNanos(k),
                            ww.startNanoTime(k) + epochOffset,
                            ww.endNanoTime(k) + epochOffset));
                }
            }
            worst.addAll(own);
            own.sort(Comparator.comparingLong(WaitSample::waitNanos).reversed());
            episodes.put(t.name(), List.copyOf(own));
        }
        if (lost > 0 && !warmUpOnly) {
            notes.add(lost + " wait(s) over budget on " + subject.name() + " were not turned into "
                    + "io.rtsem.WaitOverBudget JFR events: the ring of " + OVER_BUDGET_RING + " per thread was full "
                    + "(they count in overBudgetWaits)");
        }
        worst.sort(Comparator.comparingLong(WaitSample::waitNanos).reversed());
        Map<RtContext, String> styles = new EnumMap<>(RtContext.class);
        for (RtContext c : scenario.waitingContexts()) {
            styles.put(c, subject.waitStyle(c));
        }
        Map<String, Histogram> hiccupFloors = new LinkedHashMap<>();
        List<SubjectResult.CpuGap> cpuGaps = new ArrayList<>();
        for (ScenarioWorker w : workers) {
            if (w.spec().context() == RtContext.HARD && w.spec().fixedRate() && !warmUpOnly) {
                LongPredicate mine = t -> slices.subjectAt(t) == i;
                LongPredicate inWindow = t -> t >= measureStart && t < stop;
                for (int k = 0; k < w.gapCount(); k++) {
                    long from = w.gapStart(k);
                    if (w.gapLength(k) >= ScenarioWorker.LATE_WAKE_NANOS && mine.test(from) && inWindow.test(from)) {
                        cpuGaps.add(new SubjectResult.CpuGap(
                                w.spec().name(), from + epochOffset, from + w.gapLength(k) + epochOffset));
                    }
                }
                hiccupFloors.put(
                        w.spec().name(),
                        HiccupFloor.fromGaps(
                                w.gapCount(),
                                w::gapStart,
                                w::gapLength,
                                mine,
                                inWindow,
                                w.spunNanos(i),
                                w.spec().periodNanos()));
                if (i == 0 && w.gapsLost() > 0) {
                    notes.add("thread " + w.spec().name() + " saw more gaps on its CPU than its log holds ("
                            + ScenarioWorker.GAP_LOG + "); " + w.gapsLost() + " were not logged: its hiccup floor is "
                            + "too low");
                }
            }
        }
        return new SubjectResult(
                subject.name(),
                subject.describe(),
                styles,
                measured,
                WorstWaits.episodes(worst, ValidationRun.WORST_EPISODES),
                subjectHiccups,
                overBudget,
                threadSchedules,
                List.copyOf(sched.changes()),
                measureStart + epochOffset,
                stop + epochOffset,
                hiccupFloors,
                warmUpOnly ? InversionEpisodes.Result.NONE : inversions(i, subject, workers, sched, boosts),
                java.util.Collections.unmodifiableMap(episodes),
                List.copyOf(lateWakes),
                List.copyOf(cpuGaps));
    }

    /** @return the boosts counted between two readings, or null for a subject without them */
    private static long[] boostsSince(long[] atStart, long[] atEnd) {
        if (atEnd == null) {
            return null;
        }
        long[] from = atStart == null ? new long[2] : atStart;
        return new long[] {atEnd[0] - from[0], atEnd[1] - from[1]};
    }

    /**
     * The priority-inversion episodes of subject {@code i}: the long waits and overrunning holds its threads logged,
     * classified against the scheduler monitor's windows ({@link InversionEpisodes}).
     */
    private InversionEpisodes.Result inversions(
            int i, SemaphoreUnderTest subject, List<ScenarioWorker> workers, ThreadSchedMonitor sched, long[] boosts) {
        List<InversionEpisodes.Span> waits = new ArrayList<>();
        List<InversionEpisodes.Span> holds = new ArrayList<>();
        long waitsLost = 0;
        long holdsLost = 0;
        for (ScenarioWorker w : workers) {
            ThreadSpec t = w.spec();
            SpanLog wl = w.longWaits(i);
            for (int k = 0; k < wl.size(); k++) {
                waits.add(new InversionEpisodes.Span(
                        t.name(), t.context(), 0, wl.start(k) + epochOffset, wl.end(k) + epochOffset));
            }
            SpanLog hl = w.longHolds(i);
            for (int k = 0; k < hl.size(); k++) {
                holds.add(new InversionEpisodes.Span(
                        t.name(), t.context(), t.holdNanos(), hl.start(k) + epochOffset, hl.end(k) + epochOffset));
            }
            waitsLost += wl.lost();
            holdsLost += hl.lost();
        }
        if (waitsLost + holdsLost > 0) {
            notes.add("priority-inversion episodes on " + subject.name() + ": " + waitsLost + " long wait(s) and "
                    + holdsLost + " overrunning hold(s) were not logged (" + ScenarioWorker.SPAN_LOG
                    + " per thread): the count is a lower bound");
        }
        List<RtContext> contexts = new ArrayList<>(scenario.waitingContexts());
        return InversionEpisodes.classify(contexts, waits, holds, sched.changes(), waitsLost, holdsLost)
                .withBoosts(boosts);
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
    private void stopThreads(
            List<SemaphoreUnderTest> subjects, List<ScenarioWorker> workers, List<RtThread> threads, boolean warmUpOnly)
            throws InterruptedException {
        long maxPeriod = scenario.threads().stream()
                .mapToLong(ThreadSpec::periodNanos)
                .max()
                .orElse(0);
        long graceMillis = 200
                + (ScenarioWorker.OVERRUN_NANOS + maxPeriod) / 1_000_000L
                + scenario.threads().stream()
                                .mapToLong(ThreadSpec::holdNanos)
                                .max()
                                .orElse(0)
                        / 1_000_000L;
        long deadline = System.currentTimeMillis() + graceMillis;
        for (RtThread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        long stoppedAt = System.nanoTime();
        List<String> stuck = interruptAlive(workers, threads, stoppedAt, false);
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
            stuck = interruptAlive(workers, threads, stoppedAt, true);
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

    /**
     * Marks the stop at {@code stoppedAt} on each worker whose thread is still alive ({@link ScenarioWorker#stop} with
     * {@code abort}, else {@link ScenarioWorker#stopping}) and interrupts the thread.
     *
     * @return the names of those threads
     */
    private static List<String> interruptAlive(
            List<ScenarioWorker> workers, List<RtThread> threads, long stoppedAt, boolean abort) {
        List<String> alive = new ArrayList<>();
        for (int i = 0; i < threads.size(); i++) {
            if (threads.get(i).isAlive()) {
                alive.add(workers.get(i).spec().name());
                if (abort) {
                    workers.get(i).stop(stoppedAt);
                } else {
                    workers.get(i).stopping(stoppedAt);
                }
                threads.get(i).interrupt();
            }
        }
        return alive;
    }

    private Map<RtContext, HistogramLogWriter> openLogs(String subject, long measureStart)
            throws FileNotFoundException {
        Map<RtContext, HistogramLogWriter> logs = new EnumMap<>(RtContext.class);
        long startMillis = (measureStart + epochOffset) / 1_000_000L;
        for (RtContext c : scenario.waitingContexts()) {
            File f = outDir.resolve(subject + "-" + c.name() + ".hlog").toFile();
            // a 1 MB buffer holds a whole run's log in memory until close: the disk's interrupts (on CPU 1 only on
            // the project's VM, the HARD CPU) stay out of the run (docs/LATENCY.md, JVM options)
            HistogramLogWriter w = new HistogramLogWriter(new BufferedOutputStream(new FileOutputStream(f), 1 << 20));
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

    private static void writeInterval(
            PhaseRecorders measured,
            Map<RtContext, HistogramLogWriter> logs,
            Set<RtContext> contexts,
            long fromNanos,
            long toNanos) {
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
                w.overBudget(i)
                        .drain(
                                w.spec().name(),
                                w.spec().context().name(),
                                subjects.get(i).name(),
                                epochOffset);
            }
        }
    }
}
