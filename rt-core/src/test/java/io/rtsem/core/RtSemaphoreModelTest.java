package io.rtsem.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Model-based test (jqwik, with shrinking): random sequences of operations from HARD, SOFT and NON_RT against a
 * sequential model of the semaphore: a count between 0 and {@code maxPermits}, and the waiters that are still
 * waiting, each with its context and demand.
 *
 * <p>After every operation the test lets the system settle, acting as the wake service (it consumes HARD releases'
 * wake indications, as the bridge does), and then checks:
 * <ul>
 *   <li>conservation (G2): permits in the word + permits taken by waiters and tryAcquire == initial + released -
 *       drained, exactly;</li>
 *   <li>no sleeper over free permits (G11, G7): no waiting waiter of the highest waiting context has a demand that
 *       the free permits cover. The park fallback and max bypass are an hour, so only a real wake serves it;</li>
 *   <li>the non-blocking operations return what the model says (tryAcquire, drainPermits, release above max).</li>
 * </ul>
 * A failing sequence is shrunk to a minimal one. Tries: {@code jqwik.tries.default} in
 * {@code src/test/resources/junit-platform.properties}; the full mode:
 * {@code ./mvnw -pl rt-core -am test -Dtest=RtSemaphoreModelTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Djqwik.tries.default=2000}.
 */
class RtSemaphoreModelTest {
    private static final int MAX_PERMITS = 4;
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** One step of a sequence. */
    interface Action {}

    record Release(RtContext context, int permits) implements Action {}

    record TryAcquire(RtContext context, int permits) implements Action {}

    /** Single releases back to back, as many as fit under maxPermits, with no settling between them. */
    record Burst(RtContext context, int releases) implements Action {}

    record Drain() implements Action {}

    /** A background waiter: untimed, or timed ({@code timeoutMillis > 0}). */
    record StartWaiter(RtContext context, int permits, int timeoutMillis) implements Action {}

    record Interrupt(int which) implements Action {}

    @Provide
    Arbitrary<List<Action>> sequences() {
        final Arbitrary<RtContext> contexts = Arbitraries.of(RtContext.class);
        final Arbitrary<Integer> permits = Arbitraries.integers().between(1, 3);
        final Arbitrary<Action> release = Combinators.combine(contexts, permits).as(Release::new);
        final Arbitrary<Action> tryAcquire =
                Combinators.combine(contexts, permits).as(TryAcquire::new);
        final Arbitrary<Action> drain = Arbitraries.just(new Drain());
        final Arbitrary<Action> burst = Combinators.combine(
                        contexts, Arbitraries.integers().between(2, 4))
                .as(Burst::new);
        final Arbitrary<Action> waiter = Combinators.combine(contexts, permits, Arbitraries.of(0, 0, 2, 15))
                .as(StartWaiter::new);
        final Arbitrary<Action> interrupt = Arbitraries.integers().between(0, 3).map(Interrupt::new);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(4, release),
                        net.jqwik.api.Tuple.of(2, tryAcquire),
                        net.jqwik.api.Tuple.of(1, drain),
                        net.jqwik.api.Tuple.of(3, burst),
                        net.jqwik.api.Tuple.of(4, waiter),
                        net.jqwik.api.Tuple.of(1, interrupt))
                .list()
                .ofMinSize(1)
                .ofMaxSize(14);
    }

    /** A background waiter and what became of it. */
    private static final class Waiter {
        static final int WAITING = 0;
        static final int GOT = 1;
        static final int GAVE_UP = 2;

        final RtContext context;
        final int permits;
        final boolean timed;
        final AtomicInteger outcome = new AtomicInteger(WAITING);
        Thread thread;

        Waiter(RtContext context, int permits, boolean timed) {
            this.context = context;
            this.permits = permits;
            this.timed = timed;
        }
    }

    @Property
    void everySequenceConservesPermitsAndLeavesNoSleeperOverFreePermits(@ForAll("sequences") List<Action> actions)
            throws Exception {
        final RtSemaphore sem = RtSemaphore.builder()
                .permits(1)
                .maxPermits(MAX_PERMITS)
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final List<Waiter> waiters = new ArrayList<>();
        long created = 1; // initial + released - drained
        long takenByTry = 0;
        try {
            for (final Action action : actions) {
                final int value = settle(sem, waiters, created - takenByTry, action);
                if (action instanceof Release r) {
                    final boolean fits = value + r.permits() <= MAX_PERMITS;
                    try (RtContext.Scope ignored = RtContext.enter(r.context())) {
                        sem.release(r.permits());
                        check(fits, "release(" + r.permits() + ") above maxPermits accepted at value " + value);
                        created += r.permits();
                    } catch (IllegalStateException ex) {
                        check(!fits, "release(" + r.permits() + ") refused at value " + value + ": " + ex);
                        check(sem.availablePermits() == value, "a refused release changed the count: " + sem);
                    }
                } else if (action instanceof Burst b) {
                    final int releases = Math.min(b.releases(), MAX_PERMITS - value);
                    try (RtContext.Scope ignored = RtContext.enter(b.context())) {
                        for (int i = 0; i < releases; i++) {
                            sem.release(); // waiters only take meanwhile: each still fits
                        }
                    }
                    created += releases;
                } else if (action instanceof TryAcquire t) {
                    final boolean got;
                    try (RtContext.Scope ignored = RtContext.enter(t.context())) {
                        got = sem.tryAcquire(t.permits());
                    }
                    check(
                            got == (value >= t.permits()),
                            "tryAcquire(" + t.permits() + ") = " + got + " at value " + value + ": " + sem);
                    takenByTry += got ? t.permits() : 0;
                } else if (action instanceof Drain) {
                    final int drained = sem.drainPermits();
                    check(drained == value, "drainPermits() = " + drained + " at value " + value);
                    created -= drained;
                } else if (action instanceof StartWaiter w) {
                    startWaiter(sem, waiters, w);
                } else if (action instanceof Interrupt i) {
                    final List<Waiter> waiting = waiting(waiters);
                    if (!waiting.isEmpty()) {
                        waiting.get(i.which() % waiting.size()).thread.interrupt();
                    }
                }
            }
            settle(sem, waiters, created - takenByTry, null);
        } finally {
            for (final Waiter w : waiters) {
                w.thread.interrupt();
            }
            for (final Waiter w : waiters) {
                w.thread.join(TimeUnit.SECONDS.toMillis(10));
                check(!w.thread.isAlive(), "a waiter ignored its interrupt: " + sem);
            }
        }
        check(
                sem.availablePermits() + taken(waiters) == created - takenByTry,
                "permits not conserved at the end: " + sem);
        check(sem.parkedWaiters() == 0 && sem.starvingWaiters() == 0, "registrations left behind: " + sem);
    }

    private static void startWaiter(RtSemaphore sem, List<Waiter> waiters, StartWaiter action) {
        final long spinners = waiting(waiters).stream()
                .filter(w -> w.context != RtContext.NON_RT)
                .count();
        final RtContext context = action.context() != RtContext.NON_RT && spinners >= 1
                ? RtContext.NON_RT
                : action.context(); // at most one spinning waiter at a time: two would take both CPUs
        final Waiter waiter = new Waiter(context, action.permits(), action.timeoutMillis() > 0);
        waiter.thread = new Thread(
                () -> {
                    try (RtContext.Scope ignored = RtContext.enter(context)) {
                        final boolean got = action.timeoutMillis() > 0
                                ? sem.tryAcquire(action.permits(), action.timeoutMillis(), TimeUnit.MILLISECONDS)
                                : acquire(sem, action.permits());
                        waiter.outcome.set(got ? Waiter.GOT : Waiter.GAVE_UP);
                    } catch (InterruptedException ex) {
                        waiter.outcome.set(Waiter.GAVE_UP);
                    }
                },
                "model-" + context + "-" + action.permits());
        waiter.thread.setDaemon(true);
        waiters.add(waiter);
        waiter.thread.start();
    }

    private static boolean acquire(RtSemaphore sem, int permits) throws InterruptedException {
        sem.acquire(permits);
        return true;
    }

    private static List<Waiter> waiting(List<Waiter> waiters) {
        final List<Waiter> out = new ArrayList<>();
        for (final Waiter w : waiters) {
            if (w.outcome.get() == Waiter.WAITING) {
                out.add(w);
            }
        }
        return out;
    }

    private static long taken(List<Waiter> waiters) {
        long taken = 0;
        for (final Waiter w : waiters) {
            taken += w.outcome.get() == Waiter.GOT ? w.permits : 0;
        }
        return taken;
    }

    /**
     * Acts as the wake service until the system is quiet: every permit accounted for (none in flight) and no waiter
     * of the highest waiting context could be served by the free permits.
     *
     * @return the free permits then.
     */
    private static int settle(RtSemaphore sem, List<Waiter> waiters, long expected, Action next)
            throws InterruptedException {
        final long end = System.nanoTime() + SETTLE_NANOS;
        while (true) {
            if (sem.hasPendingWake()) {
                sem.wakeParkedWaiters();
            }
            // Taken first, then the count: a waiter that takes in between is missing from both or from 'taken'
            // only, so an in-flight take can make 'accounted' low for a moment, never high.
            final long taken = taken(waiters);
            final int value = sem.availablePermits();
            final long accounted = value + taken;
            final Waiter sleeper = servable(waiting(waiters), value);
            check(
                    accounted <= expected,
                    "permits created: " + accounted + " accounted, " + expected + " expected: " + sem);
            // A timed waiter still waiting may time out at any moment and change who may take (G7): the state is
            // quiet only once every timed waiter has its outcome (timeouts here are at most 15 ms).
            final boolean timedWaiting = waiting(waiters).stream().anyMatch(w -> w.timed);
            // Every waiter the model thinks is waiting is counted by the semaphore, and no other: a waiter just
            // started may still be on acquire's fast path, where it may barge and take (no G7 there), so the state
            // is not quiet until it is counted as waiting or has its outcome. (Under load a started thread once ran
            // its fast path after settle had returned, and took the permits a Drain then expected to find.)
            final int counted =
                    sem.waiters(RtContext.HARD) + sem.waiters(RtContext.SOFT) + sem.waiters(RtContext.NON_RT);
            final boolean inFlight = counted != waiting(waiters).size();
            // A stable snapshot: the reads above are not one atomic view (a waiter can take between the read of the
            // count and the read of the waiting set, making a stale count look quiet), so read it all again and
            // accept only if nothing moved in between.
            if (accounted == expected
                    && sleeper == null
                    && !timedWaiting
                    && !inFlight
                    && taken(waiters) == taken
                    && sem.availablePermits() == value
                    && waiting(waiters).size() == counted
                    && sem.waiters(RtContext.HARD) + sem.waiters(RtContext.SOFT) + sem.waiters(RtContext.NON_RT)
                            == counted) {
                return value;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError(
                        timedWaiting && sleeper == null && accounted == expected
                                ? "a timed waiter did not end within 10 s of its at most 15 ms timeout: " + sem
                                : inFlight && sleeper == null && accounted == expected
                                        ? "the semaphore counts " + counted + " waiters, the model "
                                                + waiting(waiters).size() + ", for 10 s: " + sem
                                        : sleeper != null
                                                ? "a " + sleeper.context + " waiter for " + sleeper.permits
                                                        + " still waits over " + value
                                                        + " free permits (fallback and max bypass are an hour), before "
                                                        + next
                                                        + ": " + sem
                                                : "permits lost: " + accounted + " accounted, " + expected
                                                        + " expected, before " + next + ": " + sem);
            }
            Thread.sleep(0, 200_000);
        }
    }

    /** A waiter that G7 lets take and whose demand the free permits cover, or {@code null}. */
    private static Waiter servable(List<Waiter> waiting, int value) {
        int highest = Integer.MAX_VALUE;
        for (final Waiter w : waiting) {
            highest = Math.min(highest, w.context.ordinal()); // HARD = 0 is the highest context
        }
        for (final Waiter w : waiting) {
            if (w.context.ordinal() == highest && w.permits <= value) {
                return w;
            }
        }
        return null;
    }

    private static void check(boolean ok, String bug) {
        if (!ok) {
            throw new AssertionError(bug);
        }
    }
}
