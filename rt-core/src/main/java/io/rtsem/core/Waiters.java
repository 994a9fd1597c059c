package io.rtsem.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The slow path of an {@link RtSemaphore}: how a waiter of each context waits ({@link #await}), the per-context
 * waiter counts that context priority reads (G7, G7b), and how a waiter leaves, taking or not, and passes the wake on
 * (G6, G11). The protocol is in {@code docs/ARCHITECTURE.md} ("Wake-up protocol, step by step").
 *
 * <p><b>Allocation:</b> a HARD or SOFT (backoff) wait keeps its state in locals of {@link #await} and allocates
 * nothing; a NON_RT wait (or SOFT with a parking strategy) allocates its one {@link WaitNode} when it registers, and
 * that node also carries the park phase's own state (the starving nap), so the park phase allocates nothing more.
 */
final class Waiters {
    /** Waiters check the clock and their interrupt flag once every this many cheap spins (G9). */
    static final int CLOCK_CHECK_MASK = 63;

    /**
     * The first nap of a parked starving waiter when no wake service is attached (G8): everybody waits for it, so it
     * polls, doubling the nap each time nothing came, up to the park fallback.
     */
    static final long STARVING_NAP_NANOS = 20_000L;

    /** {@link #await} time modes: no deadline, {@code time} is a relative timeout, {@code time} is a deadline. */
    static final int UNTIMED = 0;

    static final int RELATIVE = 1;
    static final int ABSOLUTE = 2;

    /** Waiter-count cells are this many ints (128 bytes) apart, so contexts do not share cache lines. */
    private static final int CELL_STRIDE = 32;

    /** The semaphore: its state word (it extends {@link StateWord}), its wake service, its name in messages. */
    private final RtSemaphore sem;

    private final StarvingLine line;
    private final WakeQueue queue;
    private final WaitStrategy[] strategies;
    private final long parkFallbackNanos;
    private final long maxBypassNanos;
    private final AtomicIntegerArray waiting = new AtomicIntegerArray((RtContext.values().length + 2) * CELL_STRIDE);

    Waiters(RtSemaphore sem, StarvingLine line, WakeQueue queue, SemaphoreSettings settings) {
        this.sem = sem;
        this.line = line;
        this.queue = queue;
        this.strategies = settings.strategies.clone();
        this.parkFallbackNanos = settings.parkFallbackNanos;
        this.maxBypassNanos = settings.maxBypassNanos;
    }

    /** @return threads of {@code context} waiting now; one volatile read. */
    int count(RtContext context) {
        return waiting.get(cell(context));
    }

    WaitStrategy strategy(RtContext context) {
        return strategies[context.ordinal()];
    }

    long parkFallbackNanos() {
        return parkFallbackNanos;
    }

    long maxBypassNanos() {
        return maxBypassNanos;
    }

    private static int cell(RtContext context) {
        return (context.ordinal() + 1) * CELL_STRIDE;
    }

    /**
     * The attempt after {@code attempt}, never wrapping negative: past {@code Integer.MAX_VALUE} (days of waiting)
     * it goes back to {@code 2^30}, still "late" for every wait strategy and with the same low bits cycle, so the
     * clock is still read once every 64 spins (G9) and a parked waiter still parks.
     */
    static int nextAttempt(int attempt) {
        return attempt == Integer.MAX_VALUE ? 1 << 30 : attempt + 1;
    }

    /**
     * Waits as a caller of {@code context} waits until {@code permits} are taken, the deadline passes ({@code mode}
     * RELATIVE: {@code time} nanoseconds from the first clock reading; ABSOLUTE: {@code time} is a
     * {@code System.nanoTime()} deadline) or, when {@code interruptible}, the thread is interrupted. Each round: an
     * attempt, then the idle phase (a spin, or a park), then on every park and every 64th spin the interrupt, deadline
     * and starvation checks.
     *
     * <p>A HARD waiter reads the clock for the first time only after 64 spins (G9): a permit that arrives during the
     * first spins is then taken without paying for the clock. Its timeout and its starvation clock therefore start up
     * to 64 spins late.
     */
    boolean await(RtContext context, int permits, long time, int mode, boolean interruptible)
            throws InterruptedException {
        final WaitStrategy strategy = strategies[context.ordinal()];
        final int cell = cell(context);
        final boolean timed = mode != UNTIMED;
        boolean clockStarted = context != RtContext.HARD;
        long now = clockStarted ? System.nanoTime() : 0L;
        long starveAt = now + maxBypassNanos;
        long deadline = mode == RELATIVE ? now + time : time;
        long ticket = StarvingLine.NONE; // our place in the starving line, once we have waited maxBypass (G8)
        WaitNode node = null; // non-null once queued and registered for a wake-up (G4)
        boolean acquired = false;
        boolean interruptedMeanwhile = false;
        // Priority inheritance (P2, P3): a waiter under a real-time policy boosts the holders, looking again at every
        // check; for a waiter that is not real-time, or with the boost off, boostPriority is 0 and nothing happens.
        final Holders holders = sem.holders;
        final int boostPriority = holders != null && holders.recording() ? RtThread.currentRealTimePriority() : 0;
        boolean boosting = false;
        // A HARD waiter first looks at its first clock check (64 spins, G9): a shorter wait costs no request, no atomic
        // increment, no store on the lines the wake service writes (P2). Others look at once: their boost is their own
        // system call, and a parking waiter's first check may come only after its first park.
        boolean lookForHolders = context != RtContext.HARD;
        // Volatile RMW, before any attempt: a lower-context waiter that reads the counter after this sees us (G7).
        waiting.getAndIncrement(cell);
        try {
            if (clockStarted && timed && deadline - now <= 0) {
                return false;
            }
            for (int attempt = 0; ; attempt = nextAttempt(attempt)) {
                if (attempt(context, permits, ticket, node)) {
                    acquired = true;
                    afterAcquire(context, cell, node, ticket);
                    return true;
                }
                if (boostPriority != 0 && lookForHolders) {
                    lookForHolders = false;
                    if (!boosting) {
                        boosting = true;
                        holders.startBoosting();
                    }
                    if (context == RtContext.HARD) {
                        holders.requestBoost(boostPriority); // P3: HARD makes no system call
                    } else {
                        holders.boost(boostPriority);
                    }
                }
                final boolean checkNow;
                if (context != RtContext.HARD && strategy.blocksAfter(attempt)) {
                    // Park phase (NON_RT, or SOFT with a parking strategy): register once, then park.
                    if (node == null) {
                        node = register(permits, ticket);
                        continue; // G4: re-read the word before parking
                    }
                    park(
                            node,
                            timed ? deadline - now : Long.MAX_VALUE,
                            ticket == StarvingLine.NONE ? starveAt - now : Long.MAX_VALUE,
                            ticket != StarvingLine.NONE);
                    checkNow = true; // the clock and interrupt are checked after every park
                } else {
                    // Spin phase (HARD, SOFT backoff, NON_RT's first spins).
                    checkNow = spin(
                            strategy,
                            attempt,
                            timed ? deadline - now : Long.MAX_VALUE,
                            ticket == StarvingLine.NONE ? starveAt - now : Long.MAX_VALUE);
                }
                if (!checkNow) {
                    continue;
                }
                lookForHolders = true; // P2: look again at every check
                if (context != RtContext.HARD && holders != null && holders.requestPending()) {
                    // P3a: a SOFT or NON_RT waiter serves a HARD waiter's pending boost request (or withdrawal) on its
                    // own path, so the boost does not wait for the wake service to get a CPU: a SOFT waiter spinning at
                    // FIFO on the holder's CPU is often what keeps the holder off it. Two volatile loads when none is.
                    holders.serveRequests();
                }
                // Interrupt check.
                if (Thread.interrupted()) {
                    if (!interruptible) {
                        interruptedMeanwhile = true;
                    } else {
                        acquired = StarvingLine.grantStands(node, ticket); // G8a.2: a grant that came first stands
                        if (!acquired) {
                            throw new InterruptedException(
                                    "interrupted while waiting for " + permits + " permits on " + sem);
                        }
                        afterGrant(context, cell, node);
                        Thread.currentThread().interrupt(); // the grant came first; the interrupt stays set
                        return true;
                    }
                }
                now = System.nanoTime();
                if (!clockStarted) {
                    clockStarted = true; // HARD: the clock starts at the first check (G9)
                    starveAt = now + maxBypassNanos;
                    if (mode == RELATIVE) {
                        deadline = now + time;
                    }
                }
                // Deadline check.
                if (timed && deadline - now <= 0) {
                    acquired = StarvingLine.grantStands(node, ticket); // G8a.2: a grant that came first stands
                    if (acquired) {
                        afterGrant(context, cell, node);
                    }
                    return acquired;
                }
                // Starvation check (G8).
                if (ticket == StarvingLine.NONE && now - starveAt >= 0) {
                    ticket = line.enterStarving(node);
                    if (ticket == StarvingLine.NONE) {
                        starveAt = now + STARVING_NAP_NANOS; // the line is full: try again a little later
                    }
                }
            }
        } finally {
            try {
                if (!acquired) {
                    // Uncounted BEFORE the pass-on in leave(), as after a take (G7b).
                    waiting.getAndDecrement(cell);
                    leave(context, node, ticket, permits);
                }
            } finally {
                if (boosting) {
                    holders.stopBoosting(context == RtContext.HARD); // P5: the last booster withdraws
                }
                if (interruptedMeanwhile) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * One attempt to take. A waiter with a published node takes only by a grant, another thread's or its own here
     * (G8a.3). A starving waiter without one takes only as the line's head ({@link StarvingLine#takeAsHead}). Any
     * other takes by a plain CAS while the rules let it (G7, G8), retried only while they still do; a registered one
     * takes its node out of the queue at once, so the pass-on that follows never counts it (G11).
     */
    private boolean attempt(RtContext context, int permits, long ticket, WaitNode node) {
        if (ticket != StarvingLine.NONE) {
            return node != null
                    ? node.state == WaitNode.GRANTED || line.tryGrant(node)
                    : line.takeAsHead(ticket, permits);
        }
        long s = sem.state();
        while (StateWord.value(s) >= permits && StateWord.starving(s) == 0 && !higherContextWaiting(context)) {
            final long next = s - permits - (node != null ? StateWord.PARKED_ONE : 0L);
            // Volatile CAS: acquire ordering with the release that published these permits.
            final long witness = sem.compareAndExchange(s, next);
            if (witness == s) {
                if (node != null) {
                    queue.remove(node); // G11: before the pass-on
                }
                return true;
            }
            s = witness;
        }
        return false;
    }

    /** Whether a waiter of {@code context} must let a waiting higher-context thread go first (G7). */
    private boolean higherContextWaiting(RtContext context) {
        switch (context) {
            case HARD:
                return false;
            case SOFT:
                return waiting.get(cell(RtContext.HARD)) != 0;
            default:
                return waiting.get(cell(RtContext.HARD)) != 0 || waiting.get(cell(RtContext.SOFT)) != 0;
        }
    }

    /**
     * The spin phase's idle: one call of the strategy, bounded by the time left and the time until starving.
     *
     * @return whether to check the clock and interrupt now: after a yield or a sleep, and every 64th spin (G9).
     */
    private static boolean spin(WaitStrategy strategy, int attempt, long remaining, long untilStarving) {
        final long idleBound = Math.min(remaining, Math.max(1L, untilStarving));
        return !strategy.idle(attempt, idleBound) || (attempt & CLOCK_CHECK_MASK) == CLOCK_CHECK_MASK;
    }

    /**
     * Queues a wait node and registers it for a wake-up (G4), then tells the wake service (if any) that a waiter
     * parks, once per acquire. NON_RT or SOFT; allocates the node.
     */
    private WaitNode register(int permits, long ticket) {
        final WaitNode node = queue.register(permits, ticket);
        final DeferredWaker waker = sem.deferredWaker();
        if (waker != null) {
            waker.waiterParking(sem);
        }
        return node;
    }

    /**
     * The park phase's idle: parks once, at most {@code parkFallback}, the time left, the time until starving, and
     * the starving nap when polling (G5, G8); then consumes a pending wake indication itself (G5).
     */
    private void park(WaitNode node, long untilDeadline, long untilStarving, boolean starving) {
        long parkNanos = Math.min(Math.min(parkFallbackNanos, untilStarving), untilDeadline);
        if (starving && sem.deferredWaker() == null) {
            // A starving waiter with no wake service: a HARD release reaches it only by polling (G8), the nap
            // doubling each time up to the park fallback.
            parkNanos = Math.min(parkNanos, node.starvingNap);
            node.starvingNap = Math.min(node.starvingNap << 1, parkFallbackNanos);
        }
        if (parkNanos > 0) {
            LockSupport.parkNanos(sem, parkNanos);
        }
        queue.wakeIfPending(); // G5: the fallback consumes a HARD release's indication itself
    }

    /** A waiter that acquired leaves: by a grant if it has a published node and a ticket, else by its own take. */
    private void afterAcquire(RtContext context, int cell, WaitNode node, long ticket) {
        if (node != null && ticket != StarvingLine.NONE) {
            afterGrant(context, cell, node);
        } else {
            afterTake(context, cell);
        }
    }

    /**
     * A waiter that took its permits leaves: it stops counting as waiting, THEN re-reads the word and passes the wake
     * on to parked waiters if permits are left (G6, G7b). In that order: a lower-context waiter that this one's count
     * held back (G7) and that the pass-on wakes must find the count gone, or it would stand back and park again with
     * nobody left to wake it. The re-read also comes after any ticket retirement (G8.2).
     */
    private void afterTake(RtContext context, int cell) {
        // Volatile RMW, then a volatile read: the decrement is ordered before the pass-on's unparks.
        waiting.getAndDecrement(cell);
        passWakeOn(context, sem.state());
    }

    /**
     * A granted waiter runs: stops counting as waiting (G7b), takes its node out of the queue, drops its own parked
     * registration (G8a.4) and passes the wake on (G6, G11). Its ticket was retired by the granter.
     */
    private void afterGrant(RtContext context, int cell, WaitNode node) {
        waiting.getAndDecrement(cell);
        queue.remove(node);
        passWakeOn(context, sem.deregister(StateWord.PARKED_ONE));
    }

    /**
     * A waiter leaves without permits (timeout, interrupt, or an exception): takes its node out of the queue,
     * retires its ticket (before it reads the word, G8.2), undoes its registrations and passes the wake on (G6).
     */
    private void leave(RtContext context, WaitNode node, long ticket, int permits) {
        long delta = 0L;
        if (node != null) {
            queue.remove(node);
            delta += StateWord.PARKED_ONE;
        }
        if (ticket != StarvingLine.NONE) {
            if (node != null && !StarvingLine.cancel(node)) {
                // Granted, and leaving by an exception thrown after the grant (an Error: interrupt and timeout keep
                // the grant). The grant took the starving registration; the permits go back to the word.
                sem.restorePermits(permits, sem.maxPermits());
            } else {
                line.retire(ticket, node);
                delta += StateWord.STARVING_ONE;
            }
        }
        // Volatile read or RMW after the retirement: the value read is at least as new as our own deregistration,
        // so the G6 check below cannot miss permits released before it (G8.2).
        passWakeOn(context, sem.deregister(delta));
    }

    /** G6: permits left and waiters parked in the word {@code s} that a leaving waiter read: wake them. */
    private void passWakeOn(RtContext context, long s) {
        if (StateWord.value(s) != 0 && StateWord.parked(s) != 0) {
            queue.wakeAfter(context);
        }
    }

    /**
     * Runs every rarely taken VarHandle call site once, at class initialisation of {@link RtSemaphore}, on private
     * semaphores.
     *
     * <p>Why: the first execution of a VarHandle call site links it, and linking allocates. A HARD waiter that takes
     * a rare branch for the first time (becoming starving, leaving on a deadline, finding parked waiters) would
     * otherwise allocate mid-run, after the JIT has thrown the compiled loop away for the uncommon trap. Priming here
     * keeps the HARD paths allocation-free from the first operation on (FirstUseAllocationTest), but for HotSpot's
     * own one-off: the first C2 compilation of a method of a class resolves its string constants on the thread that
     * requested it (ARCHITECTURE A1: warm up before going live).
     */
    static void primeRarePaths() {
        // Loads RtThread, which a SOFT back-off asks for the caller's policy after its spins (S4): loading a class
        // allocates, so it happens here, not in a first wait.
        RtThread.currentThreadRealTime();
        // Loads the priority-inheritance classes (P1) that a HARD thread's acquire reaches once holds are recorded: a
        // HARD thread must not be the one that loads them (class loading allocates).
        HolderRecord.current();
        Holders.armed();
        RtThread.currentRealTimePriority();
        final RtSemaphore sem = new RtSemaphore(RtSemaphore.builder());
        sem.primeState(1L | StateWord.PARKED_ONE);
        sem.waits.leave(RtContext.NON_RT, null, StarvingLine.NONE, 1);
        sem.queue.wakeAfter(RtContext.HARD);
        sem.wakeParkedWaiters();
        sem.release(1);
        sem.drainPermits();
        final RtSemaphore binary = new RtSemaphore(RtSemaphore.builder().binary());
        binary.release(1);
        binary.release(1); // saturated
        sem.tryTake(1);
        sem.wakeParkedWaiters();
        sem.availablePermits();
        sem.parkedWaiters();
        sem.hasPendingWake();
        for (final RtContext context : RtContext.values()) {
            sem.waiters(context);
        }
        // A HARD release (or leave) that grants to the starving line's parked head (G8a), on a private node of a
        // thread that never runs (so the unpark that drains the granted list is a no-op).
        final RtSemaphore granting = new RtSemaphore(RtSemaphore.builder());
        final WaitNode node = new WaitNode(new Thread("rtsem-prime"), 1);
        final long ticket = granting.line.enter();
        granting.primeState(1L | StateWord.PARKED_ONE | StateWord.STARVING_ONE);
        granting.line.publish(ticket, node);
        granting.queue.wakeAfter(RtContext.HARD);
        granting.wakeParkedWaiters();
        // The starving line from HARD (G8): a head that takes, retires its ticket and passes the wake on to a parked
        // waiter (two permits, one left over); then one that enters the line and leaves.
        final RtSemaphore starving = new RtSemaphore(RtSemaphore.builder());
        final Waiters waits = starving.waits;
        starving.primeState(2L | StateWord.PARKED_ONE);
        final long head = starving.line.enterStarving(null);
        waits.attempt(RtContext.HARD, 1, head, null);
        waits.waiting.getAndIncrement(cell(RtContext.HARD));
        waits.afterAcquire(RtContext.HARD, cell(RtContext.HARD), null, head);
        waits.leave(RtContext.HARD, null, starving.line.enterStarving(null), 1);
        // The HARD wait loop, on this thread whatever its own context (no thread-local is touched): a wait that
        // succeeds at once, one that spins to its deadline, and one that turns starving first (G8) and then times
        // out. Bounded: the longest deadline is 50 us away.
        final RtSemaphore hard = new RtSemaphore(RtSemaphore.builder().maxBypass(1, TimeUnit.NANOSECONDS));
        try {
            hard.release(1);
            // Uninterruptible: an interrupt of the class-initialising thread is kept for its owner, not consumed here.
            hard.waits.await(RtContext.HARD, 1, 0L, UNTIMED, false);
            hard.waits.await(RtContext.HARD, 1, System.nanoTime(), ABSOLUTE, false);
            hard.waits.await(RtContext.HARD, 1, TimeUnit.MICROSECONDS.toNanos(50), RELATIVE, false);
        } catch (InterruptedException ex) {
            throw new AssertionError("uninterruptible wait threw", ex);
        }
    }
}
