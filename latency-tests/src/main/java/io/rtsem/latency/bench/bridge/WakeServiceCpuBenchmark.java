package io.rtsem.latency.bench.bridge;

import java.util.concurrent.TimeUnit;

import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.core.RtSemaphore;
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

/**
 * The wake service's CPU use, from {@code ThreadMXBean} thread CPU time: with {@code parked} NON_RT waiters parked on
 * the semaphore (never served) versus none. Each invocation sleeps 200 ms; the auxiliary counter
 * {@code serviceCpuMicrosPerSecond} is the service thread's CPU time per second of wall time (µs/s; 10,000 = 1% of a
 * CPU).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms128m", "-Xmx128m"})
@State(Scope.Benchmark)
public class WakeServiceCpuBenchmark
{
    @Param({"0", "1"})
    public int parked;

    @Param({"5", "20", "50"})
    public long pollMicros;

    private RtSemaphore sem;
    private SemaphoreBridge bridge;
    private Thread[] waiters;

    /** Reported by JMH next to the score. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cpu
    {
        public long serviceCpuMicrosPerSecond;
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        sem = RtSemaphore.builder().maxBypass(1, TimeUnit.HOURS).build();
        bridge = SemaphoreBridge.attach(sem, SemaphoreBridge.options().wakePollInterval(pollMicros,
            TimeUnit.MICROSECONDS));
        waiters = new Thread[parked];
        for (int i = 0; i < parked; i++)
        {
            waiters[i] = new Thread(() ->
            {
                try
                {
                    bridge.acquire(1);
                }
                catch (final InterruptedException ignored)
                {
                    // end of trial
                }
            }, "parked-" + i);
            waiters[i].setDaemon(true);
            waiters[i].start();
        }
        while (sem.parkedWaiters() != parked)
        {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    public void sleep200ms(final Cpu cpu) throws InterruptedException
    {
        final long cpu0 = BridgeWakeBenchmark.cpu(bridge.wakeServiceThread());
        final long wall0 = System.nanoTime();
        Thread.sleep(200);
        final long used = BridgeWakeBenchmark.cpu(bridge.wakeServiceThread()) - cpu0;
        // EVENTS counters are summed over invocations and divided by nothing: store a per-invocation average
        // scaled so the sum over ~5 invocations per second reads as us per second.
        cpu.serviceCpuMicrosPerSecond += used / 1_000 * 1_000_000_000L / (System.nanoTime() - wall0) / 5;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        for (final Thread waiter : waiters)
        {
            waiter.interrupt();
            waiter.join(5_000);
        }
        bridge.close();
    }
}
