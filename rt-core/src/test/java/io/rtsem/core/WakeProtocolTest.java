package io.rtsem.core;

import static io.rtsem.core.ContextThreads.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The wake-up guarantees of docs/ARCHITECTURE.md, one test each. */
class WakeProtocolTest {
    @Test
    void hardReleaseLeavesAWakeIndicationInsteadOfUnparking() throws Exception { // G3
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        ContextThreads.awaitParked(sem, waiter);
        ContextThreads.call(RtContext.HARD, () -> {
            sem.release();
            return null;
        });
        assertTrue(sem.hasPendingWake(), "HARD release with a parked waiter sets the indication");
        Thread.sleep(50);
        assertFalse(waiter.task.isDone(), "the HARD release did not unpark (fallback is an hour here)");
        sem.wakeParkedWaiters();
        assertFalse(sem.hasPendingWake(), "waking consumes the indication");
        assertTrue(waiter.get());
        assertEquals(0, sem.availablePermits());
    }

    @Test
    void parkedWaiterReachesAHardReleaseThroughTheFallbackAlone() throws Exception { // G5
        // Between two naps the waiter is registered but not parked, and a HARD release landing there is taken
        // directly, leaving the (harmless) indication. Naps of 500 ms, and maxBypass at an hour (its 1 ms default
        // cut every nap to 1 ms for the starvation check: CI hit that window twice), make that window rare.
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(500, TimeUnit.MILLISECONDS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        // Really parked, not just registered: a waiter that registered but had not parked yet re-reads the word
        // and takes the permit directly, leaving the (then harmless) indication for the next wake to clear.
        ContextThreads.awaitParked(sem, waiter);
        ContextThreads.call(RtContext.HARD, () -> {
            sem.release();
            return null;
        });
        assertTrue(waiter.get(), "no service, yet the fallback nap found the permit");
        assertFalse(sem.hasPendingWake(), "the waiter consumed the indication itself");
    }

    @Test
    void nonRtReleaseUnparksDirectly() throws Exception { // G4 with a direct wake
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        awaitTrue("parked", () -> sem.parkedWaiters() == 1);
        sem.release();
        assertTrue(waiter.get(), "woken without any fallback");
        assertFalse(sem.hasPendingWake());
    }

    @Test
    void deferredWakerIsToldWhenAWaiterParks() throws Exception {
        final RtSemaphore sem =
                RtSemaphore.builder().parkFallback(1, TimeUnit.HOURS).build();
        final AtomicInteger told = new AtomicInteger();
        final DeferredWaker waker = s -> {
            assertTrue(s == sem);
            told.incrementAndGet();
        };
        sem.setDeferredWaker(waker);
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        awaitTrue("parked", () -> sem.parkedWaiters() == 1);
        awaitTrue("told", () -> told.get() == 1);
        try {
            sem.setDeferredWaker(s -> {});
            throw new AssertionError("a second waker was accepted");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("already attached"), expected.getMessage());
        }
        sem.release();
        assertTrue(waiter.get());
        assertEquals(1, told.get(), "told once per blocking acquire");
        sem.setDeferredWaker(null);
        assertEquals(null, sem.deferredWaker());
    }

    @Test
    void waiterThatTimesOutPassesTheWakeOn() throws Exception { // G6
        // Two parked waiters; one permit released directly wakes the head; the head leaves (times out) at that very
        // moment. The second waiter must still get the permit without relying on the fallback.
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final ContextThreads.Running<Object> first = ContextThreads.start(RtContext.NON_RT, () -> {
            try {
                return sem.tryAcquire(20, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                return ex;
            }
        });
        awaitTrue("first parked", () -> sem.parkedWaiters() == 1);
        final ContextThreads.Running<Boolean> second =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        awaitTrue("second parked", () -> sem.parkedWaiters() == 2);
        // Interrupt the first waiter and release at once: whichever order they happen in, the permit ends with the
        // second waiter (the first may also get it if it took it before noticing the interrupt).
        first.thread.interrupt();
        sem.release();
        final Object firstResult = first.get();
        if (Boolean.TRUE.equals(firstResult)) {
            sem.release(); // the first took it before it saw the interrupt: hand it over
        }
        assertTrue(second.get(), "the wake meant for the leaving waiter was passed on");
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.parkedWaiters());
    }

    @Test
    void multiPermitReleaseWakesAsManyWaitersAsItCanServe() throws Exception {
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final ContextThreads.Running<?>[] waiters = new ContextThreads.Running<?>[3];
        for (int i = 0; i < waiters.length; i++) {
            final int permits = i + 1;
            waiters[i] = ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(permits, 20, TimeUnit.SECONDS));
        }
        awaitTrue("three parked", () -> sem.parkedWaiters() == 3);
        sem.release(6);
        for (final ContextThreads.Running<?> waiter : waiters) {
            assertEquals(Boolean.TRUE, waiter.get());
        }
        assertEquals(0, sem.availablePermits());
    }

    @Test
    void waitingNonRtDefersToAWaitingHardThread() throws Exception { // G7
        final RtSemaphore sem =
                RtSemaphore.builder().maxBypass(1, TimeUnit.HOURS).build();
        final ContextThreads.Running<Boolean> nonRt =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        awaitTrue("NON_RT parked", () -> sem.parkedWaiters() == 1);
        final ContextThreads.Running<Boolean> hard =
                ContextThreads.start(RtContext.HARD, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        awaitTrue("HARD waiting", () -> sem.waiters(RtContext.HARD) == 1);
        sem.release(); // wakes the parked NON_RT directly; it must let the HARD waiter have it
        assertTrue(hard.get(), "HARD got the permit");
        Thread.sleep(20);
        assertFalse(nonRt.task.isDone(), "NON_RT stood back");
        sem.release();
        assertTrue(nonRt.get());
    }

    @Test
    void starvingWaiterIsServedAheadOfEveryone() throws Exception { // G8
        final RtSemaphore sem =
                RtSemaphore.builder().maxBypass(5, TimeUnit.MILLISECONDS).build();
        final ContextThreads.Running<Boolean> big =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(3, 20, TimeUnit.SECONDS));
        // Feed single permits that newcomers keep taking; once the big waiter starves, newcomers are held back and
        // the permits accumulate until the big waiter has its three.
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int takenByNewcomers = 0;
        int released = 0;
        while (!big.task.isDone() && System.nanoTime() - end < 0) {
            sem.release();
            released++;
            if (sem.tryAcquire()) {
                takenByNewcomers++;
            }
            Thread.sleep(1);
        }
        assertTrue(big.get(), "the 3-permit waiter was served despite the 1-permit newcomers");
        assertTrue(takenByNewcomers >= 1, "newcomers barged before it starved");
        assertEquals(0, sem.waiters(RtContext.NON_RT));
        assertEquals(0, sem.starvingWaiters(), "no starving registration left behind: " + sem);
        assertEquals(released - takenByNewcomers - 3, sem.availablePermits(), "every permit released is taken or free");
    }

    /**
     * G8's price is paid only while it buys something: a starving parked waiter that no permit reaches sleeps about
     * one park fallback at a time, with a wake service attached (which unparks it after a HARD release) and without
     * one (its 20 us polling nap doubles while nothing comes). Counted in voluntary context switches (one per nap
     * that sleeps), not in time: a 20 us nap for 400 ms would be thousands.
     */
    @Test
    void starvingWaiterThatNothingReachesDoesNotPoll() throws Exception { // G8
        for (final boolean withWaker : new boolean[] {true, false}) {
            final RtSemaphore sem =
                    RtSemaphore.builder().maxBypass(1, TimeUnit.MILLISECONDS).build();
            final AtomicInteger told = new AtomicInteger();
            if (withWaker) {
                sem.setDeferredWaker(s -> told.incrementAndGet());
            }
            final long waitMillis = 400;
            final ContextThreads.Running<long[]> waiter = ContextThreads.start(RtContext.NON_RT, () -> {
                ContextThreads.voluntarySwitches();
                final long before = ContextThreads.voluntarySwitches();
                final boolean got = sem.tryAcquire(1, waitMillis, TimeUnit.MILLISECONDS);
                return new long[] {got ? 1 : 0, ContextThreads.voluntarySwitches() - before};
            });
            awaitTrue("the waiter turned starving", () -> sem.toString().contains("starving=1"));
            final long[] result = waiter.get();
            assertEquals(0L, result[0], "nothing was released, so the waiter timed out");
            // About waitMillis naps of 1 ms; a 20 us poll would be over 5000 (and 20 us + 50 us timer slack, ~5700).
            assertTrue(
                    result[1] <= 2 * waitMillis,
                    (withWaker ? "with" : "without") + " a wake service, the " + "starving waiter slept " + result[1]
                            + " times in " + waitMillis + " ms");
            assertEquals(withWaker ? 1 : 0, told.get(), "the waker was told once");
            assertEquals(0, sem.parkedWaiters());
            assertFalse(sem.toString().contains("starving=1"), sem.toString());
        }
    }

    /**
     * G8a: a HARD release grants a parked starving waiter its permit directly, so the HARD thread can take the next
     * permit at once instead of waiting until the NON_RT waiter is scheduled. Here the waiter is never woken by the
     * release (HARD does not unpark, the waker does nothing, the fallback is an hour): under plain G8 the HARD
     * tryAcquire would fail for as long as the waiter sleeps.
     */
    @Test
    void hardReleaseGrantsTheStarvingWaiterAndGoesOn() throws Exception { // G8a
        final RtSemaphore sem = RtSemaphore.builder()
                .maxBypass(1, TimeUnit.MILLISECONDS)
                .parkFallback(1, TimeUnit.HOURS)
                .build();
        sem.setDeferredWaker(s -> {}); // a wake service that never wakes anybody: the waiter parks for the hour
        final ContextThreads.Running<Boolean> waiter =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(1, 30, TimeUnit.SECONDS));
        awaitTrue(
                "starving and parked",
                () -> sem.toString().contains("starving=1") && waiter.thread.getState() == Thread.State.TIMED_WAITING);
        final boolean hardTookTheOther = ContextThreads.call(RtContext.HARD, () -> {
            sem.release(2);
            return sem.tryAcquire();
        });
        assertTrue(hardTookTheOther, "the grant freed the word at once: " + sem);
        assertEquals(0, sem.availablePermits(), "one permit granted, one taken by HARD");
        assertFalse(sem.toString().contains("starving=1"), "the grant took the starving registration: " + sem);
        Thread.sleep(20);
        assertFalse(waiter.task.isDone(), "still asleep: HARD granted, it did not unpark");
        assertTrue(sem.hasPendingWake(), "the HARD grant left the wake indication");
        sem.wakeParkedWaiters(); // what the wake service does
        assertTrue(waiter.get(), "the grantee found its permit waiting");
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.parkedWaiters(), "the grantee dropped its own parked registration");
        sem.release();
        assertTrue(sem.tryAcquire(), "nothing left behind: " + sem);
    }

    /**
     * G8a.2: a grant racing the grantee's timeout, or its interrupt, loses no permit: either the waiter returns with
     * the permit, or the permit is back in the word. Bounded: 400 rounds or 20 s.
     */
    @Test
    void grantRacingTimeoutOrInterruptLosesNoPermit() throws Exception { // G8a
        final java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int rounds = 0;
        int granted = 0;
        int gaveUp = 0;
        for (; rounds < 400 && System.nanoTime() - end < 0; rounds++) {
            final RtSemaphore sem = RtSemaphore.builder()
                    .maxBypass(1, TimeUnit.NANOSECONDS)
                    .parkFallback(1, TimeUnit.HOURS)
                    .build();
            sem.setDeferredWaker(s -> {});
            final boolean byInterrupt = (rounds & 1) == 1;
            final long timeoutMicros = 50 + random.nextInt(400);
            final ContextThreads.Running<Boolean> waiter = ContextThreads.start(RtContext.NON_RT, () -> {
                try {
                    return byInterrupt
                            ? sem.tryAcquire(1, 30, TimeUnit.SECONDS)
                            : sem.tryAcquire(1, timeoutMicros, TimeUnit.MICROSECONDS);
                } catch (InterruptedException ex) {
                    return false;
                }
            });
            final RtContext releaser = random.nextBoolean() ? RtContext.HARD : RtContext.NON_RT;
            final long delayNanos = TimeUnit.MICROSECONDS.toNanos(random.nextInt((int) timeoutMicros + 100));
            ContextThreads.call(releaser, () -> {
                final long at = System.nanoTime() + delayNanos;
                while (System.nanoTime() - at < 0) {
                    Thread.onSpinWait();
                }
                if (byInterrupt) {
                    waiter.thread.interrupt();
                }
                sem.release();
                return null;
            });
            if (!byInterrupt && waiter.task.isDone() == false) {
                sem.wakeParkedWaiters(); // a HARD grant leaves only the indication; the service would act on it
            }
            final boolean got = waiter.get();
            if (got) {
                granted++;
            } else {
                gaveUp++;
            }
            assertEquals(
                    got ? 0 : 1,
                    sem.availablePermits(),
                    "round " + rounds + " (" + (byInterrupt ? "interrupt" : "timeout " + timeoutMicros + " us") + ", "
                            + releaser + " release): " + sem);
            assertEquals(0, sem.parkedWaiters(), "round " + rounds + ": " + sem);
            assertFalse(sem.toString().contains("starving=1"), "round " + rounds + ": " + sem);
        }
        assertTrue(
                granted > 0 && gaveUp > 0,
                "both outcomes seen in " + rounds + " rounds: granted " + granted + ", gave up " + gaveUp);
    }
}
