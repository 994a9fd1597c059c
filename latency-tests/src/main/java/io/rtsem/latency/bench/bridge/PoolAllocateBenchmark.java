package io.rtsem.latency.bench.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.rtsem.bridge.Lease;
import io.rtsem.bridge.ResourcePool;
import io.rtsem.core.RtContext;
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
 * <p>The pool's pair is: two CASes on its semaphore, one CAS to claim a bitmap bit and one to return it, two CASes on
 * the lease stamp... plus two {@code System.nanoTime()} (~23 ns each here) and two wait-free bookkeeping records.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class PoolAllocateBenchmark
{
    private ResourcePool<Integer> pool;
    private final AtomicLong word = new AtomicLong();
    private final Semaphore juc = new Semaphore(16);
    private RtContext.Scope scope;

    @Setup(Level.Trial)
    public void setUp()
    {
        final List<Integer> resources = new ArrayList<>();
        for (int i = 0; i < 16; i++)
        {
            resources.add(i);
        }
        // Records are drained every 100 us so the per-thread ring (1024) never fills at this rate... nearly: drops
        // are counted and cost the same as a write.
        pool = ResourcePool.of(resources, ResourcePool.options().bookkeepingInterval(100, TimeUnit.MICROSECONDS));
        scope = RtContext.enter(RtContext.HARD);
        pool.registerCurrentThread();
    }

    @Benchmark
    public Object poolTryAllocateClose()
    {
        final Lease<Integer> lease = pool.tryAllocate();
        final Integer resource = lease.resource();
        lease.close();
        return resource;
    }

    @Benchmark
    public boolean rawCasPair()
    {
        return word.compareAndSet(0, 1) & word.compareAndSet(1, 0);
    }

    @Benchmark
    public boolean jucTryAcquireRelease()
    {
        final boolean ok = juc.tryAcquire();
        juc.release();
        return ok;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.printf("%n[pool] dropped bookkeeping records: %d%n", pool.droppedRecords());
        scope.close();
        pool.close();
    }
}
