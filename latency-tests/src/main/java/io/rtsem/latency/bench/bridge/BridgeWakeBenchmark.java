package io.rtsem.latency.bench.bridge;

import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.affinity.Affinity;
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

/**
 * NON_RT wake latency after a release, same run: the benchmark thread (declared HARD for the rtsem cases) releases
 * one permit to a NON_RT thread that is parked in an acquire, then spins until that thread reports it has the
 * permit. One sample = release to "waiter has it" seen by the releaser (wake-up plus one cross-core hand-off).
 * Before each sample ({@code Level.Invocation} set-up, not timed) the waiter is made to be really parked.
 *
 * <ul>
 *   <li>{@code juc}: {@link Semaphore}; the releaser unparks the waiter itself (the peer).</li>
 *   <li>{@code bridge-P-S}: {@link RtSemaphore} with a {@link SemaphoreBridge}; a HARD release only leaves the wake
 *   indication, the wake service polling every P µs with timer slack S µs unparks the waiter; P = 0: the service
 *   spins, yielding each turn. The service runs at its default scheduling ({@code other} since 2026-12-02;
 *   unchanged for P = 0).</li>
 *   <li>{@code bridge-P-S-SCHED}: the same with the service's scheduling set to SCHED, in
 *   {@link RtScheduling#parse} syntax: {@code bridge-20-1-other} is the default spelled out,
 *   {@code bridge-20-1-fifo:45} the service at the real-time priority (STRICT).</li>
 *   <li>{@code fallback}: no wake service: the waiter wakes by its own 1 ms park fallback (G5), the floor's
 *   opposite.</li>
 * </ul>
 * The wake service's CPU time per second of wall time while the waiter is parked is printed at the end of a trial.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class BridgeWakeBenchmark {
    /**
     * What releases and how the waiter is woken: {@code juc}, {@code bridge-P-S} (wake service polling every P µs,
     * timer slack S µs; P = 0 spins), {@code bridge-P-S-SCHED} (and the service's scheduling SCHED, e.g.
     * {@code other}) or {@code fallback} (see the class comment).
     */
    @Param({
        "juc",
        "bridge-20-1",
        "bridge-20-1-other",
        "bridge-20-50-other",
        "bridge-5-1",
        "bridge-50-1",
        "bridge-0-1",
        "fallback"
    })
    public String config;

    private Semaphore juc;
    private RtSemaphore rt;
    private SemaphoreBridge bridge;
    private Thread waiter;
    private final AtomicLong taken = new AtomicLong();
    private long expected;
    private volatile boolean stop;
    private RtContext.Scope hardScope;
    private long cpuStart;
    private long wallStart;

    /**
     * Builds the semaphore (and the bridge for {@code bridge-*}), starts the NON_RT waiter (and the bridge's threads)
     * on CPU 0, pins this thread to CPU 1 and, for the rtsem cases, declares it HARD. Not timed; allocates and starts
     * threads (set-up time).
     */
    @Setup(Level.Trial)
    public void setUp() {
        // The layout a real deployment has: the HARD releaser alone on CPU 1, everything NON_RT (the waiter, the
        // bridge's wake service) on CPU 0. Threads inherit their creator's affinity, so create them while this
        // thread is on CPU 0, then move this thread to CPU 1. (Unpinned, a woken waiter may be queued behind the
        // spinning releaser for a whole scheduler slice: docs/LATENCY.md, "Platform figures quoted in the code".)
        Affinity.setAffinity(0);
        if (config.equals("juc")) {
            juc = new Semaphore(0);
        } else {
            rt = RtSemaphore.builder().maxBypass(1, TimeUnit.HOURS).build();
            if (config.startsWith("bridge-")) {
                final String[] f = config.split("-", 4);
                final SemaphoreBridge.Options options = SemaphoreBridge.options()
                        .wakePollInterval(Long.parseLong(f[1]), TimeUnit.MICROSECONDS)
                        .timerSlack(Long.parseLong(f[2]), TimeUnit.MICROSECONDS);
                if (f.length > 3) {
                    options.wakeScheduling(RtScheduling.parse(f[3]));
                }
                bridge = SemaphoreBridge.attach(rt, options);
            }
            hardScope = RtContext.enter(RtContext.HARD); // the releasing benchmark thread is HARD
        }
        waiter = new Thread(
                () -> {
                    try {
                        while (!stop) {
                            if (juc != null) {
                                juc.acquire();
                            } else if (bridge != null) {
                                bridge.acquire(1);
                            } else {
                                rt.acquire(1);
                            }
                            taken.incrementAndGet();
                        }
                    } catch (InterruptedException ignored) {
                        // end of trial
                    }
                },
                "non-rt-waiter");
        waiter.setDaemon(true);
        waiter.start();
        Affinity.setAffinity(1);
        if (bridge != null) {
            cpuStart = cpu(bridge.wakeServiceThread());
            wallStart = System.nanoTime();
        }
    }

    /** Not timed: wait until the waiter is parked (registered and in a timed or untimed park). */
    @Setup(Level.Invocation)
    public void waiterParked() {
        expected = taken.get() + 1;
        while (!(waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING)
                || (rt != null && rt.parkedWaiters() == 0)) {
            Thread.onSpinWait();
        }
    }

    /**
     * One sample: releases one permit and spins until the waiter has taken it. For the rtsem cases the release is
     * HARD (no system call: it leaves the wake indication); for {@code juc} the releaser unparks the waiter itself.
     * Allocates nothing.
     *
     * @return the spins until the waiter had the permit (returned so that the loop is not optimised away).
     */
    @Benchmark
    public long releaseUntilWaiterHasIt() {
        if (juc != null) {
            juc.release();
        } else {
            rt.release(1);
        }
        long spins = 0;
        while (taken.get() != expected) {
            Thread.onSpinWait();
            spins++;
        }
        return spins;
    }

    /**
     * Prints the wake service's CPU time per second of wall time over the whole trial, warm-up included
     * ({@code bridge-*} only), then ends the HARD scope, lets the waiter finish and closes the bridge.
     *
     * @throws InterruptedException if interrupted while joining the waiter.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (bridge != null) {
            final long cpu = cpu(bridge.wakeServiceThread()) - cpuStart;
            final long wall = System.nanoTime() - wallStart;
            System.out.printf(
                    "%n[%s] wake service CPU %.1f ms per s of wall time while the waiter was parked "
                            + "(%d polls, %d wakes, timer slack %d ns, scheduling %s)%n",
                    config,
                    cpu / 1e6 / (wall / 1e9),
                    bridge.stats().wakeServicePolls(),
                    bridge.stats().wakeServiceWakes(),
                    bridge.stats().wakeServiceTimerSlackNanos(),
                    bridge.stats().wakeServiceScheduling());
        }
        stop = true;
        if (hardScope != null) {
            hardScope.close();
        }
        if (juc != null) {
            juc.release(2);
        } else {
            rt.release(2);
        }
        waiter.join(5_000);
        if (bridge != null) {
            bridge.close();
        }
    }

    /** CPU time of {@code thread} in ns ({@code ThreadMXBean}; -1 if unsupported). NON_RT. */
    static long cpu(Thread thread) {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return mx.getThreadCpuTime(thread.getId());
    }
}
