package io.rtsem.core;

import static io.rtsem.core.ContextThreads.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The defects of the 2026-12 review, each as the interleaving that showed it (ARCHITECTURE G8, G8a, G11). Every
 * semaphore here has its park fallback at an hour and, where starving is not the point, its max bypass too; starving
 * waiters get a wake service that does nothing, so they park for the hour instead of polling. A lost wake-up is
 * therefore a waiter that never returns, caught by {@link #within}, not a 1 ms delay.
 */
class NoLostWakeTest {
    /** How long a waiter that must be woken is given: generous (the machine is shared), far below the fallback. */
    private static final long WOKEN_WITHIN_SECONDS = 10;

    private static RtSemaphore.Builder hourFallbacks() {
        return RtSemaphore.builder().parkFallback(1, TimeUnit.HOURS).maxBypass(1, TimeUnit.HOURS);
    }

    /** A semaphore whose waiters starve after 1 ms, with an hour's fallback and a wake service that does nothing. */
    private static RtSemaphore starvingQuickly() {
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.MILLISECONDS)
                .build();
        sem.setDeferredWaker(s -> {});
        return sem;
    }

    private static <T> T within(String what, ContextThreads.Running<T> waiter) throws Exception {
        try {
            return waiter.task.get(WOKEN_WITHIN_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException ex) {
            throw new AssertionError(
                    "lost wake-up: " + what + " still asleep after " + WOKEN_WITHIN_SECONDS
                            + " s (fallback is an hour); thread state " + waiter.thread.getState(),
                    ex);
        }
    }

    private static ContextThreads.Running<Boolean> parkedStarving(RtSemaphore sem, int permits, int starvingBefore) {
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(permits, 60, TimeUnit.SECONDS));
        awaitTrue(
                "waiter for " + permits + " starving and parked",
                () -> sem.starvingWaiters() == starvingBefore + 1
                        && waiter.thread.getState() == Thread.State.TIMED_WAITING);
        return waiter;
    }

    /**
     * Defect 1: the grantee's node was counted against the release's budget after it had been granted, so
     * {@code release(2)} to two parked starving waiters woke only the first; the second slept until its fallback.
     */
    @Test
    void releaseToTwoStarvingWaitersWakesBoth() throws Exception { // G8a, G11
        final RtSemaphore sem = starvingQuickly();
        final ContextThreads.Running<Boolean> first = parkedStarving(sem, 1, 0);
        final ContextThreads.Running<Boolean> second = parkedStarving(sem, 1, 1);
        sem.release(2);
        assertTrue(within("the first starving waiter", first));
        assertTrue(within("the second starving waiter", second));
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.parkedWaiters());
        assertEquals(0, sem.starvingWaiters());
    }

    /**
     * Defect 1 without starving: two releases of one permit before the first woken waiter runs. The second release's
     * walk spends its permit on the first waiter again; the first waiter, having taken one, must pass the other on,
     * and its pass-on must not count its own (still queued) node.
     */
    @Test
    void twoQuickReleasesReachTwoParkedWaiters() throws Exception { // G6, G11
        for (int round = 0; round < 50; round++) {
            final RtSemaphore sem = hourFallbacks().build();
            final ContextThreads.Running<Boolean> a =
                    ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(60, TimeUnit.SECONDS));
            ContextThreads.awaitParked(sem, a);
            final ContextThreads.Running<Boolean> b =
                    ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(60, TimeUnit.SECONDS));
            awaitTrue(
                    "both parked", () -> sem.parkedWaiters() == 2 && b.thread.getState() == Thread.State.TIMED_WAITING);
            sem.release();
            sem.release();
            assertTrue(within("round " + round + ": waiter a", a));
            assertTrue(within("round " + round + ": waiter b", b));
            assertEquals(0, sem.availablePermits());
        }
    }

    /**
     * Defect 2: the grantee role was never passed on, so a waiter that was already starving while another held it
     * could be served only once it was scheduled; meanwhile its starving registration shut everybody out. Now every
     * HARD release grants the line's head, and the head moves on with each grant.
     */
    @Test
    void hardReleasesGrantEachParkedStarvingWaiterInTurn() throws Exception { // G8, G8a
        final RtSemaphore sem = starvingQuickly();
        final ContextThreads.Running<Boolean> first = parkedStarving(sem, 1, 0);
        final ContextThreads.Running<Boolean> second = parkedStarving(sem, 1, 1);
        final boolean hardTookThird = ContextThreads.call(RtContext.HARD, () -> {
            sem.release(); // granted to the first
            sem.release(); // granted to the second, although the first has not run yet
            sem.release();
            return sem.tryAcquire();
        });
        assertTrue(hardTookThird, "both starving waiters were granted while asleep, so HARD took the third: " + sem);
        assertEquals(0, sem.starvingWaiters(), sem.toString());
        Thread.sleep(20);
        assertFalse(first.task.isDone() || second.task.isDone(), "HARD granted; it did not unpark");
        sem.wakeParkedWaiters(); // what the wake service does with the indication
        assertTrue(within("the first grantee", first));
        assertTrue(within("the second grantee", second));
        assertEquals(0, sem.parkedWaiters());
        assertEquals(0, sem.availablePermits());
    }

    /**
     * Defect 3: starving waiters were not ordered among themselves. A starving 2-permit waiter is at the head of the
     * line; a HARD 1-permit waiter starves after it. Single permits must not go to the HARD waiter until the 2-permit
     * waiter has its two.
     */
    @Test
    void starvingWaitersAreServedInTheOrderTheyStarved() throws Exception { // G8
        final RtSemaphore sem = starvingQuickly();
        final ContextThreads.Running<Boolean> big = parkedStarving(sem, 2, 0);
        final ContextThreads.Running<Boolean> hard =
                ContextThreads.start(RtContext.HARD, () -> sem.tryAcquire(1, 60, TimeUnit.SECONDS));
        awaitTrue("HARD waiter starving behind the big one", () -> sem.starvingWaiters() == 2);
        sem.release();
        Thread.sleep(50);
        assertFalse(hard.task.isDone(), "the HARD starving waiter overtook the head of the line: " + sem);
        assertEquals(1, sem.availablePermits());
        sem.release(); // two free: granted to the head (NON_RT release unparks it)
        assertTrue(within("the 2-permit head", big));
        assertFalse(hard.task.isDone(), "nothing was left for HARD: " + sem);
        sem.release();
        assertTrue(within("the HARD waiter, now the head", hard));
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.starvingWaiters());
    }

    /**
     * Found by BlockingRacesStressTest: on a binary semaphore, a HARD release to a parked waiter leaves only the wake
     * indication; a NON_RT release that then finds the count saturated at 1 used to return without passing the wake
     * on, so with no wake service the waiter slept until its fallback over the free permit.
     */
    @Test
    void saturatedBinaryReleasePassesTheWakeOn() throws Exception { // G3, G10, G11
        final RtSemaphore sem = hourFallbacks().binary().build();
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(60, TimeUnit.SECONDS));
        ContextThreads.awaitParked(sem, waiter);
        ContextThreads.call(RtContext.HARD, () -> {
            sem.release(); // the indication only: no wake service here
            return null;
        });
        sem.release(); // saturated: the count stays 1
        assertTrue(within("the waiter over the saturated binary permit", waiter));
        assertEquals(0, sem.availablePermits());
    }

    /**
     * Defect 5a: a grant that raced the grantee's timeout used to be handed back, and the hand-back saturated at
     * maxPermits: with the semaphore full meanwhile, a permit vanished. Now the grant stands and the acquire succeeds.
     */
    @Test
    void grantRacingTimeoutAtMaxPermitsLosesNoPermit() throws Exception { // G2, G8a.2
        final RtSemaphore sem = RtSemaphore.builder()
                .maxPermits(1)
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.MILLISECONDS)
                .build();
        sem.setDeferredWaker(s -> {});
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(1, 300, TimeUnit.MILLISECONDS));
        awaitTrue(
                "starving and parked",
                () -> sem.starvingWaiters() == 1 && waiter.thread.getState() == Thread.State.TIMED_WAITING);
        ContextThreads.call(RtContext.HARD, () -> {
            sem.release(); // granted while the waiter sleeps until its deadline
            sem.release(); // the semaphore is full again
            return null;
        });
        final boolean got = within("the timed waiter", waiter);
        final int held = got ? 1 : 0;
        assertEquals(
                2,
                held + sem.availablePermits(),
                "two permits released, none lost: waiter " + (got ? "kept its grant" : "gave up") + ", " + sem);
        assertTrue(got, "a grant that came before the timeout stands");
    }

    /**
     * A waiter interrupted after it was granted keeps the permit (the grant came first) and its interrupt status;
     * nothing is lost either way.
     */
    @Test
    void interruptAfterGrantKeepsThePermitAndTheInterrupt() throws Exception { // G8a.2
        final RtSemaphore sem = starvingQuickly();
        final ContextThreads.Running<boolean[]> waiter = ContextThreads.start(RtContext.NON_RT, () -> {
            try {
                final boolean got = sem.tryAcquire(1, 60, TimeUnit.SECONDS);
                return new boolean[] {got, Thread.currentThread().isInterrupted()};
            } catch (InterruptedException ex) {
                return new boolean[] {false, true};
            }
        });
        awaitTrue(
                "starving and parked",
                () -> sem.starvingWaiters() == 1 && waiter.thread.getState() == Thread.State.TIMED_WAITING);
        ContextThreads.call(RtContext.HARD, () -> {
            sem.release();
            return null;
        });
        assertEquals(0, sem.starvingWaiters(), "granted: " + sem);
        waiter.thread.interrupt();
        final boolean[] result = within("the interrupted grantee", waiter);
        assertTrue(result[0], "the grant came first, so the acquire succeeded");
        assertTrue(result[1], "and the interrupt status is kept for the caller");
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.parkedWaiters());
    }
}
