package io.rtsem.core;

import static io.rtsem.core.ContextThreads.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The HARD paths allocate nothing once warm: tryAcquire/release, spinning acquire (a ping-pong between two HARD
 * threads, so the wait loop really runs), timed acquire, and releases that find parked NON_RT waiters.
 */
class HardPathAllocationTest {
    private static final int WARM_UP_ROUNDS = 200_000;
    private static final int MEASURED_ROUNDS = 200_000;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Allocated bytes of the calling thread; the first calls of a thread are made here so they are not counted. */
    private static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** What two back-to-back readings differ by on this JVM (the reading's own cost), normally 0. */
    private static long readingCost() {
        allocatedBytes();
        final long first = allocatedBytes();
        return allocatedBytes() - first;
    }

    @Test
    void hardPathsAllocateNothingAfterWarmUp() throws Exception {
        final RtSemaphore ping = RtSemaphore.builder().maxPermits(1).build();
        final RtSemaphore pong = RtSemaphore.builder().maxPermits(1).build();
        // A parked NON_RT waiter wanting more than will ever be free: every HARD release of `shared` finds it. (With
        // the default 1 ms maxBypass it would become starving and, by design (G8), hold everybody back until its
        // timeout: a waiter for more permits than can ever be free is a caller bug that G8 makes visible.)
        // The fallback is an hour too, so that nothing but a HARD release can set the wake indication checked below.
        final RtSemaphore shared = RtSemaphore.builder()
                .permits(1)
                .maxPermits(10)
                .maxBypass(1, TimeUnit.HOURS)
                .parkFallback(1, TimeUnit.HOURS)
                .build();
        final ContextThreads.Running<Boolean> parked =
                ContextThreads.start(RtContext.NON_RT, () -> shared.tryAcquire(5, 60, TimeUnit.SECONDS));
        awaitTrue("NON_RT parked", () -> shared.parkedWaiters() == 1);

        final ContextThreads.Running<Long> ponger = ContextThreads.start(RtContext.HARD, () -> {
            for (int i = 0; i < WARM_UP_ROUNDS + MEASURED_ROUNDS; i++) {
                ping.acquire();
                pong.release();
            }
            return 0L;
        });
        final ContextThreads.Running<Long> pinger = ContextThreads.start(RtContext.HARD, () -> {
            final long cost = readingCost();
            long before = 0;
            for (int i = 0; i < WARM_UP_ROUNDS + MEASURED_ROUNDS; i++) {
                if (i == WARM_UP_ROUNDS) {
                    before = allocatedBytes();
                }
                ping.release();
                if (!pong.tryAcquire(1, 10, TimeUnit.SECONDS)) {
                    throw new AssertionError("ponger stopped answering at round " + i);
                }
                if (shared.tryAcquire()) {
                    shared.release(); // finds the parked waiter: wake indication, no unpark
                }
                shared.acquire();
                shared.release();
            }
            return allocatedBytes() - before - cost;
        });
        final long pingerBytes = pinger.get();
        ponger.get();
        assertEquals(
                0L,
                pingerBytes,
                "bytes allocated by the HARD thread over " + MEASURED_ROUNDS
                        + " rounds of release, timed acquire, tryAcquire and acquire");
        assertEquals(1, shared.parkedWaiters(), "the waiter stayed parked throughout");
        assertTrue(
                shared.hasPendingWake(),
                "the HARD releases found the parked waiter and left the wake indication "
                        + "(nobody consumes it: no wake service, an hour's fallback)");
        parked.thread.interrupt();
        parked.task.cancel(true);
    }

    @Test
    void spinningAcquireOfAHardThreadAllocatesNothing() throws Exception {
        final RtSemaphore ping = RtSemaphore.builder().maxPermits(1).build();
        final RtSemaphore pong = RtSemaphore.builder().maxPermits(1).build();
        final ContextThreads.Running<Long> ponger = ContextThreads.start(RtContext.HARD, () -> {
            final long cost = readingCost();
            long before = 0;
            for (int i = 0; i < WARM_UP_ROUNDS + MEASURED_ROUNDS; i++) {
                if (i == WARM_UP_ROUNDS) {
                    before = allocatedBytes();
                }
                ping.acquire(); // spins: the pinger releases only after a few hundred spins
                pong.release();
            }
            return allocatedBytes() - before - cost;
        });
        final ContextThreads.Running<Long> pinger = ContextThreads.start(RtContext.SOFT, () -> {
            for (int i = 0; i < WARM_UP_ROUNDS + MEASURED_ROUNDS; i++) {
                for (int s = 0; s < 100; s++) {
                    Thread.onSpinWait();
                }
                ping.release();
                pong.acquire();
            }
            return 0L;
        });
        pinger.get();
        assertEquals(0L, ponger.get(), "bytes allocated by a HARD thread spinning in acquire");
    }
}
