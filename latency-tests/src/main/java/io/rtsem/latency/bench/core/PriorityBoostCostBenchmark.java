package io.rtsem.latency.bench.core;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What priority inheritance's hold records (ARCHITECTURE P1) cost an uncontended NON_RT acquire+release pair: the
 * same pair on a semaphore with the boost on and one with it off, against {@link Semaphore}, in a JVM where hold
 * recording is armed ({@code armed=true}: a SOFT context was entered once, as any real-time thread's start does) or
 * not ({@code armed=false}: a JVM of ordinary threads, which pays one flag load). Nobody waits, so nobody is boosted:
 * this is the bookkeeping alone, on the JMH thread (NON_RT, not an RtThread: its record is in a ThreadLocal).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class PriorityBoostCostBenchmark {
    /** Whether hold recording is armed in this JVM (P1). */
    @Param({"true", "false"})
    public boolean armed;

    private final RtSemaphore boostOn = RtSemaphore.builder().permits(1).build();
    private final RtSemaphore boostOff =
            RtSemaphore.builder().permits(1).priorityBoost(false).build();
    private final Semaphore juc = new Semaphore(1);

    /** Arms hold recording as a real-time thread's start would (entering and leaving a SOFT scope). */
    @Setup(Level.Trial)
    public void arm() {
        if (armed) {
            try (RtContext.Scope ignored = RtContext.enter(RtContext.SOFT)) {
                // entering SOFT is what arms the JVM
            }
        }
    }

    /** Boost on: {@code tryAcquire()} then {@code release()}, each recorded. @return whether taken. */
    @Benchmark
    public boolean boostOnPair() {
        final boolean taken = boostOn.tryAcquire();
        boostOn.release();
        return taken;
    }

    /** Boost off: the same pair with no record. @return whether taken. */
    @Benchmark
    public boolean boostOffPair() {
        final boolean taken = boostOff.tryAcquire();
        boostOff.release();
        return taken;
    }

    /** Peer: {@code java.util.concurrent.Semaphore}. @return whether taken. */
    @Benchmark
    public boolean jucPair() {
        final boolean taken = juc.tryAcquire();
        juc.release();
        return taken;
    }
}
