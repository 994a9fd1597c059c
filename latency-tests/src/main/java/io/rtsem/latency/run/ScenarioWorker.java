package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ThreadSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The body of one scenario thread: a loop on a fixed schedule (or back to back) that acquires,
 * holds and releases permits (acquirer, bookkeeper) or only releases them (releaser), and
 * records what it measured.
 *
 * <p>Runs in the thread's configured context. After {@link #run} has read its native thread id
 * (one {@code readlink}, before warm-up) the loop allocates nothing (a bookkeeper allocates
 * {@code allocate-bytes} per iteration on purpose). Between iterations a HARD thread spins and
 * makes no system call of its own besides the clock read; SOFT and NON_RT threads park
 * ({@code LockSupport.parkNanos}, a system call) until 250 us before the next start, then a SOFT
 * thread yields ({@code sched_yield}) and spins, a NON_RT one spins. A SOFT thread that runs under a real-time
 * policy (read back from the kernel) parks until 150 us (a quarter period if that is less) before the next start and
 * spins the rest (a releaser parks until the start itself: its lateness is no wait of its own), and a SOFT
 * releaser waiting for permits to return spins 256 turns, then naps, as rtsem's SOFT backoff
 * waits under a real-time policy: at SCHED_FIFO a yield yields
 * to nobody (ARCHITECTURE S4), and a loop that yields instead of sleeping keeps every SCHED_OTHER thread of its
 * CPU off it (the harness, NON_RT holders, the bridge's wake service at SCHED_OTHER). <b>A releaser sleeps like a
 * gateway blocked on its socket:</b> each nap lasts until its consumers can have consumed what it still waits for,
 * at their schedule ({@link #ackNapNanos}), not 20 us at a time, which kept a FIFO releaser's CPU from the NON_RT
 * threads that share it (docs/LATENCY.md, "What is measured", has the figures).
 *
 * <p>Subjects: the worker has one {@link Lane} per semaphore under test (rtsem, the peer), each with its own gate,
 * release stamp, outstanding-permit count, recorders and over-budget log. Each iteration runs wholly on the lane of
 * the {@link Slices slice} its intended start falls in, so a slice boundary never mixes subjects: a thread that holds
 * a permit of one subject when the slice changes finishes that iteration on it. <b>The backlog stays with the subject
 * that made it:</b> an iteration intended before the end of the thread's last iteration that was not itself carried
 * runs on that iteration's subject, whatever slice its intended start is in (a thread that gives its own permits back:
 * acquirers with {@code releases: self} and bookkeepers). Without it, a thread that waited 40 ms on one subject near
 * the end of its slice started the other's next iterations 40 ms late, and the corrected waits of those iterations
 * (the coordinated-omission correction) charged the first subject's wait to the second. The window is one iteration
 * long and never extended by a carried iteration, so a thread that is always behind still alternates with the slices.
 * An acquirer with {@code releases: none} is not carried: its permits come from a releaser that follows the slices.
 * A releaser returns only the permits
 * its tick's subject has outstanding; a tick that finds none when its slice is over and no releases-none acquirer has
 * an iteration of that slice left is dropped (those acquirers have moved to the other subject and would never
 * consume more there), so the releaser never waits a whole slice on a subject nobody uses. <b>A releaser follows its
 * consumers' backlog:</b> a tick serves the slice of the earliest iteration a consumer has still to do, if that is
 * before the tick. Without it, a consumer late on one subject near a slice's end kept consuming that subject's permits
 * while the releaser waited on the other subject for permits nobody consumed there: the consumer ran dry and waited
 * until something else (a bookkeeper's release of its own permits, the stop) let it go on (trading-burst: HARD waits
 * of about 1 s, tuned, 2026-12-02).
 *
 * <p>Stopping: a wait the harness stops ({@link #stop}: an interrupt) is recorded as ending at the stop (its
 * corrected wait and service time), counted in {@link #unfinished}, and the loop ends; the iterations a thread did
 * not complete are in {@link #completed}, for the harness to compare with the schedule.
 *
 * <p>Warm-up and measurement run the same code: recorders, worst-wait tables, lanes and the over-budget
 * threshold are chosen by an index computed without a branch, so the JIT never sees a path first
 * taken at the start of measurement (which would throw the compiled loop away mid-run).
 */
public final class ScenarioWorker implements Runnable {
    /** How many of its worst wait episodes each thread keeps (one stall makes many waits: one episode, one slot). */
    public static final int WORST = 64;
    /**
     * How long after the end a fixed-rate loop that fell behind its schedule keeps going, to run
     * the iterations whose intended start was inside the measured window. Iterations it cannot
     * start even then are missing from the histograms (the iteration counts show them).
     */
    public static final long OVERRUN_NANOS = 1_000_000_000L;

    private static final int PACE_SPIN = 0;
    private static final int PACE_YIELD = 1;
    private static final int PACE_PARK = 2;
    /**
     * A SOFT thread under a real-time policy: {@code sched_yield} would yield to nobody (S4), so it naps where a SOFT
     * thread at SCHED_OTHER yields, and parks until {@link #NAP_MARGIN_NANOS} before a start, not 250 us.
     */
    private static final int PACE_NAP = 3;
    /**
     * How long before a start a napping (real-time SOFT) thread wakes to spin the rest, at most: a real-time thread
     * gets no timer slack, and a timed park on the project's VM ends late by tens of microseconds, and by up to about
     * this much at p99 (docs/BRIDGE.md, TimedParkBenchmark, has the figures), so most wake-ups are in time. A loop
     * whose period is under four times this wakes a quarter period early instead ({@code napMarginNanos}), so that
     * it spins at most a quarter of its time.
     */
    static final long NAP_MARGIN_NANOS = 150_000L;
    /**
     * Spins a napping (real-time SOFT) releaser makes before its first nap while it waits for permits to return: 256
     * (4,096 before 2026-12-02, when trading-burst's releaser at FIFO 40 took about 6.5 s of CPU 0 in 12 s and left its
     * NON_RT thread little; with 256, about 4.9 s, docs/LATENCY.md "Figures: trading-burst").
     */
    static final int NAP_AFTER_SPINS = 256;
    /**
     * Gaps a HARD thread can log in the measured phase (2 MB of arrays; how many a second a HARD thread sees:
     * docs/LATENCY.md, "Platform figures quoted in the code").
     */
    static final int GAP_LOG = 1 << 17;

    /**
     * Spans each thread can log per subject for the priority-inversion classifier ({@link InversionEpisodes}): its
     * holds that overran their plan, and (HARD, SOFT) its waits that blocked {@link InversionEpisodes#MIN_WAIT_NANOS}
     * or more; 64 KB per log.
     */
    static final int SPAN_LOG = 4096;

    /**
     * A real-time SOFT thread or releaser logs each timed sleep that ended this much or more after it was due
     * (cyclictest's measure, on the thread itself): this is above what a timed park under a real-time policy ends late
     * by at p99 on the project's VM (docs/LATENCY.md, "What is measured", has the figures), and a thread this late at
     * the highest real-time priority of its CPU was kept off it by the platform (interrupts, kernel threads, the
     * hypervisor), which the report names (PlatformLimits).
     */
    public static final long LATE_WAKE_NANOS = 200_000L;
    /**
     * A hold that ended this much after its planned end is logged: a running holder spins to its deadline and ends
     * within a clock read of it, so the overrun is time it was stopped.
     */
    public static final long LONG_HOLD_OVERRUN_NANOS = 20_000L;

    private static final int TAKEN = 0;
    private static final int SKIPPED = 1;
    private static final int STOPPED = 2;

    /**
     * One subject as a scenario thread sees it. Immutable; its parts are shared by every thread of the subject.
     *
     * @param gate        how the thread reaches the subject's semaphore
     * @param stamp       the subject's release timestamp
     * @param outstanding the subject's permits consumed and not given back (acquirers with {@code releases: none} add,
     *                    releasers take away and release only these, so a releaser never pushes the count above its
     *                    maximum)
     * @param measured    the subject's recorders for the measured phase
     * @param overBudget  where the thread's waits over budget on this subject go (measured phase only)
     */
    public record Lane(
            PermitGate gate,
            ReleaseStamp stamp,
            AtomicLong outstanding,
            PhaseRecorders measured,
            OverBudgetLog overBudget) {}

    private final ThreadSpec spec;
    private final Lane[] lanes;
    private final int laneCount;
    private final Slices slices;
    /** The warm-up recorders, then each lane's measured ones: index {@code phase * (1 + subject)}. */
    private final PhaseRecorders[] recorders;
    /** Index {@code phase * laneCount + subject}. */
    private final WorstWaits[] worst;

    private final long startNanoTime;
    private final long measureStartNanoTime;
    private final long stopNanoTime;
    private final long stallNanos;
    private final long[] stallAtNanoTime;
    private final long[] completed;
    private final long[] unfinished;
    /** Gaps a HARD thread saw while it spun before measured iterations: start ({@code nanoTime}) and length. */
    private final long[] gapStart;

    private final long[] gapLength;
    private int gapCount;
    private long gapsLost;
    /**
     * A real-time SOFT thread's or releaser's timed sleeps that ended {@link #LATE_WAKE_NANOS} or more after they were
     * due, measured phase: when it was due to wake ({@code nanoTime}) to when it ran. Empty for every other thread.
     */
    private final SpanLog lateWakes;
    /** 1 for a releaser or a SOFT thread, which log their late wakes (when they nap: a real-time policy), else 0. */
    private final int logsLateWakes;
    /** Per subject: holds that overran their plan by {@link #LONG_HOLD_OVERRUN_NANOS} (measured phase). */
    private final SpanLog[] longHolds;
    /** Per subject: waits (call to acquisition) of {@link InversionEpisodes#MIN_WAIT_NANOS} or more (measured phase). */
    private final SpanLog[] longWaits;
    /** 1 if this thread logs its long holds (a self-releasing acquirer or bookkeeper), else 0. */
    private final int logsHolds;
    /** 1 if this thread logs its long waits (HARD, SOFT), else 0. */
    private final int logsWaits;
    /** How long a HARD thread spun between iterations: index as {@link #worst}. */
    private final long[] spunNanos;

    /** CPU time of the thread when its loop ended, see {@link #cpuNanosAtEnd()}; volatile: read by the harness. */
    private volatile long cpuNanosAtEnd = -1;

    private int paceMode; // set by the constructor, and by run() on the scenario thread before its loop
    /** {@link #NAP_MARGIN_NANOS}, or a quarter of this thread's period if that is less. */
    private final long napMarginNanos;

    private final int slotWait;
    private final int slotService;
    private final int slotHold;
    private final int slotHandoff;
    /** The intended start of the iteration this thread is in or about to start; MAX_VALUE once its loop ended. */
    private final AtomicLong pending = new AtomicLong(Long.MIN_VALUE);

    private ScenarioWorker[] consumers = new ScenarioWorker[0];
    /** For a releaser: about how long its consumers together take to consume one permit, or 0 if unknown. */
    private long nanosPerConsumedPermit;

    private long iterations;
    private byte[] sink;

    private volatile boolean abort;
    private volatile long stoppedAtNanoTime;
    private volatile long nativeTid = -1;
    private volatile Throwable failure;

    /**
     * Prepares a worker on one or two subjects that alternate in the schedule's slices. Harness thread (NON_RT);
     * allocates the worst-wait tables and the gap log.
     *
     * @param spec     the thread's configuration
     * @param schedule the phase's schedule: when it starts, measures and stops, which subject each intended start
     *                 belongs to, and the stall to inject
     * @param lanes    one lane per subject, in subject order (rtsem, the peer)
     * @param warmup   recorders for the warm-up of every subject (discarded)
     */
    public ScenarioWorker(ThreadSpec spec, PhaseSchedule schedule, Lane[] lanes, PhaseRecorders warmup) {
        this.spec = spec;
        this.lanes = lanes.clone();
        this.laneCount = lanes.length;
        this.slices = schedule.slices();
        this.recorders = new PhaseRecorders[1 + laneCount];
        this.recorders[0] = warmup;
        this.worst = new WorstWaits[2 * laneCount];
        for (int i = 0; i < laneCount; i++) {
            this.recorders[1 + i] = lanes[i].measured();
        }
        for (int i = 0; i < worst.length; i++) {
            this.worst[i] = new WorstWaits(WORST);
        }
        this.startNanoTime = schedule.startNanoTime();
        this.measureStartNanoTime = schedule.measureStartNanoTime();
        this.stopNanoTime = schedule.stopNanoTime();
        this.stallAtNanoTime = new long[laneCount];
        for (int i = 0; i < laneCount; i++) {
            this.stallAtNanoTime[i] = schedule.stallAt(spec, i);
        }
        this.stallNanos = schedule.stallNanos();
        this.completed = new long[laneCount];
        this.unfinished = new long[laneCount];
        RtContext c = spec.context();
        this.logsHolds = spec.waits() && spec.releasesOwn() ? 1 : 0;
        this.logsWaits = spec.waits() && c != RtContext.NON_RT ? 1 : 0;
        this.longHolds = new SpanLog[laneCount];
        this.longWaits = new SpanLog[laneCount];
        for (int i = 0; i < laneCount; i++) {
            this.longHolds[i] = new SpanLog(SPAN_LOG * logsHolds);
            this.longWaits[i] = new SpanLog(SPAN_LOG * logsWaits);
        }
        this.logsLateWakes = spec.role() == Role.RELEASER || c == RtContext.SOFT ? 1 : 0;
        this.lateWakes = new SpanLog(SPAN_LOG * logsLateWakes);
        int gapLog = c == RtContext.HARD ? GAP_LOG : 0;
        this.gapStart = new long[gapLog];
        this.gapLength = new long[gapLog];
        this.spunNanos = new long[2 * laneCount];
        this.paceMode = c == RtContext.HARD ? PACE_SPIN : c == RtContext.SOFT ? PACE_YIELD : PACE_PARK;
        this.napMarginNanos = spec.role() == Role.RELEASER ? 0 : Math.min(NAP_MARGIN_NANOS, spec.periodNanos() / 4);
        this.slotWait = PhaseRecorders.slot(c, Metric.WAIT);
        this.slotService = PhaseRecorders.slot(c, Metric.SERVICE);
        this.slotHold = PhaseRecorders.slot(c, Metric.HOLD);
        this.slotHandoff = PhaseRecorders.slot(c, Metric.HANDOFF);
    }

    /**
     * For a releaser: the acquirers with {@code releases: none} whose progress decides when a tick of a slice that is
     * over is dropped. Harness thread, before the thread starts.
     *
     * @param acquirers the consuming acquirers of the run
     */
    void consumers(java.util.List<ScenarioWorker> acquirers) {
        this.consumers = acquirers.toArray(new ScenarioWorker[0]);
        long fastest = Long.MAX_VALUE;
        for (ScenarioWorker c : consumers) {
            fastest = Math.min(fastest, c.spec.periodNanos());
        }
        // the consumers together take about one permit per (fastest period / their number); 0 if one runs back to back
        this.nanosPerConsumedPermit = consumers.length == 0 ? 0 : fastest / consumers.length;
    }

    /** Runs the loop until the stop time, {@link #abort}, {@link #stop} or an interrupt. On the scenario thread. */
    @Override
    public void run() {
        nativeTid = readNativeTid();
        if (paceMode == PACE_YIELD
                && Thread.currentThread() instanceof RtThread
                && ((RtThread) Thread.currentThread()).scheduling().realTime()) {
            paceMode = PACE_NAP; // read back from the kernel at the thread's start
        }
        try {
            if (spec.role() == Role.RELEASER) {
                releaseLoop();
            } else if (spec.role() == Role.HOG) {
                hogLoop();
            } else {
                acquireLoop();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            pending.lazySet(Long.MAX_VALUE);
            // its own CPU time as it ends: a snapshot the harness takes later would miss a thread that ended
            cpuNanosAtEnd =
                    java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }
    }

    private void acquireLoop() {
        final long period = spec.periodNanos();
        final int permits = spec.permits();
        final long hold = spec.holdNanos();
        final boolean releasesOwn = spec.releasesOwn();
        final boolean bookkeeper = spec.role() == Role.BOOKKEEPER;
        final long holdLimit = hold + LONG_HOLD_OVERRUN_NANOS;
        // the backlog stays with the subject that made it (class doc): 1 for a thread that gives its own permits back
        final int carries = releasesOwn ? 1 : 0;
        long carryUntil = startNanoTime - 1; // the end of the last iteration that was not carried
        int carrySubject = 0; // its subject
        long intended = startNanoTime;
        while (!abort) {
            long tCall;
            int subject;
            int phase;
            int carried;
            if (period > 0) {
                if (intended >= stopNanoTime) {
                    break;
                }
                pending.lazySet(intended);
                // the subject of the slice the intended start falls in, unless the last iteration that was not carried
                // ended after this intended start (then it made this one late: its subject's), and 1 for iterations
                // intended from the measurement start on, else 0: indexes, not branches (see class doc); the phase by
                // intended time, so a warm-up backlog stays in the warm-up
                carried = carries & (int) ((intended - carryUntil) >>> 63);
                int bySlice = slices.subjectAt(intended);
                subject = bySlice ^ ((bySlice ^ carrySubject) & -carried);
                phase = (int) ((measureStartNanoTime - intended - 1) >>> 63);
                tCall = pace(intended, phase * laneCount + subject);
                if (tCall >= stopNanoTime + OVERRUN_NANOS) {
                    break;
                }
            } else {
                tCall = System.nanoTime();
                intended = tCall;
                if (tCall >= stopNanoTime) {
                    break;
                }
                pending.lazySet(intended);
                subject = slices.subjectAt(intended);
                phase = (int) ((measureStartNanoTime - intended - 1) >>> 63);
                carried = 0; // no schedule, no backlog: each call starts when the last ended
            }
            Lane lane = lanes[subject];
            try {
                lane.gate().acquire(permits);
            } catch (InterruptedException stopped) {
                unfinishedWait(subject, phase, intended, tCall);
                return;
            }
            long tAcq = System.nanoTime();
            long lastRelease = lane.stamp().getAcquire();
            if (bookkeeper) {
                bookkeeping();
            }
            long tRel = hold > 0 ? spinUntil(tAcq + hold) : tAcq;
            if (tRel >= stallAtNanoTime[subject]) {
                tRel = stall(tRel, subject);
            }
            if (releasesOwn) {
                lane.stamp().setRelease(tRel);
                lane.gate().release(permits);
            } else {
                lane.outstanding().getAndAdd(permits);
            }
            PhaseRecorders r = recorders[phase * (1 + subject)];
            long wait = tAcq - intended;
            long service = tAcq - tCall;
            r.record(slotWait, wait);
            r.record(slotService, service);
            r.record(slotHold, tRel - tAcq);
            // a release this wait waited for: after the call, and not after the acquisition (with several permits
            // a later release by another thread can be read here; its negative "hand-off" is no sample)
            if (lastRelease > tCall && lastRelease <= tAcq) {
                r.record(slotHandoff, tAcq - lastRelease);
            }
            worst[phase * laneCount + subject].offer(wait, intended, tAcq, service);
            lane.overBudget().offer(wait * phase, intended);
            // spans for the inversion classifier: after the release, so neither the wait nor the hold pays for them;
            // two plain stores per log on every iteration, kept or not, the same for every subject (no branch:
            // x >>> 63 is 1 for a negative x). Plain stores suffice: the harness reads them after joining the thread.
            longHolds[subject].put(tAcq, tRel, phase & logsHolds & (int) ((holdLimit - (tRel - tAcq)) >>> 63));
            longWaits[subject].put(
                    tCall, tAcq, phase & logsWaits & (int) ((InversionEpisodes.MIN_WAIT_NANOS - 1 - service) >>> 63));
            completed[subject] += phase;
            iterations++;
            intended += period;
            // an iteration that was not carried opens a carry window until it ended (plain selects, no branch)
            long keep = -(long) carried;
            carryUntil = (carryUntil & keep) | (tRel & ~keep);
            carrySubject = (carrySubject & -carried) | (subject & ~-carried);
        }
    }

    /**
     * Records a wait the harness stopped as ending at the stop (the harness's {@link #stop} time, or now if the
     * interrupt came from elsewhere): corrected wait and service time, the worst-wait table and the over-budget log.
     */
    private void unfinishedWait(int subject, int phase, long intended, long tCall) {
        long stoppedAt = stoppedAtNanoTime;
        long end = stoppedAt != 0 ? Math.max(stoppedAt, intended) : System.nanoTime();
        long wait = end - intended;
        long service = Math.max(0, end - tCall);
        PhaseRecorders r = recorders[phase * (1 + subject)];
        r.record(slotWait, wait);
        r.record(slotService, service);
        worst[phase * laneCount + subject].offer(wait, intended, end, service);
        lanes[subject].overBudget().offer(wait * phase, intended);
        unfinished[subject] += phase;
    }

    private void releaseLoop() {
        final long period = spec.periodNanos();
        final int permits = spec.permits();
        long intended = startNanoTime;
        while (!abort && intended < stopNanoTime) {
            int phase = (int) ((measureStartNanoTime - intended - 1) >>> 63);
            long now = pace(intended, phase * laneCount + slices.subjectAt(intended));
            if (now >= stopNanoTime + OVERRUN_NANOS) {
                break;
            }
            // the tick serves the subject its consumers are on: the slice of the earliest iteration one of them has
            // still to do, if that is before the tick (class doc, "a releaser follows its consumers' backlog")
            long anchor = anchor(intended, earliestConsumerPending());
            int subject = slices.subjectAt(anchor);
            Lane lane = lanes[subject];
            if (now >= stallAtNanoTime[subject]) {
                now = stall(now, subject);
            }
            // return only permits some acquirer consumed (an acknowledgement comes after its order):
            // wait, the way the context waits, until there is something to return
            int got = takeOutstanding(lane.outstanding(), permits, slices.sliceEnd(anchor));
            if (got == STOPPED) {
                break;
            }
            if (got == TAKEN) {
                lane.stamp().setRelease(System.nanoTime());
                lane.gate().release(permits);
                completed[subject] += phase;
                iterations++;
            }
            intended += period;
        }
    }

    /**
     * A hog's loop: sleeps until each period's start, then runs busy for its {@code busy} time from when it got the
     * CPU, whichever subject's slice it is in (it never touches either). A period it starts too late for is dropped,
     * not caught up: a hog behind its schedule must not run busy back to back. Counts its bursts per subject as
     * completed iterations.
     */
    private void hogLoop() {
        final long period = spec.periodNanos();
        final long busy = spec.holdNanos();
        long intended = startNanoTime;
        while (!abort && intended < stopNanoTime) {
            long now = System.nanoTime();
            while (now < intended) {
                LockSupport.parkNanos(intended - now);
                if (abort) {
                    return;
                }
                now = System.nanoTime();
            }
            int subject = slices.subjectAt(intended);
            int phase = (int) ((measureStartNanoTime - intended - 1) >>> 63);
            long end = Math.min(now + busy, stopNanoTime + OVERRUN_NANOS);
            while (now < end && !abort) {
                Thread.onSpinWait();
                now = System.nanoTime();
            }
            completed[subject] += phase;
            iterations++;
            intended += period;
            if (intended < now) { // behind: the next start still ahead
                intended += ((now - intended) / period + 1) * period;
            }
        }
    }

    /**
     * Takes {@code permits} from the outstanding count, waiting for them. {@link #SKIPPED} once {@code sliceEnd} has
     * passed and no consuming acquirer has an iteration intended before it left (nobody will consume on this subject
     * before its next slice); {@link #STOPPED} if stopped meanwhile.
     */
    private int takeOutstanding(AtomicLong outstanding, int permits, long sliceEnd) {
        int spins = 0;
        while (true) {
            long o = outstanding.get();
            if (o >= permits) {
                if (outstanding.compareAndSet(o, o - permits)) {
                    return TAKEN;
                }
                continue;
            }
            // a real-time SOFT releaser spins a while first, then naps, as rtsem's SOFT backoff does under a
            // real-time policy (spins, no yields, naps: S4)
            boolean napping = paceMode == PACE_PARK || (paceMode == PACE_NAP && spins >= NAP_AFTER_SPINS);
            // every 256 spins, or on every turn when it naps: 256 naps are 16 ms or more here, and a releaser behind
            // its schedule must find a tick to drop at once, or it falls further behind with every tick it waits on
            if ((++spins & 0xFF) == 0 || napping) {
                long now = System.nanoTime();
                if (abort || now >= stopNanoTime + OVERRUN_NANOS) {
                    return STOPPED;
                }
                if (now >= sliceEnd && !consumerBefore(sliceEnd)) {
                    return SKIPPED;
                }
                if (earliestConsumerPending() == Long.MAX_VALUE) {
                    return STOPPED; // every consumer has ended (a phase's end): nothing more will come back
                }
            }
            if (napping) { // a real-time SOFT releaser must not spin its CPU away
                sleep(ackNapNanos(permits - o, nanosPerConsumedPermit));
            } else if (paceMode == PACE_YIELD && (spins & 0x3F) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** The shortest nap of a releaser that waits for permits to return (a timed park's own cost is microseconds). */
    static final long MIN_ACK_NAP_NANOS = 20_000L;
    /** The longest: a releaser behind its schedule still looks for a tick to drop at least this often. */
    static final long MAX_ACK_NAP_NANOS = 1_000_000L;

    /**
     * How long a napping releaser sleeps while it waits for {@code missing} more permits to be consumed: the time its
     * consumers take for them at their schedule, within [{@link #MIN_ACK_NAP_NANOS}, {@link #MAX_ACK_NAP_NANOS}]. It
     * costs the consumers little: while the releaser waits for permits to return, fewer than {@code permits} are
     * outstanding; the nap ends about when the last permit it waits for is consumed, so its consumers wait for it at most
     * its wake-up's lateness, as they would for a gateway its socket wakes. Any context; allocation-free.
     *
     * @param missing                permits still to be consumed before the tick can return its burst, positive
     * @param nanosPerConsumedPermit about how long the consumers take per permit, 0 if unknown (back to back)
     * @return the nap, nanoseconds
     */
    static long ackNapNanos(long missing, long nanosPerConsumedPermit) {
        long due = missing > MAX_ACK_NAP_NANOS / Math.max(1, nanosPerConsumedPermit)
                ? MAX_ACK_NAP_NANOS
                : missing * nanosPerConsumedPermit;
        return Math.max(MIN_ACK_NAP_NANOS, Math.min(MAX_ACK_NAP_NANOS, due));
    }

    /**
     * The instant whose slice a releaser's tick serves: the tick's own intended start, or the earliest intended start a
     * consumer has still to do or is doing, if that is earlier (a consumer behind its schedule on a subject whose
     * slice is over). Any context; allocation-free.
     *
     * @param intended        the tick's intended start
     * @param earliestPending the earliest pending intended start of the consumers ({@link Long#MIN_VALUE}: none started
     *                        yet, {@link Long#MAX_VALUE}: all ended or none)
     * @return the instant
     */
    static long anchor(long intended, long earliestPending) {
        return earliestPending != Long.MIN_VALUE && earliestPending < intended ? earliestPending : intended;
    }

    /** @return the earliest intended start a consuming acquirer has still to do or is doing; allocation-free */
    private long earliestConsumerPending() {
        long min = Long.MAX_VALUE;
        for (ScenarioWorker c : consumers) {
            long p = c.pending.get();
            if (p == Long.MIN_VALUE) {
                return Long.MIN_VALUE; // one has not started: no backlog to follow yet
            }
            min = Math.min(min, p);
        }
        return min;
    }

    /** @return true if a consuming acquirer has an iteration intended before {@code t} still to do or in progress */
    private boolean consumerBefore(long t) {
        for (ScenarioWorker c : consumers) {
            if (c.pending.get() < t) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until {@code intended} the way the thread's context would; returns the time reached. A HARD thread spins
     * here and so is a gap detector on its own CPU, in the very slices it measures: before a measured iteration, each
     * gap over {@link CpuGapMeter#THRESHOLD_NANOS} between two of its clock reads goes to the gap log (its start and
     * length, in preallocated arrays: allocation-free; counted as lost once they are full), and the time it spun to
     * {@code spunNanos[slot]}.
     */
    private long pace(long intended, int slot) {
        long now = System.nanoTime();
        if (paceMode == PACE_SPIN) {
            long from = now;
            boolean log = slot >= laneCount; // measured
            while (now < intended) {
                Thread.onSpinWait();
                long next = System.nanoTime();
                if (next - now > CpuGapMeter.THRESHOLD_NANOS && log) {
                    int i = gapCount;
                    if (i < gapStart.length) {
                        gapStart[i] = now;
                        gapLength[i] = next - now;
                        gapCount = i + 1;
                    } else {
                        gapsLost++;
                    }
                }
                now = next;
            }
            spunNanos[slot] += now - from;
            return now;
        }
        while (now < intended) {
            long left = intended - now;
            if (paceMode == PACE_NAP && left > napMarginNanos + 20_000) {
                sleep(left - napMarginNanos); // no timer slack under a real-time policy
            } else if (paceMode != PACE_SPIN && paceMode != PACE_NAP && left > 300_000) {
                LockSupport.parkNanos(left - 250_000); // timer slack and wake-up: wake early, spin the rest
            } else if (paceMode == PACE_YIELD && left > 50_000) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
            now = System.nanoTime();
        }
        return now;
    }

    /**
     * A timed park of a real-time (napping) thread; a releaser or SOFT thread logs it if it ended
     * {@link #LATE_WAKE_NANOS} or more late in the measured phase. Two clock reads; allocation-free, no branch on the
     * log.
     */
    private void sleep(long nanos) {
        long from = System.nanoTime();
        LockSupport.parkNanos(nanos);
        long to = System.nanoTime();
        long due = from + nanos;
        // keep = measured (due at or after the measurement start) and late: x >>> 63 is 1 for a negative x
        int measured = (int) ((measureStartNanoTime - due - 1) >>> 63);
        int late = (int) ((LATE_WAKE_NANOS - 1 - (to - due)) >>> 63);
        lateWakes.put(due, to, logsLateWakes & measured & late);
    }

    private static long spinUntil(long deadline) {
        long now;
        while ((now = System.nanoTime()) < deadline) {
            Thread.onSpinWait();
        }
        return now;
    }

    /** The subject's one stall: busy-waits {@code stallNanos}, or until the harness stops the thread. */
    private long stall(long now, int subject) {
        stallAtNanoTime[subject] = Long.MAX_VALUE;
        long until = now + stallNanos;
        while (now < until && !abort) {
            Thread.onSpinWait();
            now = System.nanoTime();
        }
        return now;
    }

    private void bookkeeping() {
        byte[] b = new byte[spec.allocateBytes()];
        for (int i = 0; i < b.length; i += 64) {
            b[i] = (byte) i;
        }
        sink = b;
    }

    private static long readNativeTid() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "pid/task/tid"
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Asks the loop to stop after its current iteration. Any thread. */
    public void abort() {
        abort = true;
    }

    /**
     * Marks the stop without ending a stall or a hold: the caller interrupts the thread after this, and a wait for
     * permits it interrupts is recorded as ending at {@code atNanoTime}. Any thread.
     *
     * @param atNanoTime the stop ({@code nanoTime})
     */
    public void stopping(long atNanoTime) {
        stoppedAtNanoTime = atNanoTime;
    }

    /**
     * Stops the loop: after its current iteration (a stall ends at once), or, if interrupted while it waits for
     * permits, with that wait recorded as ending at {@code atNanoTime}. Any thread; the caller interrupts the thread
     * after this.
     *
     * @param atNanoTime the stop ({@code nanoTime})
     */
    public void stop(long atNanoTime) {
        stoppedAtNanoTime = atNanoTime;
        abort = true;
    }

    /** @return the configuration. */
    public ThreadSpec spec() {
        return spec;
    }

    /** @return the Linux thread id, or -1 before {@link #run} started or where unknown. */
    public long nativeTid() {
        return nativeTid;
    }

    /** @return what ended the loop abnormally, or null. Read after the thread was joined. */
    public Throwable failure() {
        return failure;
    }

    /**
     * @return the CPU time this worker's thread had used when its loop ended (warm-up included), nanoseconds; -1 while
     *         it runs, or where the JVM cannot measure it. Harness thread, after the thread ended.
     */
    public long cpuNanosAtEnd() {
        return cpuNanosAtEnd;
    }

    /** @return iterations done (warm-up and every subject included). Read after the thread was joined. */
    public long iterations() {
        return iterations;
    }

    /**
     * @param subject a lane index
     * @return iterations intended in the measured phase and completed on that subject (a releaser: releases done).
     *         Read after the thread was joined.
     */
    public long completed(int subject) {
        return completed[subject];
    }

    /**
     * @param subject a lane index
     * @return measured waits on that subject that had not ended when the harness stopped the thread (0 or 1),
     *         recorded as ending at the stop. Read after the thread was joined.
     */
    public long unfinished(int subject) {
        return unfinished[subject];
    }

    /**
     * @return the number of gaps over {@link CpuGapMeter#THRESHOLD_NANOS} this thread logged while it spun before
     *         measured iterations (HARD threads only); {@link #gapStart} and {@link #gapLength} hold them. Read after
     *         the thread was joined.
     */
    public int gapCount() {
        return gapCount;
    }

    /**
     * @param i a gap, {@code 0..gapCount()-1}
     * @return its start ({@code nanoTime})
     */
    public long gapStart(int i) {
        return gapStart[i];
    }

    /**
     * @param i a gap, {@code 0..gapCount()-1}
     * @return its length, nanoseconds
     */
    public long gapLength(int i) {
        return gapLength[i];
    }

    /**
     * @return a releaser's or SOFT thread's timed sleeps in the measured phase that ended {@link #LATE_WAKE_NANOS} or
     *         more after they were due (span: due, woke; {@code nanoTime}); empty for other threads and for threads
     *         that never nap (not real-time). Read after the thread was joined.
     */
    public SpanLog lateWakes() {
        return lateWakes;
    }

    /** @return gaps not logged because the log was full. Read after the thread was joined. */
    public long gapsLost() {
        return gapsLost;
    }

    /**
     * @param subject a lane index
     * @return how long this thread spun before measured iterations on that subject, the time its gap log covers
     *         there (HARD threads only; 0 for the others). Read after the thread was joined.
     */
    public long spunNanos(int subject) {
        return spunNanos[laneCount + subject];
    }

    /** @return the worst waits of the measured phase on the first subject. Read after the thread was joined. */
    public WorstWaits worstWaits() {
        return worstWaits(0);
    }

    /**
     * @param subject a lane index
     * @return the worst waits of the measured phase on that subject. Read after the thread was joined.
     */
    public WorstWaits worstWaits(int subject) {
        return worst[laneCount + subject];
    }

    /**
     * @param subject a lane index
     * @return the holds on that subject that overran their plan by {@link #LONG_HOLD_OVERRUN_NANOS} (measured phase;
     *         none for releasers and consuming acquirers). Read after the thread was joined.
     */
    public SpanLog longHolds(int subject) {
        return longHolds[subject];
    }

    /**
     * @param subject a lane index
     * @return the waits on that subject that blocked {@link InversionEpisodes#MIN_WAIT_NANOS} or more, from the call
     *         to acquire to the acquisition (measured phase; HARD and SOFT threads only). Read after the thread was
     *         joined.
     */
    public SpanLog longWaits(int subject) {
        return longWaits[subject];
    }

    /** @return the first subject's over-budget log (drained by the harness). */
    public OverBudgetLog overBudget() {
        return lanes[0].overBudget();
    }

    /**
     * @param subject a lane index
     * @return that subject's over-budget log (drained by the harness)
     */
    public OverBudgetLog overBudget(int subject) {
        return lanes[subject].overBudget();
    }

    /** @return the size of the last bookkeeping allocation (keeps the allocation observable). */
    int sinkLength() {
        return sink == null ? 0 : sink.length;
    }
}
