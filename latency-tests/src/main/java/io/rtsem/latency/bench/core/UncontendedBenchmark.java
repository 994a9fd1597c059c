package io.rtsem.latency.bench.core;

import io.rtsem.core.RtSemaphore;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Uncontended take-and-give-back, one thread: rtsem's fast path (one CAS each way on the padded state word) against
 * the floor (a raw {@link AtomicLong} CAS pair) and the peer ({@link Semaphore}, non-fair). Target: rtsem no slower
 * than {@code java.util.concurrent.Semaphore}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class UncontendedBenchmark {
    private final RtSemaphore rtsem = new RtSemaphore(1);
    private final Semaphore juc = new Semaphore(1);
    private final AtomicLong word = new AtomicLong(1);

    /** rtsem: {@code tryAcquire()} then {@code release()}. @return whether the permit was taken. */
    @Benchmark
    public boolean rtsemTryAcquireRelease() {
        final boolean taken = rtsem.tryAcquire();
        rtsem.release();
        return taken;
    }

    /** Floor: a CAS that takes the permit and a CAS that returns it, on a plain (unpadded) AtomicLong. */
    @Benchmark
    public boolean atomicLongCasPair() {
        final long v = word.get();
        final boolean taken = word.compareAndSet(v, v - 1);
        word.compareAndSet(v - 1, v);
        return taken;
    }

    /** Peer: {@code java.util.concurrent.Semaphore.tryAcquire()} then {@code release()}. @return whether taken. */
    @Benchmark
    public boolean jucSemaphoreTryAcquireRelease() {
        final boolean taken = juc.tryAcquire();
        juc.release();
        return taken;
    }
}
