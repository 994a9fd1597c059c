package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** acquireAsync / acquireAndRun (B6): every outcome conserves permits. */
class AsyncAcquisitionTest {
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void shutdown() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void grantNowCompletesAtOnceAndThePermitReleasesExactlyOnce() throws Exception {
        final RtSemaphore sem = new RtSemaphore(3);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CompletableFuture<Permit> future = bridge.acquireAsync(2);
            assertTrue(future.isDone());
            final Permit permit = future.get();
            assertEquals(2, permit.permits());
            assertEquals(1, sem.availablePermits());
            permit.close();
            permit.close();
            assertTrue(permit.isClosed());
            assertEquals(3, sem.availablePermits(), "released exactly once");
            assertEquals(1, bridge.stats().holds(RtContext.NON_RT));
        }
    }

    @Test
    void grantLaterCompletesWhenPermitsAreReleased() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CompletableFuture<Permit> future = bridge.acquireAsync(2);
            assertFalse(future.isDone());
            assertEquals(1, bridge.stats().pendingRequests());
            sem.release(1);
            Thread.sleep(20);
            assertFalse(future.isDone(), "one permit is not two");
            sem.release(1);
            try (Permit permit = future.get(20, TimeUnit.SECONDS)) {
                assertEquals(2, permit.permits());
                assertEquals(0, sem.availablePermits());
            }
            assertEquals(2, sem.availablePermits());
            assertEquals(0, bridge.stats().pendingRequests());
            assertEquals(1, bridge.stats().asyncGrants());
        }
    }

    /**
     * What acquireAsync promises about order: a call whose permits are free is granted at once, ahead of requests
     * already queued (so not arrival order); queued requests are served one at a time in queue order (a request for
     * fewer permits does not overtake an earlier queued one for more).
     */
    @Test
    void freePermitsAreGrantedAtOnceAndQueuedRequestsInQueueOrder() throws Exception {
        final RtSemaphore sem = new RtSemaphore(1);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CompletableFuture<Permit> big = bridge.acquireAsync(2);
            final CompletableFuture<Permit> small = bridge.acquireAsync(1);
            assertFalse(big.isDone(), "two permits are not free");
            assertTrue(small.isDone(), "one permit is free: granted at once, ahead of the queued request");
            small.get().close();

            final CompletableFuture<Permit> later = bridge.acquireAsync(1);
            assertTrue(later.isDone(), "still free (the grant thread waits for two): granted at once again");
            later.get().close();
            assertTrue(sem.tryAcquire(1));

            final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
            final CompletableFuture<Permit> first = bridge.acquireAsync(2);
            final CompletableFuture<Void> firstSeen = first.thenRun(() -> order.add("first"));
            // 'big' (2) is still at the head: everything queued now waits behind it
            final CompletableFuture<Permit> second = bridge.acquireAsync(1);
            final CompletableFuture<Void> secondSeen = second.thenRun(() -> order.add("second"));
            assertEquals(3, bridge.stats().pendingRequests());
            sem.release(2);
            big.get(20, TimeUnit.SECONDS).close(); // the head is served first, with the two permits
            first.get(20, TimeUnit.SECONDS).close();
            second.get(20, TimeUnit.SECONDS).close();
            firstSeen.get(20, TimeUnit.SECONDS);
            secondSeen.get(20, TimeUnit.SECONDS);
            assertEquals(List.of("first", "second"), List.copyOf(order), "queued requests complete in queue order");
            assertEquals(2, sem.availablePermits());
        }
    }

    @Test
    void grantLaterAfterAHardReleaseAndAHardCallerMayAskAsynchronously() throws Exception {
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CompletableFuture<Permit> future = Threads.call(RtContext.HARD, () -> bridge.acquireAsync(1));
            assertEquals(0, bridge.stats().modeSwitches(), "acquireAsync is HARD-safe: no mode switch");
            Threads.awaitTrue(
                    "grant thread parked on the semaphore",
                    () -> sem.parkedWaiters() == 1 && bridge.grantThread().getState() == Thread.State.TIMED_WAITING);
            Threads.call(RtContext.HARD, () -> {
                sem.release(1);
                return null;
            });
            // no fallback and no starvation timer: only the wake service can have woken the grant thread
            final Permit permit = future.get(20, TimeUnit.SECONDS);
            Threads.call(RtContext.HARD, () -> {
                permit.close();
                return null;
            });
            assertEquals(1, sem.availablePermits());
            assertEquals(1, bridge.stats().holds(RtContext.HARD));
        }
    }

    /**
     * An interrupt of the grant thread that no canceller claimed (left by a dependent stage run on it, or sent from
     * outside) means nothing to it: it clears the flag and parks again, instead of spinning in a park() that returns
     * at once. Fails on a spinning grant thread: its flag would stay set and it would never be seen parked with it
     * clear.
     */
    @Test
    void grantThreadClearsAStrayInterruptAndStillParks() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final Thread grant = bridge.grantThread();
            Threads.awaitWaiting(grant);
            final CompletableFuture<Permit> granted = bridge.acquireAsync(1);
            final CompletableFuture<Thread> stage = granted.thenApply(permit -> {
                Thread.currentThread().interrupt(); // e.g. a callback that restored an interrupt it caught
                return Thread.currentThread();
            });
            sem.release(1);
            assertSame(grant, stage.get(20, TimeUnit.SECONDS), "the stage ran on the grant thread");
            Threads.awaitTrue(
                    "grant thread parked with its interrupt flag cleared",
                    () -> grant.getState() == Thread.State.WAITING && !grant.isInterrupted());

            grant.interrupt(); // from outside
            Threads.awaitTrue(
                    "grant thread parked again with its interrupt flag cleared",
                    () -> grant.getState() == Thread.State.WAITING && !grant.isInterrupted());

            final CompletableFuture<Permit> next = bridge.acquireAsync(1);
            assertFalse(next.isDone(), "queued: the first permit is still held");
            sem.release(1);
            next.get(20, TimeUnit.SECONDS).close();
            granted.get().close();
            assertEquals(2, sem.availablePermits(), "still serves requests");
        }
    }

    @Test
    void cancelBeforeGrantTakesNothing() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CompletableFuture<Permit> first = bridge.acquireAsync(1);
            final CompletableFuture<Permit> second = bridge.acquireAsync(1);
            Threads.awaitTrue("grant thread waits for the first", () -> sem.parkedWaiters() == 1);
            assertTrue(second.cancel(false), "cancel of a queued request");
            assertTrue(first.cancel(false), "cancel of the request being served");
            assertTrue(first.isCancelled() && second.isCancelled());
            Threads.awaitTrue("no pending request", () -> bridge.stats().pendingRequests() == 0);
            Threads.awaitWaiting(bridge.grantThread());
            sem.release(2);
            Thread.sleep(20);
            assertEquals(2, sem.availablePermits(), "nothing was taken for cancelled requests");
            assertFalse(bridge.grantThread().isInterrupted(), "no interrupt leaked");
            final CompletableFuture<Permit> third = bridge.acquireAsync(2);
            third.get(20, TimeUnit.SECONDS).close();
            assertEquals(2, sem.availablePermits());
        }
    }

    @Test
    void cancelRacingGrantNeverLosesAPermit() throws Exception {
        final int rounds = 2_000;
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CyclicBarrier start = new CyclicBarrier(2);
            final AtomicReference<CompletableFuture<Permit>> current = new AtomicReference<>();
            final FutureTask<Integer> canceller = Threads.start("canceller", RtContext.NON_RT, () -> {
                int cancelled = 0;
                for (int i = 0; i < rounds; i++) {
                    start.await(20, TimeUnit.SECONDS);
                    final CompletableFuture<Permit> future = current.get();
                    if ((i & 1) == 0
                            ? future.cancel(false)
                            : future.completeExceptionally(new TimeoutException("simulated"))) {
                        cancelled++;
                    }
                    start.await(20, TimeUnit.SECONDS);
                }
                return cancelled;
            });
            int granted = 0;
            for (int i = 0; i < rounds; i++) {
                current.set(bridge.acquireAsync(1));
                start.await(20, TimeUnit.SECONDS);
                sem.release(1); // races the cancel
                start.await(20, TimeUnit.SECONDS);
                final CompletableFuture<Permit> future = current.get();
                try {
                    future.get(20, TimeUnit.SECONDS).close();
                    granted++;
                } catch (CancellationException | ExecutionException expected) {
                    // cancelled: the permit stays with (or goes back to) the semaphore
                }
            }
            final int cancelled = canceller.get(20, TimeUnit.SECONDS);
            assertEquals(rounds, granted + cancelled, "every request ended exactly one way");
            Threads.awaitTrue("all requests resolved", () -> bridge.stats().pendingRequests() == 0);
            Threads.awaitWaiting(bridge.grantThread());
            assertEquals(
                    rounds,
                    sem.availablePermits(),
                    "granted " + granted + ", cancelled " + cancelled + ", grant races lost "
                            + bridge.stats().grantRacesLost());
            assertEquals(
                    granted,
                    bridge.stats().holds(RtContext.NON_RT),
                    "a hold per delivered permit, none per undelivered");
        }
    }

    @Test
    void futureThatTimesOutBeforeTheGrantReturnsThePermit() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CompletableFuture<Permit> future = bridge.acquireAsync(1).orTimeout(10, TimeUnit.MILLISECONDS);
            final ExecutionException ex =
                    assertThrows(ExecutionException.class, () -> future.get(20, TimeUnit.SECONDS));
            assertTrue(ex.getCause() instanceof TimeoutException, ex.toString());
            Threads.awaitTrue("request dropped", () -> bridge.stats().pendingRequests() == 0);
            sem.release(1);
            Thread.sleep(20);
            assertEquals(1, sem.availablePermits());
        }
    }

    @Test
    void acquireAndRunRunsAtOnceWhenFreeAndOnTheExecutorWhenGranted() throws Exception {
        final RtSemaphore sem = new RtSemaphore(1);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final Thread caller = Thread.currentThread();
            final AtomicReference<Thread> ranOn = new AtomicReference<>();
            final AtomicInteger heldDuringRun = new AtomicInteger(-1);
            bridge.acquireAndRun(
                    1,
                    () -> {
                        ranOn.set(Thread.currentThread());
                        heldDuringRun.set(sem.availablePermits());
                    },
                    executor);
            assertSame(caller, ranOn.get(), "free: runs at once on the caller");
            assertEquals(0, heldDuringRun.get(), "with the permit held");
            assertEquals(1, sem.availablePermits());

            assertTrue(sem.tryAcquire(1));
            final CompletableFuture<Thread> done = new CompletableFuture<>();
            bridge.acquireAndRun(1, () -> done.complete(Thread.currentThread()), executor);
            assertFalse(done.isDone());
            sem.release(1);
            final Thread worker = done.get(20, TimeUnit.SECONDS);
            assertTrue(worker.getName().startsWith("pool-"), "queued: runs on the executor, ran on " + worker);
            Threads.awaitTrue("released after the work", () -> sem.availablePermits() == 1);
        }
    }

    @Test
    void workThatThrowsStillReleasesItsPermits() throws Exception {
        final RtSemaphore sem = new RtSemaphore(2);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final IllegalArgumentException inline = assertThrows(
                    IllegalArgumentException.class,
                    () -> bridge.acquireAndRun(
                            2,
                            () -> {
                                throw new IllegalArgumentException("inline");
                            },
                            executor));
            assertEquals("inline", inline.getMessage());
            assertEquals(2, sem.availablePermits());

            assertTrue(sem.tryAcquire(2));
            bridge.acquireAndRun(
                    2,
                    () -> {
                        throw new IllegalStateException("deferred");
                    },
                    executor);
            sem.release(2);
            Threads.awaitTrue(
                    "deferred work ran and failed", () -> bridge.stats().failedRuns() == 2);
            Threads.awaitTrue("permits back", () -> sem.availablePermits() == 2);
            assertEquals("deferred", bridge.stats().lastRunFailure().getMessage());
        }
    }

    @Test
    void executorRejectionReleasesThePermits() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final AtomicInteger ran = new AtomicInteger();
            bridge.acquireAndRun(1, ran::incrementAndGet, command -> {
                throw new RejectedExecutionException("full");
            });
            sem.release(1);
            Threads.awaitTrue("rejected", () -> bridge.stats().rejectedRuns() == 1);
            Threads.awaitTrue("permit back", () -> sem.availablePermits() == 1);
            Threads.awaitWaiting(bridge.grantThread()); // done with the request
            assertEquals(0, bridge.stats().failedRuns(), "a rejection is not a failure of the work");
            assertEquals(0, ran.get(), "rejected work never runs");
            assertEquals(0, bridge.stats().holds(RtContext.NON_RT), "permits that reached no work are not a hold");
            assertEquals("full", bridge.stats().lastRunFailure().getMessage());
        }
    }

    /**
     * With a direct executor ({@code Runnable::run}) the work's exception comes out of {@code execute}: it is the
     * work that failed, not the executor that refused. Counted once, as failed; the permit released once.
     */
    @Test
    void workFailingOnADirectExecutorCountsAsFailedNotRejected() throws Exception {
        final RtSemaphore sem = RtSemaphore.builder().permits(0).maxPermits(1).build(); // a double release throws
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final AtomicInteger ran = new AtomicInteger();
            bridge.acquireAndRun(
                    1,
                    () -> {
                        ran.incrementAndGet();
                        throw new IllegalStateException("work failed");
                    },
                    Runnable::run);
            sem.release(1);
            Threads.awaitTrue("work ran and failed", () -> bridge.stats().failedRuns() == 1);
            Threads.awaitTrue("permit back", () -> sem.availablePermits() == 1);
            Threads.awaitWaiting(bridge.grantThread()); // done with the request
            assertEquals(0, bridge.stats().rejectedRuns(), "a failure of the work is not a rejection");
            assertEquals(1, bridge.stats().failedRuns());
            assertEquals(1, ran.get());
            assertEquals("work failed", bridge.stats().lastRunFailure().getMessage());
            assertEquals(1, sem.availablePermits(), "released exactly once");
            assertEquals(1, bridge.stats().holds(RtContext.NON_RT), "one hold ended");
        }
    }

    @Test
    void hardCallerMustNotQueueAcquireAndRunUnderThrow() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final IllegalStateException ex = Threads.call(
                    RtContext.HARD,
                    () -> assertThrows(IllegalStateException.class, () -> bridge.acquireAndRun(1, () -> {}, executor)));
            assertTrue(ex.getMessage().contains("acquireAndRun"), ex.getMessage());
            assertEquals(0, bridge.stats().pendingRequests(), "nothing queued");
            sem.release(1);
            final AtomicInteger ran = new AtomicInteger();
            Threads.call(RtContext.HARD, () -> {
                bridge.acquireAndRun(1, ran::incrementAndGet, executor); // free: runs inline, HARD-safe
                return null;
            });
            assertEquals(1, ran.get());
            assertEquals(1, sem.availablePermits());
        }
    }

    /**
     * close() from a dependent stage that the grant thread runs must not wait for the grant thread to end: it is
     * that thread. While the stage runs close(), the grant thread is sampled: it must never be found joining itself
     * (the old behaviour: a self-join until a 5 s deadline, always seen). Then close has completed and both bridge
     * threads end (generous bounds: correctness, not latency).
     */
    @Test
    void closeFromAStageOnTheGrantThreadDoesNotJoinItself() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final SemaphoreBridge bridge = SemaphoreBridge.attach(sem);
        final Thread grant = bridge.grantThread();
        final CompletableFuture<Thread> closedOn = new CompletableFuture<>();
        bridge.acquireAsync(1).whenComplete((permit, failure) -> {
            try {
                bridge.close();
                closedOn.complete(Thread.currentThread());
            } catch (Throwable ex) {
                closedOn.completeExceptionally(ex);
            } finally {
                if (permit != null) {
                    permit.close();
                }
            }
        });
        sem.release(1);
        String selfJoin = null;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!closedOn.isDone() && selfJoin == null && System.nanoTime() - deadline < 0) {
            selfJoin = selfJoin(grant.getStackTrace());
            Thread.yield();
        }
        assertNull(selfJoin, "close() on the grant thread joined the grant thread itself");
        assertSame(grant, closedOn.get(30, TimeUnit.SECONDS), "close ran on the grant thread and returned");
        assertTrue(bridge.isClosed());
        grant.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(grant.isAlive(), "grant thread ended");
        final Thread wake = bridge.wakeServiceThread();
        wake.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(wake.isAlive(), "wake service ended");
        assertEquals(1, sem.availablePermits());
    }

    /** The stack if it shows {@code AsyncGranter.close} in a {@code Thread.join}, else {@code null}. */
    private static String selfJoin(StackTraceElement[] stack) {
        boolean join = false;
        boolean close = false;
        for (final StackTraceElement frame : stack) {
            join |= frame.getClassName().equals(Thread.class.getName())
                    && frame.getMethodName().equals("join");
            close |= frame.getClassName().equals(AsyncGranter.class.getName())
                    && frame.getMethodName().equals("close");
        }
        return join && close ? Arrays.toString(Arrays.copyOf(stack, Math.min(stack.length, 4))) : null;
    }

    /**
     * acquireAsync/acquireAndRun check that the bridge is open and then queue; a close() in between finds the request
     * queued after the grant thread drained the queue. The submitter cancels it itself, and it must not stay counted
     * in pendingRequests(). Driven deterministically on a grant thread closed before the submit.
     */
    @Test
    void aRequestQueuedAfterCloseIsCancelledAndNoLongerPending() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final AsyncGranter granter = new AsyncGranter(bridge, sem, "closed-granter");
            granter.start();
            granter.close();
            assertFalse(granter.thread().isAlive(), "drained and ended");

            final AsyncRequest late = AsyncRequest.forFuture(granter, 1);
            granter.submit(late);
            assertThrows(CancellationException.class, () -> late.future.getNow(null));
            assertEquals(0, granter.pending(), "a cancelled late request is not pending");

            final AtomicInteger ran = new AtomicInteger();
            granter.submit(AsyncRequest.forWork(granter, 1, ran::incrementAndGet, Runnable::run));
            assertEquals(1, bridge.stats().abandonedRuns(), "late work dropped, counted");
            assertEquals(0, granter.pending());
            sem.release(1);
            assertEquals(1, sem.availablePermits(), "nothing taken for them");
            assertEquals(0, ran.get());
        }
    }

    /**
     * A grant whose future was completed otherwise between the grant and the delivery (cancel, timeout) is returned
     * by the grant thread: nobody held those permits, so it is not a hold (counted in grantRacesLost() instead).
     * Driven deterministically: the request is marked granted, its future cancelled, then delivered.
     */
    @Test
    void aGrantThatIsNeverDeliveredIsNotRecordedAsAHold() throws Exception {
        final RtSemaphore sem = RtSemaphore.builder().permits(1).maxPermits(1).build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final AsyncRequest request = AsyncRequest.forFuture(new AsyncGranter(bridge, sem, "unused"), 1);
            assertTrue(request.markGranted(), "the grant thread won the request");
            assertTrue(request.future.cancel(false), "the future was cancelled before delivery");
            assertTrue(sem.tryAcquire(1), "the permits the grant thread took");
            bridge.deliver(request);
            assertEquals(1, sem.availablePermits(), "returned, once");
            assertEquals(1, bridge.stats().grantRacesLost());
            assertEquals(0, bridge.stats().asyncGrants());
            for (final RtContext context : RtContext.values()) {
                assertEquals(0, bridge.stats().holds(context), "no hold recorded under " + context);
            }
        }
    }

    @Test
    void closeFailsPendingFuturesAndDropsQueuedWorkWithoutTakingPermits() throws Exception {
        final RtSemaphore sem = new RtSemaphore(0);
        final SemaphoreBridge bridge = SemaphoreBridge.attach(sem);
        final CompletableFuture<Permit> served = bridge.acquireAsync(1);
        final CompletableFuture<Permit> queued = bridge.acquireAsync(1);
        final AtomicInteger ran = new AtomicInteger();
        bridge.acquireAndRun(1, ran::incrementAndGet, executor);
        Threads.awaitTrue("grant thread waits", () -> sem.parkedWaiters() == 1);
        bridge.close();
        assertThrows(CancellationException.class, () -> served.getNow(null));
        assertThrows(CancellationException.class, () -> queued.getNow(null));
        assertEquals(1, bridge.stats().abandonedRuns());
        assertFalse(bridge.grantThread().isAlive());
        sem.release(3);
        assertEquals(3, sem.availablePermits());
        assertEquals(0, ran.get());
    }
}
