package io.rtsem.latency.bench.bridge;

import io.rtsem.core.RtContext;
import io.rtsem.pool.Lease;
import io.rtsem.pool.ResourcePool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Uncontended cost of a HARD {@code tryAllocate() + close()} on a {@link ResourcePool} of 16 resources, against a raw
 * CAS pair (take 0 -> 1, give 1 -> 0 on an {@link AtomicLong}: the floor of any lock-free take/give) and a
 * {@link Semaphore} tryAcquire+release, same run, one thread declared HARD.
 *
 * <p>The pool's pair is: one CAS on its semaphore each way, one CAS to claim a bitmap bit and one to return it, one
 * CAS on the lease stamp (close; allocation publishes the lease with four volatile stores instead), plus two
 * {@code System.nanoTime()} (their cost: docs/LATENCY.md, "Platform figures quoted in the code") and two wait-free
 * bookkeeping records.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class PoolAllocateBenchmark {
    private ResourcePool<Integer> pool;
    private final AtomicLong word = new AtomicLong();
    private final Semaphore juc = new Semaphore(16);
    private RtContext.Scope scope;

    /**
     * Builds the pool of 16 resources (bookkeeping every 100 µs), declares this thread HARD and registers it with the
     * pool, so that the measured calls allocate nothing. Not timed; allocates and starts the pool's threads (set-up
     * time).
     */
    @Setup(Level.Trial)
    public void setUp() {
        final List<Integer> resources = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            resources.add(i);
        }
        // Records are drained every 100 us so the per-thread ring (1024) never fills at this rate... nearly: drops
        // are counted and cost the same as a write.
        pool = ResourcePool.of(resources, ResourcePool.options().bookkeepingInterval(100, TimeUnit.MICROSECONDS));
        scope = RtContext.enter(RtContext.HARD);
        pool.registerCurrentThread();
    }

    /**
     * HARD {@code tryAllocate()}, {@code resource()}, {@code close()}: uncontended, so a resource is always free. No
     * allocation, no system call.
     *
     * @return the resource (so that the calls are not optimised away).
     */
    @Benchmark
    public Object poolTryAllocateClose() {
        final Lease<Integer> lease = pool.tryAllocate();
        final Integer resource = lease.resource();
        lease.close();
        return resource;
    }

    /**
     * The floor: one CAS taking 0 to 1 and one giving 1 back to 0 on an {@link AtomicLong}.
     *
     * @return both CASes' outcome.
     */
    @Benchmark
    public boolean rawCasPair() {
        return word.compareAndSet(0, 1) & word.compareAndSet(1, 0);
    }

    /**
     * {@link Semaphore#tryAcquire()} then {@link Semaphore#release()}, uncontended (no queued thread to unpark).
     *
     * @return whether the permit was taken.
     */
    @Benchmark
    public boolean jucTryAcquireRelease() {
        final boolean ok = juc.tryAcquire();
        juc.release();
        return ok;
    }

    /** Prints the pool's dropped bookkeeping records, ends the HARD scope and closes the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.printf("%n[pool] dropped bookkeeping records: %d%n", pool.droppedRecords());
        scope.close();
        pool.close();
    }
}
