package io.rtsem.latency.bench.bridge;

import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.RtThread;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.openhft.affinity.Affinity;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * {@link BridgeWakeBenchmark}'s measurement with its arms <em>interleaved</em>: j.u.c.Semaphore (the releaser unparks
 * the waiter), a bridge with the default wake service ({@code SCHED_OTHER}, a 2 ms spin window, then 20 µs polls) and a
 * bridge whose service runs at {@code comparedScheduling} with a spin window of {@code comparedSpinMicros} (default
 * {@code other} and 0, the service that polls from the start, the default before 2026-12-02;
 * {@code -p comparedScheduling=fifo:45} for the real-time service), sample after sample in turn, so that
 * the three see the same machine: on a VM shared with other work, arms run one after the other (JMH params) can see
 * quite different loads, and their ratio then measures the load.
 *
 * <p>One sample: the releaser (this thread, pinned to CPU 1, declared HARD) opens the arm's gate, waits (not timed)
 * until the arm's NON_RT waiter (on CPU 0, with both wake services) is parked in its acquire, then releases one
 * permit and spins until the waiter reports it has it: the time from just before the release to then is recorded in
 * the arm's HdrHistogram. The gate keeps the two arms not being sampled from having a waiter parked, so their wake
 * services are idle ({@code park()}, no CPU) and do not disturb the arm being sampled. For the rtsem arms the release
 * is HARD: it leaves the wake indication and the arm's wake service unparks the waiter; the semaphores keep their
 * default 1 ms park fallback ({@code parkFallbackMicros}), and {@code maxBypass} is an hour as in
 * {@link BridgeWakeBenchmark}.
 *
 * <p>JMH's own score mixes the arms and includes the untimed steps; the result is the table printed at the end of
 * the trial: each arm's p50, p90, p99, p99.9 and max over the measurement iterations, and each bridge arm's ratio to
 * the j.u.c. arm. Target (issue 11): the bridge's p99 within 2x of j.u.c.'s at the default options.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Six warm-up iterations: with one (1 s), the fork's C2 threads (and the JMH parent JVM's) were still compiling on
// CPU 0 during measurement, and a wake service that yields there gave them its CPU for a scheduler slice
// (docs/BRIDGE.md, "The spin window"). Each JMH fork warms up anew.
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class BridgeWakeInterleavedBenchmark {
    static final int JUC = 0;
    static final int DEFAULT = 1;
    static final int COMPARED = 2;
    private final String[] names = {"juc", "bridge default", null};

    /**
     * The wake service's poll interval in both bridge arms, in µs (default 20, the bridge's default; with 0 the
     * default arm's service keeps its inherited policy, see {@code CommonOptions.wakeScheduling()}).
     */
    @Param({"20"})
    public long pollMicros;

    /**
     * The scheduling of the second bridge arm, in {@link RtScheduling#parse} syntax (default {@code other}, the
     * default's; a real-time one needs {@code comparedSpinMicros=0}).
     */
    @Param({"other"})
    public String comparedScheduling;

    /**
     * The bridge arms' semaphores' park fallback (ARCHITECTURE G5), µs: default 1000, the semaphore's default. An hour
     * ({@code 3600000000}) shows whether any sample was woken by the fallback rather than the wake service: such a
     * sample would then take an hour (the trial would hang), not a millisecond.
     */
    @Param({"1000"})
    public long parkFallbackMicros;

    /**
     * The spin window of the second bridge arm, µs (default 0: none, it polls from the start; a real-time
     * {@code comparedScheduling} needs 0).
     */
    @Param({"0"})
    public long comparedSpinMicros;

    /**
     * Once the waiter is parked, the releaser waits a pseudo-random 0 .. this many µs (untimed, the same sequence for
     * every arm) before it releases, so that the release falls at a random point of the wake service's poll period
     * rather than just after the service went back to sleep (0: release at once, as {@link BridgeWakeBenchmark}
     * does; see docs/BRIDGE.md for what that does to a service that preempts the parking waiter).
     */
    @Param({"0"})
    public long releaseDelayMicros;

    /**
     * CPU work, in µs per millisecond, of a SOFT thread (its context's default scheduling, FIFO 40 where allowed)
     * on CPU 0 beside the waiters and the wake services for the whole trial: the load a real-time wake service was
     * for (0: none, the default). The work spins; between bursts the thread parks.
     */
    @Param({"0"})
    public long softWorkMicros;

    private volatile boolean softStop;
    private Thread softWorker;

    private long random = 0x9E3779B97F4A7C15L;

    private final Arm[] arms = new Arm[3];
    private final Histogram[] measured = new Histogram[3];
    private final Histogram discarded = new Histogram(3_600_000_000_000L, 3);
    private boolean measuring;
    /** Each arm's wake service CPU time when measurement started (its cost per sample is printed at the end). */
    private final long[] serviceCpuAtStart = new long[3];

    private long sample;
    private RtContext.Scope hardScope;

    /** One arm: its semaphore (and bridge), its gate and its waiter. */
    static final class Arm {
        final Semaphore juc;
        final RtSemaphore rt;
        final SemaphoreBridge bridge;
        final Semaphore gate = new Semaphore(0);
        final AtomicLong taken = new AtomicLong();
        volatile boolean stop;
        Thread waiter;

        Arm(Semaphore juc, RtSemaphore rt, SemaphoreBridge bridge) {
            this.juc = juc;
            this.rt = rt;
            this.bridge = bridge;
        }

        void startWaiter(String name) {
            waiter = new Thread(
                    () -> {
                        try {
                            while (true) {
                                gate.acquire();
                                if (stop) {
                                    return;
                                }
                                if (juc != null) {
                                    juc.acquire();
                                } else {
                                    bridge.acquire(1);
                                }
                                taken.incrementAndGet();
                            }
                        } catch (InterruptedException ignored) {
                            // end of trial
                        }
                    },
                    name);
            waiter.setDaemon(true);
            waiter.start();
        }

        /** Whether the waiter is parked in the arm's acquire (not in the gate). */
        boolean waiterParked() {
            final Thread.State state = waiter.getState();
            if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
                return false;
            }
            return juc != null ? juc.hasQueuedThreads() : rt.parkedWaiters() == 1;
        }
    }

    /**
     * Builds the three arms with their waiters and wake services on CPU 0 (threads inherit their creator's
     * affinity), then pins this thread to CPU 1 and declares it HARD. Not timed; allocates and starts threads.
     */
    @Setup(Level.Trial)
    public void setUp() {
        Affinity.setAffinity(0);
        arms[JUC] = new Arm(new Semaphore(0), null, null);
        arms[DEFAULT] = bridgeArm(SemaphoreBridge.options());
        arms[COMPARED] = bridgeArm(SemaphoreBridge.options()
                .wakeSpin(comparedSpinMicros, TimeUnit.MICROSECONDS)
                .wakeScheduling(RtScheduling.parse(comparedScheduling)));
        names[COMPARED] = "bridge " + comparedScheduling + " spin " + comparedSpinMicros;
        for (int i = 0; i < arms.length; i++) {
            arms[i].startWaiter("waiter-" + names[i].replace(' ', '-'));
            measured[i] = new Histogram(3_600_000_000_000L, 3);
        }
        if (softWorkMicros > 0) {
            final long work = softWorkMicros * 1_000L;
            softWorker = RtThread.start("soft-work", RtContext.SOFT, RtThread.NO_PIN, () -> {
                long next = System.nanoTime();
                while (!softStop) {
                    next += 1_000_000L;
                    final long until = System.nanoTime() + work;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait(); // the SOFT thread's work: CPU 0 is busy at FIFO 40
                    }
                    final long left = next - System.nanoTime();
                    if (left > 0) {
                        LockSupport.parkNanos(left);
                    }
                }
            }); // started while this thread's affinity is CPU 0: it inherits it
        }
        Affinity.setAffinity(1);
        hardScope = RtContext.enter(RtContext.HARD);
    }

    private SemaphoreBridge.Options withPoll(SemaphoreBridge.Options options) {
        return options.wakePollInterval(pollMicros, TimeUnit.MICROSECONDS);
    }

    private Arm bridgeArm(SemaphoreBridge.Options options) {
        final RtSemaphore rt = RtSemaphore.builder()
                .maxBypass(1, TimeUnit.HOURS)
                .parkFallback(parkFallbackMicros, TimeUnit.MICROSECONDS)
                .build();
        return new Arm(null, rt, SemaphoreBridge.attach(rt, withPoll(options)));
    }

    /**
     * Records into the per-arm histograms only during measurement iterations. Not timed.
     *
     * @param params the iteration's parameters.
     */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        final boolean was = measuring;
        measuring = params.getType() == IterationType.MEASUREMENT;
        if (measuring && !was) {
            for (int i = 0; i < arms.length; i++) {
                serviceCpuAtStart[i] = serviceCpuNanos(arms[i]);
            }
        }
    }

    /** The CPU time of an arm's wake service thread so far, or 0 for the j.u.c. arm. Not timed. */
    private static long serviceCpuNanos(Arm arm) {
        return arm.bridge == null
                ? 0L
                : ManagementFactory.getThreadMXBean()
                        .getThreadCpuTime(arm.bridge.wakeServiceThread().getId());
    }

    /**
     * One sample on the next arm in turn (see the class comment). Allocates nothing; the gate's release and the wait
     * for the parked waiter are outside the recorded interval.
     *
     * @return the spins until the waiter had the permit.
     */
    @Benchmark
    public long releaseUntilWaiterHasIt() {
        final int a = (int) (sample++ % 3);
        final Arm arm = arms[a];
        final long expected = arm.taken.get() + 1;
        arm.gate.release();
        while (!arm.waiterParked()) {
            Thread.onSpinWait();
        }
        if (releaseDelayMicros > 0) {
            random ^= random << 13; // xorshift64: no allocation, the same sequence in every run
            random ^= random >>> 7;
            random ^= random << 17;
            final long delay = Long.remainderUnsigned(random, releaseDelayMicros * 1_000L + 1);
            final long until = System.nanoTime() + delay;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
        }
        final long start = System.nanoTime();
        if (arm.juc != null) {
            arm.juc.release();
        } else {
            arm.rt.release(1);
        }
        long spins = 0;
        while (arm.taken.get() != expected) {
            Thread.onSpinWait();
            spins++;
        }
        final long elapsed = System.nanoTime() - start;
        (measuring ? measured[a] : discarded).recordValue(elapsed);
        return spins;
    }

    /**
     * Prints each arm's percentiles and ratios to the j.u.c. arm, then stops the waiters and closes the bridges.
     *
     * @throws InterruptedException if interrupted while joining a waiter.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        System.out.printf(
                "%n[interleaved wake, poll %d us, release delay 0..%d us, SOFT work %d us/ms] µs   %10s %8s %8s %8s %8s %9s%n",
                pollMicros, releaseDelayMicros, softWorkMicros, "count", "p50", "p90", "p99", "p99.9", "max");
        for (int i = 0; i < arms.length; i++) {
            final Histogram h = measured[i];
            System.out.printf(
                    "[interleaved wake] %-15s %10d %8.1f %8.1f %8.1f %8.1f %9.1f%s%n",
                    names[i],
                    h.getTotalCount(),
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3,
                    h.getMaxValue() / 1e3,
                    arms[i].bridge == null
                            ? ""
                            : String.format(
                                    "   (%s; wake service CPU %.1f us per sample)",
                                    arms[i].bridge.stats().wakeServiceScheduling(),
                                    (serviceCpuNanos(arms[i]) - serviceCpuAtStart[i])
                                            / 1e3
                                            / Math.max(1, h.getTotalCount())));
        }
        for (final int i : new int[] {DEFAULT, COMPARED}) {
            System.out.printf(
                    "[interleaved wake] %-15s %10s %8.2f %8.2f %8.2f %8.2f %9.2f   (ratio to juc)%n",
                    names[i],
                    "",
                    ratio(measured[i], measured[JUC], 50),
                    ratio(measured[i], measured[JUC], 90),
                    ratio(measured[i], measured[JUC], 99),
                    ratio(measured[i], measured[JUC], 99.9),
                    (double) measured[i].getMaxValue() / Math.max(1, measured[JUC].getMaxValue()));
        }
        hardScope.close();
        if (softWorker != null) {
            softStop = true;
            softWorker.join(5_000);
        }
        for (final Arm arm : arms) {
            arm.stop = true;
            arm.gate.release();
            if (arm.juc != null) {
                arm.juc.release(2);
            } else {
                arm.rt.release(2);
            }
            arm.waiter.join(5_000);
            if (arm.bridge != null) {
                arm.bridge.close();
            }
        }
    }

    private static double ratio(Histogram a, Histogram b, double percentile) {
        return (double) a.getValueAtPercentile(percentile) / Math.max(1, b.getValueAtPercentile(percentile));
    }
}
