package io.rtsem.core;

import static io.rtsem.core.ContextThreads.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The semaphore's contract, method by method, in each context. */
class RtSemaphoreContractTest {
    @ParameterizedTest
    @EnumSource(RtContext.class)
    void tryAcquireTakesOnlyWhatIsThere(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(3);
        ContextThreads.call(context, () -> {
            assertTrue(sem.tryAcquire());
            assertTrue(sem.tryAcquire(2));
            assertFalse(sem.tryAcquire());
            assertFalse(sem.tryAcquire(1));
            sem.release(3);
            assertFalse(sem.tryAcquire(4));
            assertTrue(sem.tryAcquire(3));
            return null;
        });
        assertEquals(0, sem.availablePermits(), "tryAcquire(3) in the last line took all three");
        sem.release(3);
        assertEquals(3, sem.availablePermits());
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void multiPermitTryAcquireIsAllOrNothing(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(2);
        final boolean took = ContextThreads.call(context, () -> sem.tryAcquire(3));
        assertFalse(took);
        assertEquals(2, sem.availablePermits(), "a failed multi-permit tryAcquire takes nothing");
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void timedTryAcquireTimesOutAndTakesNothing(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final long start = System.nanoTime();
        final boolean took = ContextThreads.call(context, () -> sem.tryAcquire(20, TimeUnit.MILLISECONDS));
        final long waited = System.nanoTime() - start;
        assertFalse(took);
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(20), "returned before its timeout: " + waited + " ns");
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.waiters(context), "a timed-out waiter no longer counts as waiting");
        assertEquals(0, sem.parkedWaiters());
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void tryAcquireUntilPastDeadlineIsASingleAttempt(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(1);
        assertTrue(ContextThreads.call(context, () -> sem.tryAcquireUntil(1, System.nanoTime() - 1_000)));
        assertFalse(ContextThreads.call(context, () -> sem.tryAcquireUntil(1, System.nanoTime() - 1_000)));
        assertFalse(ContextThreads.call(context, () -> sem.tryAcquire(1, 0, TimeUnit.SECONDS)));
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void tryAcquireUntilWaitsForARelease(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final ContextThreads.Running<Boolean> waiter = ContextThreads.start(
                context, () -> sem.tryAcquireUntil(2, System.nanoTime() + TimeUnit.SECONDS.toNanos(20)));
        awaitTrue("waiter counted", () -> sem.waiters(context) == 1);
        sem.release();
        sem.release();
        assertTrue(waiter.get());
        assertEquals(0, sem.availablePermits());
        assertEquals(0, sem.waiters(context));
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void acquireWaitsForEnoughPermits(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(1);
        final ContextThreads.Running<Object> waiter = ContextThreads.start(context, () -> {
            sem.acquire(3);
            return null;
        });
        awaitTrue("waiter counted", () -> sem.waiters(context) == 1);
        sem.release(1);
        Thread.sleep(20);
        assertFalse(waiter.task.isDone(), "2 permits are not enough for acquire(3)");
        sem.release(1);
        waiter.get();
        assertEquals(0, sem.availablePermits());
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void interruptBeforeAcquireThrowsAndTakesNothing(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(5);
        final Object result = ContextThreads.call(context, () -> {
            Thread.currentThread().interrupt();
            try {
                sem.acquire();
                return "acquired";
            } catch (InterruptedException ex) {
                return Thread.currentThread().isInterrupted() ? "flag still set" : ex;
            }
        });
        assertTrue(result instanceof InterruptedException, "got " + result);
        assertEquals(5, sem.availablePermits());
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void interruptDuringWaitThrowsAndPassesTheWakeOn(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final ContextThreads.Running<Object> interrupted = ContextThreads.start(context, () -> {
            try {
                sem.acquire();
                return "acquired";
            } catch (InterruptedException ex) {
                return ex;
            }
        });
        awaitTrue("waiter counted", () -> sem.waiters(context) == 1);
        interrupted.thread.interrupt();
        assertTrue(interrupted.get() instanceof InterruptedException);
        assertEquals(0, sem.waiters(context));
        assertEquals(0, sem.parkedWaiters(), "an interrupted parked waiter deregisters");
        sem.release();
        assertEquals(1, sem.availablePermits(), "an interrupted waiter took nothing");
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void uninterruptibleAcquireIgnoresInterruptAndRestoresIt(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final ContextThreads.Running<Boolean> waiter = ContextThreads.start(context, () -> {
            sem.acquireUninterruptibly(2);
            return Thread.currentThread().isInterrupted();
        });
        awaitTrue("waiter counted", () -> sem.waiters(context) == 1);
        waiter.thread.interrupt();
        Thread.sleep(20);
        assertFalse(waiter.task.isDone(), "an interrupt does not end an uninterruptible wait");
        sem.release(2);
        assertTrue(waiter.get(), "the interrupt status is restored on return");
        assertEquals(0, sem.availablePermits());
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void releaseWakesEveryKindOfWaiter(RtContext releaserContext) throws Exception {
        // One waiter of each context, the release from each context: everybody is served, HARD release included
        // (its parked waiter is reached through the park fallback, G5).
        final RtSemaphore sem = new RtSemaphore(0);
        final ContextThreads.Running<?>[] waiters = new ContextThreads.Running<?>[3];
        for (final RtContext waiterContext : RtContext.values()) {
            waiters[waiterContext.ordinal()] = ContextThreads.start(waiterContext, () -> {
                sem.acquire();
                return null;
            });
        }
        awaitTrue(
                "three waiters",
                () -> sem.waiters(RtContext.HARD) + sem.waiters(RtContext.SOFT) + sem.waiters(RtContext.NON_RT) == 3);
        ContextThreads.call(releaserContext, () -> {
            sem.release(3);
            return null;
        });
        for (final ContextThreads.Running<?> waiter : waiters) {
            waiter.get();
        }
        assertEquals(0, sem.availablePermits());
    }

    @ParameterizedTest
    @EnumSource(RtContext.class)
    void drainTakesEverything(RtContext context) throws Exception {
        final RtSemaphore sem = new RtSemaphore(7);
        assertEquals(7, ContextThreads.call(context, sem::drainPermits));
        assertEquals(0, sem.drainPermits());
        assertEquals(0, sem.availablePermits());
    }

    @Test
    void binarySemaphoreNeverExceedsOne() throws Exception {
        final RtSemaphore sem = RtSemaphore.builder().binary().build();
        assertEquals(0, sem.availablePermits());
        sem.release();
        sem.release();
        sem.release(5);
        assertEquals(1, sem.availablePermits());
        assertTrue(sem.isBinary());
        assertEquals(1, sem.maxPermits());
        assertTrue(sem.tryAcquire());
        assertFalse(sem.tryAcquire());
        assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire(2));
        assertThrows(
                IllegalArgumentException.class,
                () -> RtSemaphore.builder().binary().permits(2).build());
        for (final RtContext context : RtContext.values()) {
            ContextThreads.call(context, () -> {
                sem.release(3);
                return null;
            });
            assertEquals(1, sem.availablePermits(), "binary from " + context);
        }
    }

    @Test
    void badInputIsRefusedWithTheValuesNamed() {
        final IllegalArgumentException negative =
                assertThrows(IllegalArgumentException.class, () -> new RtSemaphore(-1));
        assertTrue(negative.getMessage().contains("-1"), negative.getMessage());

        final RtSemaphore sem = RtSemaphore.builder().permits(2).maxPermits(3).build();
        for (final int bad : new int[] {0, -2}) {
            final String value = Integer.toString(bad);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire(bad))
                    .getMessage()
                    .contains(value));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> sem.acquire(bad))
                    .getMessage()
                    .contains(value));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> sem.acquireUninterruptibly(bad))
                    .getMessage()
                    .contains(value));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire(bad, 1, TimeUnit.MILLISECONDS))
                    .getMessage()
                    .contains(value));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> sem.tryAcquireUntil(bad, System.nanoTime()))
                    .getMessage()
                    .contains(value));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> sem.release(bad))
                    .getMessage()
                    .contains(value));
        }
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> sem.acquire(4));
        assertTrue(tooMany.getMessage().contains("4") && tooMany.getMessage().contains("3"), tooMany.getMessage());

        final IllegalStateException overflow = assertThrows(IllegalStateException.class, () -> sem.release(2));
        assertTrue(
                overflow.getMessage().contains("2")
                        && overflow.getMessage().contains("4")
                        && overflow.getMessage().contains("3"),
                overflow.getMessage());
        assertEquals(2, sem.availablePermits(), "a refused release leaves the count unchanged");

        assertThrows(
                IllegalArgumentException.class,
                () -> RtSemaphore.builder().permits(4).maxPermits(3).build());
        assertThrows(IllegalArgumentException.class, () -> RtSemaphore.builder().maxPermits(0));
        assertThrows(IllegalArgumentException.class, () -> RtSemaphore.builder().parkFallback(0, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> RtSemaphore.builder().maxBypass(-1, TimeUnit.SECONDS));
        final IllegalArgumentException hugeBypass = assertThrows(
                IllegalArgumentException.class,
                () -> RtSemaphore.builder().maxBypass(Long.MAX_VALUE, TimeUnit.NANOSECONDS));
        assertTrue(hugeBypass.getMessage().contains(String.valueOf(Long.MAX_VALUE)), hugeBypass.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RtSemaphore.builder().parkFallback(2, TimeUnit.DAYS));
        assertEquals(
                TimeUnit.DAYS.toNanos(1),
                RtSemaphore.builder().maxBypass(1, TimeUnit.DAYS).build().maxBypassNanos(),
                "one day is allowed");
    }

    @Test
    void attemptCounterNeverWrapsNegative() {
        assertEquals(1, Waiters.nextAttempt(0));
        assertEquals(
                1 << 30,
                Waiters.nextAttempt(Integer.MAX_VALUE),
                "past Integer.MAX_VALUE the count stays positive and late");
        assertEquals(63, Integer.MAX_VALUE & Waiters.CLOCK_CHECK_MASK);
        assertEquals(
                0,
                Waiters.nextAttempt(Integer.MAX_VALUE) & Waiters.CLOCK_CHECK_MASK,
                "the clock check still comes once every 64 attempts across the turn");
        for (final WaitStrategy strategy :
                new WaitStrategy[] {ParkingWaitStrategy.DEFAULT, BackoffWaitStrategy.DEFAULT}) {
            assertEquals(
                    strategy.blocksAfter(Integer.MAX_VALUE),
                    strategy.blocksAfter(1 << 30),
                    strategy.alias() + " treats the turned count as it treated the largest");
        }
    }

    @Test
    void countNeverWraps() {
        final RtSemaphore sem = new RtSemaphore(Integer.MAX_VALUE - 1);
        sem.release();
        assertEquals(Integer.MAX_VALUE, sem.availablePermits());
        final IllegalStateException ex = assertThrows(IllegalStateException.class, sem::release);
        assertTrue(ex.getMessage().contains(Integer.toString(Integer.MAX_VALUE)), ex.getMessage());
        assertEquals(Integer.MAX_VALUE, sem.availablePermits());
        assertEquals(Integer.MAX_VALUE, sem.drainPermits());
    }

    @Test
    void hardMayOnlySpin() {
        final IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> RtSemaphore.builder().waitStrategy(RtContext.HARD, "backoff"));
        assertTrue(ex.getMessage().contains("backoff") && ex.getMessage().contains("HARD"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RtSemaphore.builder().waitStrategy(RtContext.HARD, "park"));
        final IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> WaitStrategy.forAlias("sleepy"));
        assertTrue(unknown.getMessage().contains("sleepy"), unknown.getMessage());
        final RtSemaphore sem = RtSemaphore.builder()
                .waitStrategy(RtContext.SOFT, "park")
                .waitStrategy(RtContext.NON_RT, new BackoffWaitStrategy(10, 1, 1_000, 10_000))
                .build();
        assertEquals("park", sem.waitStrategy(RtContext.SOFT).alias());
        assertEquals("backoff", sem.waitStrategy(RtContext.NON_RT).alias());
        assertEquals("busy-spin", sem.waitStrategy(RtContext.HARD).alias());
    }

    @Test
    void waitersAreCountedByContext() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final ContextThreads.Running<?> soft =
                ContextThreads.start(RtContext.SOFT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        final ContextThreads.Running<?> nonRt1 =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        final ContextThreads.Running<?> nonRt2 =
                ContextThreads.start(RtContext.NON_RT, () -> sem.tryAcquire(20, TimeUnit.SECONDS));
        awaitTrue(
                "1 SOFT and 2 NON_RT waiting",
                () -> sem.waiters(RtContext.SOFT) == 1 && sem.waiters(RtContext.NON_RT) == 2);
        assertEquals(0, sem.waiters(RtContext.HARD));
        awaitTrue("both NON_RT parked", () -> sem.parkedWaiters() == 2);
        sem.release(3);
        assertEquals(Boolean.TRUE, soft.get());
        assertEquals(Boolean.TRUE, nonRt1.get());
        assertEquals(Boolean.TRUE, nonRt2.get());
        assertEquals(0, sem.waiters(RtContext.NON_RT));
        assertEquals(0, sem.parkedWaiters());
    }

    @Test
    void nullArgumentsAreRefused() {
        final RtSemaphore sem = new RtSemaphore(1);
        assertThrows(NullPointerException.class, () -> sem.tryAcquire(1, 1, null));
        assertThrows(NullPointerException.class, () -> sem.waiters(null));
        assertThrows(NullPointerException.class, () -> RtContext.enter(null));
    }

    @Test
    void interruptedTimedWaitLeavesNoRegistration() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final ContextThreads.Running<Object> waiter = ContextThreads.start(RtContext.NON_RT, () -> {
            try {
                return sem.tryAcquire(20, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                return ex;
            }
        });
        awaitTrue("parked", () -> sem.parkedWaiters() == 1);
        waiter.thread.interrupt();
        final Object result;
        try {
            result = waiter.get();
        } catch (ExecutionException ex) {
            throw new AssertionError(ex.getCause());
        }
        assertTrue(result instanceof InterruptedException, "got " + result);
        assertEquals(0, sem.parkedWaiters());
        assertFalse(sem.tryAcquire(1));
    }
}
