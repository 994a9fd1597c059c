package io.rtsem.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.LincheckKt;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Systematic concurrency tests of the semaphore with JetBrains Lincheck.
 *
 * <p>1. The non-blocking operations ({@code tryAcquire} in every form, {@code release}, {@code drainPermits},
 * {@code availablePermits}), each called from HARD, SOFT or NON_RT, are linearizable against {@link Model}, a plain
 * sequential counter: by Lincheck's model checker (it explores thread switches at every shared-memory access) and by
 * its stress mode. The bug it would show: a permit created or lost by a racing CAS, or a release above
 * {@code maxPermits} accepted.
 *
 * <p>2. The blocking races (G4, G6, G8, G8a, G10, G11), each a small program of real threads that Lincheck's
 * general-purpose model checker ({@code runConcurrentTest}) runs under many interleavings. Every semaphore has its
 * park fallback and, unless starving is the point, its max bypass at an hour: a lost wake-up leaves a thread parked
 * forever, which the model checker reports as a deadlock. Each test names the outcome that would be the bug.
 *
 * <p>Quick mode (the normal test command) explores {@link #INVOCATIONS} interleavings per blocking race and
 * {@code INVOCATIONS / 30} scenarios of 100 interleavings each for linearizability (at least 10); the full mode,
 * {@code mvn -pl rt-core -am test -Dtest=RtSemaphoreLincheckTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Drtsem.lincheck.invocations=20000}, explores more (figures in docs/RELIABILITY.md). A lost wake-up shows as
 * "Concurrent test has hung" after Lincheck's own time-out.
 *
 * <p>What Lincheck cannot drive: time. {@code System.nanoTime()} and {@code parkNanos} deadlines are real, so
 * timeouts and the starvation clock are not explored interleaving by interleaving; the races that involve them
 * (timeout vs grant, the starving line under load) are covered by {@code NoLostWakeTest},
 * {@code RtSemaphoreModelTest} and the soak test.
 */
public class RtSemaphoreLincheckTest
{
    /** Interleavings explored per blocking race (quick mode); {@code -Drtsem.lincheck.invocations=N} for more. */
    static final int INVOCATIONS = Integer.getInteger("rtsem.lincheck.invocations", 300);
    private static final int MAX_PERMITS = 3;

    private final RtSemaphore sem = RtSemaphore.builder().permits(1).maxPermits(MAX_PERMITS)
        .parkFallback(1, TimeUnit.HOURS).maxBypass(1, TimeUnit.HOURS).build();

    private static RtContext context(final int ordinal)
    {
        return RtContext.values()[ordinal];
    }

    /** @param ctx context ordinal; @param n permits. */
    @Operation
    public boolean tryAcquire(@Param(gen = IntGen.class, conf = "0:2") final int ctx,
        @Param(gen = IntGen.class, conf = "1:3") final int n)
    {
        try (RtContext.Scope ignored = RtContext.enter(context(ctx)))
        {
            return sem.tryAcquire(n);
        }
    }

    /** A zero timeout: a single attempt, in the caller's context. */
    @Operation
    public boolean tryAcquireNoWait(@Param(gen = IntGen.class, conf = "0:2") final int ctx) throws InterruptedException
    {
        try (RtContext.Scope ignored = RtContext.enter(context(ctx)))
        {
            return sem.tryAcquire(1, 0, TimeUnit.NANOSECONDS);
        }
    }

    /** Returns {@code n}; above maxPermits it throws and changes nothing. */
    @Operation
    public void release(@Param(gen = IntGen.class, conf = "0:2") final int ctx,
        @Param(gen = IntGen.class, conf = "1:2") final int n)
    {
        try (RtContext.Scope ignored = RtContext.enter(context(ctx)))
        {
            sem.release(n);
        }
    }

    @Operation
    public int drainPermits()
    {
        return sem.drainPermits();
    }

    @Operation
    public int availablePermits()
    {
        return sem.availablePermits();
    }

    /** The sequential specification: a counter between 0 and maxPermits. */
    public static final class Model
    {
        private int value = 1;

        public boolean tryAcquire(final int ctx, final int n)
        {
            if (value < n)
            {
                return false;
            }
            value -= n;
            return true;
        }

        public boolean tryAcquireNoWait(final int ctx)
        {
            return tryAcquire(ctx, 1);
        }

        public void release(final int ctx, final int n)
        {
            if (value + n > MAX_PERMITS)
            {
                throw new IllegalStateException("above maxPermits");
            }
            value += n;
        }

        public int drainPermits()
        {
            final int v = value;
            value = 0;
            return v;
        }

        public int availablePermits()
        {
            return value;
        }
    }

    @Test
    void nonBlockingOperationsAreLinearizableUnderTheModelChecker()
    {
        LinChecker.check(RtSemaphoreLincheckTest.class, new ModelCheckingOptions().sequentialSpecification(Model.class)
            .iterations(Math.max(10, INVOCATIONS / 30)).invocationsPerIteration(100).threads(3).actorsPerThread(3));
    }

    @Test
    void nonBlockingOperationsAreLinearizableUnderStress()
    {
        LinChecker.check(RtSemaphoreLincheckTest.class, new StressOptions().sequentialSpecification(Model.class)
            .iterations(Math.max(10, INVOCATIONS / 30)).invocationsPerIteration(1000).threads(3).actorsPerThread(3));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Blocking races
    // ------------------------------------------------------------------------------------------------------------

    private static RtSemaphore.Builder hourFallbacks()
    {
        return RtSemaphore.builder().parkFallback(1, TimeUnit.HOURS).maxBypass(1, TimeUnit.HOURS)
            .waitStrategy(RtContext.NON_RT, new ParkingWaitStrategy(2)); // few spins: the park is what is explored
    }

    /** A thread of {@code context} running {@code body}; failures are kept for {@link #joinAll}. */
    private static Thread in(final RtContext context, final AtomicInteger failures, final Interruptible body)
    {
        return new Thread(() ->
        {
            try (RtContext.Scope ignored = RtContext.enter(context))
            {
                body.run();
            }
            catch (final InterruptedException ex)
            {
                failures.incrementAndGet();
            }
        });
    }

    private static void joinAll(final Thread... threads)
    {
        for (final Thread t : threads)
        {
            t.start();
        }
        for (final Thread t : threads)
        {
            try
            {
                t.join();
            }
            catch (final InterruptedException ex)
            {
                throw new AssertionError(ex);
            }
        }
    }

    private static void check(final boolean ok, final String bug)
    {
        if (!ok)
        {
            throw new AssertionError(bug);
        }
    }

    /** A body that may be interrupted. */
    @FunctionalInterface
    interface Interruptible
    {
        void run() throws InterruptedException;
    }

    @Test
    void releaseRacingAWaiterGoingToSleepAlwaysWakesIt() // G4
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            final RtSemaphore s = hourFallbacks().build();
            final AtomicInteger failures = new AtomicInteger();
            joinAll(in(RtContext.NON_RT, failures, s::acquire), in(RtContext.NON_RT, failures, s::release));
            check(s.availablePermits() == 0 && s.parkedWaiters() == 0, "lost or duplicated permit: " + s);
            return null;
        });
    }

    @Test
    void twoSingleReleasesReachTwoParkedWaiters() // G6, G11
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            final RtSemaphore s = hourFallbacks().build();
            final AtomicInteger failures = new AtomicInteger();
            joinAll(in(RtContext.NON_RT, failures, s::acquire), in(RtContext.NON_RT, failures, s::acquire),
                in(RtContext.NON_RT, failures, () ->
                {
                    s.release();
                    s.release();
                }));
            check(s.availablePermits() == 0 && s.parkedWaiters() == 0, "a waiter left asleep or a permit lost: " + s);
            return null;
        });
    }

    @Test
    void multiPermitWaiterGetsTwoSingleReleases() // G4, G6
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            final RtSemaphore s = hourFallbacks().build();
            final AtomicInteger failures = new AtomicInteger();
            joinAll(in(RtContext.NON_RT, failures, () -> s.acquire(2)), in(RtContext.SOFT, failures, s::release),
                in(RtContext.NON_RT, failures, s::release));
            check(s.availablePermits() == 0, "the 2-permit waiter was not served: " + s);
            return null;
        });
    }

    /**
     * G7b: a NON_RT waiter woken while a SOFT waiter still counts as waiting stands back (G7) and parks again; the
     * SOFT waiter, taking one of two permits, must stop counting before it passes the wake on, or the NON_RT waiter
     * sleeps over the permit left (found by {@code RtSemaphoreModelTest}'s full mode).
     */
    @Test
    void waiterThatStoodBackForAHigherContextIsWokenWhenItLeaves() // G7, G7b
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            final RtSemaphore s = hourFallbacks().waitStrategy(RtContext.SOFT, new BackoffWaitStrategy(2, 0, 1, 1))
                .build();
            final AtomicInteger failures = new AtomicInteger();
            joinAll(in(RtContext.NON_RT, failures, s::acquire), in(RtContext.SOFT, failures, s::acquire),
                in(RtContext.NON_RT, failures, () -> s.release(2)));
            check(s.availablePermits() == 0 && s.parkedWaiters() == 0,
                "the NON_RT waiter that stood back for SOFT was left asleep over a free permit: " + s);
            return null;
        });
    }

    @Test
    void hardReleaseWithAWakeServiceReachesAParkedWaiter() // G3, G5
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            final RtSemaphore s = hourFallbacks().build();
            final AtomicInteger failures = new AtomicInteger();
            final AtomicInteger done = new AtomicInteger();
            joinAll(in(RtContext.NON_RT, failures, () ->
                {
                    s.acquire();
                    done.incrementAndGet();
                }), in(RtContext.HARD, failures, s::release),
                in(RtContext.NON_RT, failures, () ->
                {
                    // The wake service: acts on the indication until the waiter is through.
                    while (done.get() == 0)
                    {
                        if (s.hasPendingWake())
                        {
                            s.wakeParkedWaiters();
                        }
                        Thread.yield();
                    }
                }));
            check(s.availablePermits() == 0, "lost permit: " + s);
            return null;
        });
    }

    @Test
    void starvingWaitersAreGrantedInTurn() // G8, G8a, G11
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            // maxBypass 1 ns: both waiters enter the starving line at their first check.
            final RtSemaphore s = hourFallbacks().maxBypass(1, TimeUnit.NANOSECONDS).build();
            s.setDeferredWaker(x -> { });
            final AtomicInteger failures = new AtomicInteger();
            joinAll(in(RtContext.NON_RT, failures, s::acquire), in(RtContext.NON_RT, failures, s::acquire),
                in(RtContext.NON_RT, failures, () -> s.release(2)));
            check(s.availablePermits() == 0 && s.starvingWaiters() == 0 && s.parkedWaiters() == 0,
                "a starving waiter left asleep over a free permit, or a registration left behind: " + s);
            return null;
        });
    }

    @Test
    void interruptRacingAGrantLosesNoPermit() // G2, G8a.2
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            final RtSemaphore s = hourFallbacks().maxBypass(1, TimeUnit.NANOSECONDS).build();
            s.setDeferredWaker(x -> { });
            final AtomicInteger interrupted = new AtomicInteger();
            final AtomicInteger got = new AtomicInteger();
            final Thread waiter = in(RtContext.NON_RT, interrupted, () ->
            {
                s.acquire();
                got.incrementAndGet();
            });
            joinAll(waiter, in(RtContext.NON_RT, new AtomicInteger(), s::release),
                new Thread(waiter::interrupt));
            check(got.get() + interrupted.get() == 1, "the waiter neither returned nor threw");
            check(got.get() + s.availablePermits() == 1, "permit lost or duplicated (got " + got + "): " + s);
            check(s.starvingWaiters() == 0 && s.parkedWaiters() == 0, "registration left behind: " + s);
            return null;
        });
    }

    @Test
    void binarySemaphoreSaturatesAtOne() // G10
    {
        LincheckKt.runConcurrentTest(INVOCATIONS, () ->
        {
            final RtSemaphore s = hourFallbacks().binary().build();
            final AtomicInteger failures = new AtomicInteger();
            joinAll(in(RtContext.NON_RT, failures, s::acquire), in(RtContext.HARD, failures, s::release),
                in(RtContext.NON_RT, failures, s::release));
            check(s.availablePermits() <= 1, "binary count above 1: " + s);
            check(s.parkedWaiters() == 0, "waiter left registered: " + s);
            return null;
        });
    }
}
