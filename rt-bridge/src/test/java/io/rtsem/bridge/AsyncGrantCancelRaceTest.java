package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * B6, grant against cancel: a permit is never lost and never granted twice, wherever the cancellation lands in the
 * grant thread's work on the request.
 *
 * <p>{@code AsyncAcquisitionTest.cancelRacingGrantNeverLosesAPermit} starts the cancel and the release together, so
 * the cancel nearly always lands while the grant thread is still parked (it wakes tens of microseconds after the
 * release): the request is cancelled before its permit is taken. The other outcomes need the cancel to land after
 * the grant thread has woken: between its acquire and its claim of the request (the grant loses, returns the permit:
 * {@code grantRacesLost}), between the claim and the delivery (the future is cancelled first, the grant thread
 * closes the permit it could not deliver: {@code grantRacesLost} too), or after the delivery (the cancel fails; the
 * caller holds the permit). Here the canceller waits a random 0..120 us (log-uniform, so dense over the first few
 * microseconds, where the grant thread wakes up) after the release before cancelling, so the
 * rounds sweep across the grant thread's whole path, and every round is checked on its own: once the grant thread
 * is idle again, exactly one permit must be in the semaphore (the released one, back or never taken), and the
 * future's outcome must agree with the cancel's; and a dependent stage run on the grant thread must never find its
 * interrupt flag set (the canceller's interrupt is absorbed by the grant thread). A quarter of the rounds cancel
 * without waiting for the grant thread to park first (the cancel may then land before it even looks at the
 * request), and one in eight cancels before the release (the parked grant thread is interrupted out of its wait by
 * the canceller's claim).
 *
 * <p>The semaphore's park fallback and maxBypass are an hour: a lost wake-up of the grant thread is a hang, caught by
 * the 20 s waits. Bounded: at most 4,000 rounds or 10 s.
 */
class AsyncGrantCancelRaceTest {
    private static final int MAX_ROUNDS = 4_000;
    private static final long MAX_DELAY_NANOS = TimeUnit.MICROSECONDS.toNanos(120);

    /** One round in eight cancels before the release: the grant thread, parked, is interrupted out of its wait. */
    private static boolean cancelFirst(int round) {
        return round % 8 == 0;
    }

    @Test
    void aCancelAnywhereInTheGrantNeverLosesNorDoublesAPermit() throws Exception {
        final RtSemaphore sem = RtSemaphore.builder()
                .permits(0)
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final Thread grant = bridge.grantThread();
            final AtomicInteger go = new AtomicInteger(-1);
            final AtomicInteger done = new AtomicInteger(-1);
            final AtomicReference<CompletableFuture<Permit>> current = new AtomicReference<>();
            final AtomicBoolean cancelWon = new AtomicBoolean();
            final AtomicBoolean stop = new AtomicBoolean();
            final long[] delays = new long[MAX_ROUNDS];
            final Random random = new Random(20261201L);
            for (int i = 0; i < delays.length; i++) {
                // log-uniform over 0.1..120 us: dense where the grant thread wakes up
                delays[i] = (long) (100 * Math.pow(MAX_DELAY_NANOS / 100.0, random.nextDouble()));
            }
            final FutureTask<Void> canceller = Threads.start("canceller", RtContext.NON_RT, () -> {
                for (int round = 0; !stop.get(); round++) {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (go.get() < round) {
                        if (stop.get()) {
                            return null;
                        }
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("round " + round + " never started");
                        }
                        Thread.onSpinWait();
                    }
                    final long until = System.nanoTime() + (cancelFirst(round) ? 0 : delays[round]);
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait();
                    }
                    final CompletableFuture<Permit> future = current.get();
                    cancelWon.set(
                            (round & 1) == 0
                                    ? future.cancel(false)
                                    : future.completeExceptionally(new TimeoutException("simulated timeout")));
                    done.set(round);
                }
                return null;
            });
            final Map<String, Integer> outcomes = new TreeMap<>();
            final List<Integer> leakedInterrupts = new CopyOnWriteArrayList<>();
            int rounds = 0;
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try {
                for (int round = 0; round < MAX_ROUNDS && System.nanoTime() - end < 0; round++) {
                    final long racesBefore = bridge.stats().grantRacesLost();
                    final CompletableFuture<Permit> future = bridge.acquireAsync(1);
                    final int thisRound = round;
                    future.whenComplete((p, failure) -> {
                        // On the grant thread, a stage must never see an interrupt (only claimed ones are sent, and
                        // the grant thread absorbs each before it goes on)
                        if (Thread.currentThread() == grant
                                && Thread.currentThread().isInterrupted()) {
                            leakedInterrupts.add(thisRound);
                        }
                    });
                    current.set(future);
                    final boolean parkedFirst = (round & 3) != 3;
                    if (parkedFirst) {
                        Threads.awaitTrue(
                                "grant thread parked on the semaphore (round " + round + ")",
                                () -> sem.parkedWaiters() == 1);
                    }
                    go.set(round);
                    final int r = round;
                    if (cancelFirst(round)) {
                        Threads.awaitTrue("canceller done with round " + round, () -> done.get() >= r);
                        sem.release(1); // after the cancel: the grant thread was (or is being) interrupted
                    } else {
                        sem.release(1); // races the cancel
                        Threads.awaitTrue("canceller done with round " + round, () -> done.get() >= r);
                    }
                    Permit permit = null;
                    String state;
                    try {
                        permit = future.get(20, TimeUnit.SECONDS);
                        state = "granted";
                    } catch (CancellationException | ExecutionException ex) {
                        state = "cancelled";
                    }
                    final String where = "round " + round + " ("
                            + (cancelFirst(round)
                                    ? "cancel before the release"
                                    : "cancel " + delays[round] + " ns after the release")
                            + ", " + ((round & 1) == 0 ? "cancel" : "completeExceptionally")
                            + (parkedFirst ? "" : ", grant thread maybe not parked yet") + "): future " + state
                            + ", cancel returned " + cancelWon.get();
                    if (permit != null) {
                        assertTrue(
                                !cancelWon.get(), "permit granted twice: delivered although the cancel won, " + where);
                        permit.close();
                    } else {
                        assertTrue(
                                cancelWon.get(), "permit lost: the future failed although the cancel lost, " + where);
                    }
                    Threads.awaitTrue(
                            "request resolved, " + where, () -> bridge.stats().pendingRequests() == 0);
                    Threads.awaitWaiting(grant); // idle again: done with the request
                    final int available = sem.availablePermits();
                    final String settled =
                            where + ", grant races lost " + (bridge.stats().grantRacesLost() - racesBefore);
                    assertTrue(available >= 1, "permit lost: " + available + " permits left, expected 1; " + settled);
                    assertEquals(
                            1,
                            available,
                            "permit granted twice (or created): " + available + " permits left, expected 1; "
                                    + settled);
                    assertTrue(sem.tryAcquire(1)); // the next round starts from 0 again
                    final String outcome = permit != null
                            ? "granted (cancel too late)"
                            : bridge.stats().grantRacesLost() != racesBefore
                                    ? "cancelled after the grant thread took the permit"
                                    : "cancelled before the permit was taken";
                    final long d = delays[round];
                    final String when = cancelFirst(round)
                            ? "a: cancel first"
                            : d < 1_000
                                    ? "b: <1us"
                                    : d < 10_000 ? "c: 1-10us" : d < 30_000 ? "d: 10-30us" : "e: 30-120us";
                    outcomes.merge(when + (parkedFirst ? "" : " (not parked)") + ": " + outcome, 1, Integer::sum);
                    rounds++;
                }
            } finally {
                stop.set(true);
                canceller.get(20, TimeUnit.SECONDS);
            }
            long granted = 0;
            for (final Map.Entry<String, Integer> entry : outcomes.entrySet()) {
                granted += entry.getKey().endsWith("granted (cancel too late)") ? entry.getValue() : 0;
            }
            assertEquals(
                    granted,
                    bridge.stats().holds(RtContext.NON_RT),
                    "one hold per delivered permit, none per" + " undelivered one");
            assertEquals(0, sem.availablePermits());
            assertEquals(List.of(), leakedInterrupts, "rounds whose stage on the grant thread saw an interrupt");
            final Map<String, Integer> totals = new TreeMap<>();
            for (final Map.Entry<String, Integer> entry : outcomes.entrySet()) {
                totals.merge(
                        entry.getKey().substring(entry.getKey().indexOf(": ", 3) + 2), entry.getValue(), Integer::sum);
            }
            System.out.println(
                    "grant vs cancel: " + rounds + " rounds: " + totals + "; by when the cancel came: " + outcomes);
        }
    }
}
