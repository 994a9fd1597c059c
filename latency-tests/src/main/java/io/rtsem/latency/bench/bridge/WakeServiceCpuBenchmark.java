package io.rtsem.latency.bench.bridge;

import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The wake service's CPU use, from {@code ThreadMXBean} thread CPU time: with {@code parked} NON_RT waiters parked on
 * the semaphore (never served) versus none. Each invocation sleeps 200 ms and measures the service thread's CPU time
 * and the wall time over that sleep. The auxiliary counters {@code serviceCpuNanos} and {@code wallNanos} are their
 * sums (JMH sums EVENTS counters over an iteration's invocations and aggregates both alike across iterations): their
 * ratio is the service's share of a CPU, however many invocations there were. At the end of the trial the
 * measurement iterations' totals are divided once and printed as {@code wake service CPU X ms per s of wall time}
 * (1000 ms per s = a whole CPU). One benchmark thread (the default).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms128m", "-Xmx128m"})
@State(Scope.Benchmark)
public class WakeServiceCpuBenchmark {
    /** NON_RT waiters parked on the semaphore for the whole trial, never served: 0, the service idles (B2). */
    @Param({"0", "1"})
    public int parked;

    /** The wake service's poll interval while waiters are parked, in µs. */
    @Param({"5", "20", "50"})
    public long pollMicros;

    /**
     * The wake service's scheduling: {@code default} (the option's default, {@code other} since 2026-12-02) or a
     * request in {@link RtScheduling#parse} syntax ({@code fifo:45}: the real-time priority, its default before).
     */
    @Param({"default", "fifo:45"})
    public String scheduling;

    private RtSemaphore sem;
    private SemaphoreBridge bridge;
    private Thread[] waiters;
    private boolean measuring;
    private long measuredCpuNanos;
    private long measuredWallNanos;

    /**
     * Reported by JMH next to the score, as sums (EVENTS): divide {@code serviceCpuNanos} by {@code wallNanos} for the
     * service's share of a CPU. JMH resets both at the start of every iteration.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cpu {
        /** The wake service thread's CPU time during the invocations, in ns. */
        public long serviceCpuNanos;
        /** The wall time of the same invocations, in ns. */
        public long wallNanos;
    }

    /**
     * Attaches a bridge polling every {@code pollMicros} µs under {@code scheduling} and parks {@code parked} NON_RT waiters on its semaphore
     * (no permits: they stay parked). Not timed; allocates and starts threads (set-up time).
     */
    @Setup(Level.Trial)
    public void setUp() {
        sem = RtSemaphore.builder().maxBypass(1, TimeUnit.HOURS).build();
        final SemaphoreBridge.Options options =
                SemaphoreBridge.options().wakePollInterval(pollMicros, TimeUnit.MICROSECONDS);
        if (!scheduling.equals("default")) {
            options.wakeScheduling(RtScheduling.parse(scheduling));
        }
        bridge = SemaphoreBridge.attach(sem, options);
        waiters = new Thread[parked];
        for (int i = 0; i < parked; i++) {
            waiters[i] = new Thread(
                    () -> {
                        try {
                            bridge.acquire(1);
                        } catch (InterruptedException ignored) {
                            // end of trial
                        }
                    },
                    "parked-" + i);
            waiters[i].setDaemon(true);
            waiters[i].start();
        }
        while (sem.parkedWaiters() != parked) {
            Thread.onSpinWait();
        }
    }

    /**
     * Whether the coming iteration is a measurement one (warm-up is left out of the printed figure). Not timed.
     *
     * @param params the iteration's parameters.
     */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    /**
     * Sleeps 200 ms (NON_RT) and adds the wake service's CPU time and the wall time over the sleep to the counters.
     *
     * @param cpu the auxiliary counters.
     * @throws InterruptedException if interrupted while sleeping.
     */
    @Benchmark
    public void sleep200ms(Cpu cpu) throws InterruptedException {
        final Thread service = bridge.wakeServiceThread();
        final long cpu0 = BridgeWakeBenchmark.cpu(service);
        final long wall0 = System.nanoTime();
        Thread.sleep(200);
        final long used = BridgeWakeBenchmark.cpu(service) - cpu0;
        final long wall = System.nanoTime() - wall0;
        // EVENTS counters are summed, not averaged: sum the numerator and the denominator, divide once at the end.
        cpu.serviceCpuNanos += used;
        cpu.wallNanos += wall;
        if (measuring) {
            measuredCpuNanos += used;
            measuredWallNanos += wall;
        }
    }

    /**
     * Prints the wake service's CPU time per second of wall time over the measurement iterations, then interrupts the
     * waiters and closes the bridge.
     *
     * @throws InterruptedException if interrupted while joining a waiter.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (measuredWallNanos > 0) {
            System.out.printf(
                    "%n[parked=%d, poll=%d us, scheduling %s] wake service CPU %.1f ms per s of wall time"
                            + " (measurement iterations)%n",
                    parked,
                    pollMicros,
                    bridge.stats().wakeServiceScheduling(),
                    measuredCpuNanos / 1e6 / (measuredWallNanos / 1e9));
        }
        for (final Thread waiter : waiters) {
            waiter.interrupt();
            waiter.join(5_000);
        }
        bridge.close();
    }
}
