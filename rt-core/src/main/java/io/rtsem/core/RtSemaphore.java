package io.rtsem.core;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore shared by {@link RtContext#HARD HARD}, {@link RtContext#SOFT SOFT} and
 * {@link RtContext#NON_RT NON_RT} threads, each waiting its own way on the same object. Method names mirror
 * {@link java.util.concurrent.Semaphore}.
 *
 * <p><b>Threading contract:</b> every method may be called by any number of threads concurrently. How a caller
 * <em>waits</em> follows {@link RtContext#current()}: HARD busy-spins (never parks, yields, allocates or makes a
 * system call), SOFT spins then yields then naps, NON_RT spins briefly then parks until woken. Only
 * {@link #wakeParkedWaiters()} and {@link #setDeferredWaker(DeferredWaker)} are not for HARD threads.
 *
 * <p><b>State word:</b> one {@code long} of permits, parked and starving waiter counts, padded onto its own cache
 * lines (see {@code docs/ARCHITECTURE.md}, "The state word", where the protocol and its numbered guarantees G1-G11
 * are written out). {@code starving} counts waiters that have waited longer than {@link Builder#maxBypass}.
 *
 * <p><b>Fast path:</b> {@link #tryAcquire()} and {@link #release()} are one CAS each on the state word, like glibc's
 * {@code sem_wait}/{@code sem_post}. A release that finds no parked waiter makes no system call in any context (but
 * a holder that a real-time waiter boosted restores its own policy when it releases, ARCHITECTURE P5); a
 * release from HARD never makes one (it leaves a wake indication instead, see {@link DeferredWaker}).
 *
 * <p><b>Ordering:</b> not FIFO. Parked waiters are woken in arrival order, but any thread may take a released permit
 * first (barging, as with {@code sem_post}). Among waiters, HARD goes before SOFT before NON_RT; no waiter is bypassed
 * for longer than {@code maxBypass} before it is served ahead of everybody (G7, G8).
 */
public final class RtSemaphore extends StateWord {
    // Where the parts live (docs/ARCHITECTURE.md, "Where each part lives"): this class is the public face. It EXTENDS
    // StateWord (the word's layout and CAS loops) rather than holding a word object: the HARD tryAcquire/release CAS
    // a field of this object, with no load of a second object's reference in between, as Agrona's padded superclass
    // chains do. The wait loop and the G7 counts are in Waiters; the starving line and its grants in StarvingLine;
    // the parked queue, the granted list and the wake indication in WakeQueue; the builder's checks in
    // SemaphoreSettings. Everything below is a final field or a final method, so the hot paths stay monomorphic.
    static {
        Waiters.primeRarePaths(); // every rarely taken VarHandle call site, linked once (A1)
    }

    private final int maxPermits;
    private final boolean binary;
    /** Written under this object's lock (setDeferredWaker), read without it: volatile publishes the waker. */
    private volatile DeferredWaker deferredWaker;
    /** The order in which starving waiters are served, and the published nodes of parked ones (G8, G8a). */
    final StarvingLine line;
    /** Parked waiters' nodes, the granted list and the wake indication (G3 to G6, G8a, G11). */
    final WakeQueue queue;
    /** The slow path: how each context waits, and the per-context waiter counts (G7). */
    final Waiters waits;
    /** Priority inheritance (P1-P9): the holders and their boosts; {@code null} with the boost off. */
    final Holders holders;

    /**
     * A semaphore with {@code permits} permits and every other option at its default (see {@link Builder}).
     *
     * <p>Set-up time, any context: allocates the semaphore (padded state word, waiter counters, wait queue).
     *
     * @param permits initial permits, {@code >= 0}.
     * @throws IllegalArgumentException if {@code permits < 0}.
     */
    public RtSemaphore(int permits) {
        this(builder().permits(permits));
    }

    RtSemaphore(Builder builder) {
        super(builder.settings.permits);
        final SemaphoreSettings settings = builder.settings;
        this.maxPermits = settings.effectiveMaxPermits();
        this.binary = settings.binary;
        this.holders = settings.priorityBoost ? new Holders(settings.priorityBoostAlways) : null;
        this.line = new StarvingLine(this);
        this.queue = new WakeQueue(this, line);
        this.waits = new Waiters(this, line, queue, settings);
    }

    /**
     * A builder with defaults: 0 permits, {@code maxPermits = Integer.MAX_VALUE}, counting mode, HARD
     * {@code busy-spin}, SOFT {@code backoff}, NON_RT {@code park}, park fallback 1 ms, max bypass 1 ms.
     *
     * @return a new builder (set-up time; allocates).
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes one permit if one is available now.
     *
     * <p>Any context. One CAS; never blocks. A HARD caller allocates nothing and makes no system call; see
     * {@link Builder#priorityBoost(boolean)} for what a non-HARD caller's first hold costs. Fails while a starving waiter is
     * being served (G8).
     *
     * @return {@code true} if a permit was taken.
     */
    public boolean tryAcquire() {
        if (tryTake(1)) {
            took(1);
            return true;
        }
        return false;
    }

    /**
     * Takes {@code permits} permits if that many are available now; all or none.
     *
     * <p>Any context. One CAS; never blocks. A HARD caller allocates nothing and makes no system call; see
     * {@link Builder#priorityBoost(boolean)} for what a non-HARD caller's first hold costs.
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @return {@code true} if they were taken.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public boolean tryAcquire(int permits) {
        SemaphoreSettings.checkAcquire(permits, maxPermits);
        if (tryTake(permits)) {
            took(permits);
            return true;
        }
        return false;
    }

    /**
     * Takes one permit, waiting as the caller's context waits.
     *
     * <p>Any context. HARD spins (no allocation, no system call); SOFT spins, yields and naps; NON_RT parks (allocates
     * one wait node per blocking call). A waiter under a real-time policy boosts the holders it waits for (ARCHITECTURE
     * P2): a SOFT one calls {@code sched_setscheduler} and takes their record locks itself, a HARD one only leaves a
     * request for the wake service (P3).
     *
     * @throws InterruptedException if the thread is interrupted before or while waiting; no permit is taken then.
     */
    public void acquire() throws InterruptedException {
        acquire(1);
    }

    /**
     * Takes {@code permits} permits at once, waiting as the caller's context waits.
     *
     * <p>Any context; see {@link #acquire()}.
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @throws InterruptedException if the thread is interrupted before or while waiting; no permit is taken then.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public void acquire(int permits) throws InterruptedException {
        SemaphoreSettings.checkAcquire(permits, maxPermits);
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before acquire(" + permits + ")");
        }
        if (!tryTake(permits)) {
            waits.await(RtContext.current(), permits, 0L, Waiters.UNTIMED, true);
        }
        took(permits);
    }

    /**
     * Takes one permit, waiting as the caller's context waits, ignoring interruption (the interrupt status is
     * restored on return).
     *
     * <p>Any context; see {@link #acquire()}.
     */
    public void acquireUninterruptibly() {
        acquireUninterruptibly(1);
    }

    /**
     * Takes {@code permits} permits, ignoring interruption (the interrupt status is restored on return).
     *
     * <p>Any context; see {@link #acquire()}.
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public void acquireUninterruptibly(int permits) {
        SemaphoreSettings.checkAcquire(permits, maxPermits);
        if (!tryTake(permits)) {
            try {
                waits.await(RtContext.current(), permits, 0L, Waiters.UNTIMED, false);
            } catch (InterruptedException ex) {
                throw new AssertionError("uninterruptible wait threw", ex);
            }
        }
        took(permits);
    }

    /**
     * Takes one permit, waiting at most {@code timeout}.
     *
     * <p>Any context; see {@link #acquire()}. A timeout {@code <= 0} makes it a single attempt.
     *
     * @param timeout the longest wait.
     * @param unit    the unit of {@code timeout}.
     * @return {@code true} if taken, {@code false} if the time ran out first.
     * @throws InterruptedException if interrupted before or while waiting.
     */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    /**
     * Takes {@code permits} permits, waiting at most {@code timeout}.
     *
     * <p>Any context; see {@link #acquire()}.
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @param timeout the longest wait; {@code <= 0} makes it a single attempt.
     * @param unit    the unit of {@code timeout}.
     * @return {@code true} if taken, {@code false} if the time ran out first.
     * @throws InterruptedException if interrupted before or while waiting.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        SemaphoreSettings.checkAcquire(permits, maxPermits);
        final long nanos = unit.toNanos(timeout);
        if (Thread.interrupted()) {
            throw new InterruptedException(
                    "interrupted before tryAcquire(" + permits + ", " + timeout + ", " + unit + ")");
        }
        if (tryTake(permits) || nanos > 0 && waits.await(RtContext.current(), permits, nanos, Waiters.RELATIVE, true)) {
            took(permits);
            return true;
        }
        return false;
    }

    /**
     * Takes {@code permits} permits, waiting until the absolute {@code deadlineNanoTime} at the latest.
     *
     * <p>The deadline is on {@link System#nanoTime()}'s clock, never the wall clock: a wall-clock jump neither
     * lengthens nor cuts the wait. Any context; see {@link #acquire()}.
     *
     * @param permits          permits to take, {@code 1..maxPermits}.
     * @param deadlineNanoTime the instant, as a {@code System.nanoTime()} value, after which it gives up.
     * @return {@code true} if taken, {@code false} if the deadline passed first.
     * @throws InterruptedException if interrupted before or while waiting.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public boolean tryAcquireUntil(int permits, long deadlineNanoTime) throws InterruptedException {
        SemaphoreSettings.checkAcquire(permits, maxPermits);
        if (Thread.interrupted()) {
            throw new InterruptedException(
                    "interrupted before tryAcquireUntil(" + permits + ", " + deadlineNanoTime + ")");
        }
        if (tryTake(permits) || waits.await(RtContext.current(), permits, deadlineNanoTime, Waiters.ABSOLUTE, true)) {
            took(permits);
            return true;
        }
        return false;
    }

    /**
     * Returns one permit. See {@link #release(int)}.
     *
     * @throws IllegalStateException if the count would exceed {@code maxPermits} (not in binary mode).
     */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code permits} permits and wakes parked waiters that can use them.
     *
     * <p>Any context. One CAS. With no parked waiter, no system call in any context, except that a non-HARD holder that
     * a real-time waiter boosted gives its boost back when this release empties its holding (one
     * {@code sched_setscheduler}, under its own record's lock, after the wake: ARCHITECTURE P5). With parked waiters: from HARD,
     * still no system call (a volatile store of the wake indication, consumed by a wake service or by the waiters'
     * fallback, G3/G5); from SOFT or NON_RT, it unparks them directly (may allocate a queue iterator). In binary mode
     * the count saturates at 1.
     *
     * @param permits permits to return, {@code >= 1}.
     * @throws IllegalArgumentException if {@code permits <= 0}.
     * @throws IllegalStateException if the count would exceed {@code maxPermits} (the count is left unchanged).
     */
    public void release(int permits) {
        if (permits <= 0) {
            throw SemaphoreSettings.nonPositiveRelease(permits);
        }
        // One CAS (G1); the word it returns says whether anybody is parked (G3, G4). A saturated binary release
        // passes the wake on too (see StateWord.releaseBinary).
        final long s = binary ? releaseBinary() : releasePermits(permits, maxPermits);
        if (parked(s) != 0) {
            queue.wakeAfter(RtContext.current());
        }
        final Holders h = holders;
        if (h != null && h.recording()) {
            // P1, P5: after the CAS, so only permits really returned are taken off the record, and after the wake,
            // so a boosted holder wakes its waiters before it gives its boost back.
            h.released(permits);
        }
    }

    /**
     * Records a take by the calling thread for priority inheritance (P1): nothing with the boost off or before any
     * SOFT/HARD thread exists; for a HARD thread a type check and a field load, no write.
     */
    private void took(int permits) {
        final Holders h = holders;
        if (h != null && h.recording()) {
            h.took(permits);
        }
    }

    /**
     * The permits available now.
     *
     * <p>Any context; one volatile read. A snapshot: it may be stale by the time it is used.
     *
     * @return the current value, {@code >= 0}.
     */
    public int availablePermits() {
        return value(state());
    }

    /**
     * Takes every permit available now and returns how many. Unlike acquiring, it does not defer to starving waiters:
     * it is an administrative reset.
     *
     * <p>Any context. CAS loop; never blocks. The permits count as held by the caller (ARCHITECTURE P1): see
     * {@link #tryAcquire()} for what that costs.
     *
     * @return the permits taken, {@code >= 0}.
     */
    public int drainPermits() {
        final int taken = drain();
        if (taken > 0) {
            took(taken);
        }
        return taken;
    }

    /**
     * The number of threads of {@code context} waiting in an acquire now (spinning, backing off or parked; a call
     * that succeeded at its first attempt never counts).
     *
     * <p>Any context; one volatile read.
     *
     * @param context the context to count.
     * @return waiting threads of that context, {@code >= 0}.
     */
    public int waiters(RtContext context) {
        return waits.count(Objects.requireNonNull(context, "context"));
    }

    /**
     * The number of waiters registered for a wake-up (parked, or about to park) now.
     *
     * <p>Any context; one volatile read.
     *
     * @return parked waiters, {@code >= 0}.
     */
    public int parkedWaiters() {
        return parked(state());
    }

    /**
     * The number of waiters registered as starving now: waiting longer than {@code maxBypass}, in the starving line
     * (G8). While it is non-zero only the line's head may take permits.
     *
     * <p>Any context; one volatile read.
     *
     * @return starving waiters, {@code >= 0}.
     */
    public int starvingWaiters() {
        return starving(state());
    }

    /**
     * Whether a wake indication left by a HARD release (or a HARD waiter leaving) is waiting to be acted on.
     *
     * <p>Any context; one volatile read.
     *
     * @return {@code true} if {@link #wakeParkedWaiters()} has work to do.
     */
    public boolean hasPendingWake() {
        return queue.hasPendingWake();
    }

    /**
     * Clears the wake indication and unparks the parked waiters that the available permits can serve, in queue order
     * (only starving ones while a waiter is starving). This is what a NON_RT or SOFT release does directly and what
     * a wake service does for HARD releases.
     *
     * <p>NON_RT or SOFT context only (it unparks, a system call); never from HARD. May allocate a queue iterator.
     */
    public void wakeParkedWaiters() {
        queue.wakeParkedWaiters();
    }

    /**
     * Attaches the wake service that acts on HARD releases' wake indications (rt-bridge's bridge does this). At most
     * one is attached at a time.
     *
     * <p>NON_RT, set-up time.
     *
     * @param waker the service, or {@code null} to detach the current one.
     * @throws IllegalStateException if another waker is attached already.
     */
    public synchronized void setDeferredWaker(DeferredWaker waker) {
        final DeferredWaker current = deferredWaker;
        if (waker != null && current != null && current != waker) {
            throw new IllegalStateException("a deferred waker is already attached to " + this + ": " + current);
        }
        deferredWaker = waker;
    }

    /**
     * The attached wake service, or {@code null}.
     *
     * @return the waker. Any context; one volatile read.
     */
    public DeferredWaker deferredWaker() {
        return deferredWaker;
    }

    /** @return the largest count this semaphore may hold (1 in binary mode). Any context; no allocation. */
    public int maxPermits() {
        return maxPermits;
    }

    /** @return {@code true} in binary mode (the count saturates at 1). Any context; no allocation. */
    public boolean isBinary() {
        return binary;
    }

    /**
     * @return the longest single park of a parked waiter before it re-checks by itself (G5), in nanoseconds. Any
     * context; no allocation.
     */
    public long parkFallbackNanos() {
        return waits.parkFallbackNanos();
    }

    /**
     * @return how long a waiter may be bypassed before it is served first (G8), in nanoseconds. Any context; no
     * allocation.
     */
    public long maxBypassNanos() {
        return waits.maxBypassNanos();
    }

    /**
     * The wait strategy used by callers of {@code context}. Any context; no allocation.
     *
     * @param context the context, not {@code null}.
     * @return its strategy.
     */
    public WaitStrategy waitStrategy(RtContext context) {
        return waits.strategy(Objects.requireNonNull(context, "context"));
    }

    /**
     * Whether priority inheritance is on for this semaphore ({@link Builder#priorityBoost(boolean)}, ARCHITECTURE
     * P1-P9). Any context; no allocation.
     *
     * @return {@code true} if real-time waiters boost the holders of its permits.
     */
    public boolean priorityBoost() {
        return holders != null;
    }

    /**
     * Whether holds on this semaphore are being recorded now: the boost is on and a SOFT or HARD thread exists in
     * this JVM (ARCHITECTURE P1). A wake service polls for HARD waiters' boost requests only then. Any context; one
     * volatile read.
     *
     * @return {@code true} if real-time waiters can find (and boost) this semaphore's holders now.
     */
    public boolean priorityBoostActive() {
        return holders != null && holders.recording();
    }

    /**
     * How many times a holder of this semaphore's permits was raised to a waiter's priority (P2): one per
     * {@code sched_setscheduler} call that boosted, not per waiter. 0 with the boost off. Any context; one volatile
     * read.
     *
     * @return boosts applied so far.
     */
    public long priorityBoosts() {
        return holders == null ? 0L : holders.boosts();
    }

    /**
     * How many boosts (or restores) the kernel refused, or that were not attempted because the holder had died or its
     * tid was unknown (P7, P9). Any context; one volatile read.
     *
     * @return refusals so far.
     */
    public long priorityBoostsRefused() {
        return holders == null ? 0L : holders.refusals();
    }

    /**
     * Whether a HARD waiter asked for its holders to be boosted, or for boosts to be withdrawn, and the request waits
     * for a wake service (P3). For rt-bridge's wake service. Any context; two volatile reads, no allocation.
     *
     * @return {@code true} if {@link #serveBoostRequests()} has work to do.
     */
    public boolean boostRequestPending() {
        return holders != null && holders.requestPending();
    }

    /**
     * Serves HARD waiters' boost requests (P3): boosts the holders they wait for, or withdraws the boosts once no
     * real-time waiter is left. For rt-bridge's wake service; SOFT and NON_RT waiters of this semaphore do the same on
     * their own wait paths (ARCHITECTURE P3a).
     *
     * <p>NON_RT only: makes {@code sched_setscheduler} system calls, allocates their parameter arrays, and takes
     * holders' record locks; never from HARD.
     */
    public void serveBoostRequests() {
        if (holders != null) {
            holders.serveRequests();
        }
    }

    /** @return a snapshot of the state, for diagnostics. Any context, but it allocates: not on a HARD path. */
    @Override
    public String toString() {
        final long s = state();
        return "RtSemaphore[permits=" + value(s) + ", maxPermits=" + maxPermits + (binary ? ", binary" : "")
                + ", parked="
                + parked(s) + ", starving=" + starving(s) + ", waiting HARD/SOFT/NON_RT=" + waiters(RtContext.HARD)
                + "/" + waiters(RtContext.SOFT) + "/" + waiters(RtContext.NON_RT) + "]";
    }

    /**
     * Options of an {@link RtSemaphore}. Not thread-safe; set-up time only (allocates). Each option is validated when
     * it is set.
     */
    public static final class Builder {
        final SemaphoreSettings settings = new SemaphoreSettings();

        private Builder() {}

        /**
         * Initial permits (default 0).
         *
         * @param permits {@code >= 0} and {@code <= maxPermits}.
         * @return this builder.
         * @throws IllegalArgumentException if negative.
         */
        public Builder permits(int permits) {
            settings.permits(permits);
            return this;
        }

        /**
         * The largest count the semaphore may hold (default {@code Integer.MAX_VALUE}); a release past it throws.
         *
         * @param maxPermits {@code >= 1}.
         * @return this builder.
         * @throws IllegalArgumentException if below 1.
         */
        public Builder maxPermits(int maxPermits) {
            settings.maxPermits(maxPermits);
            return this;
        }

        /**
         * Binary mode: the count never exceeds 1, whatever is released (releases saturate, as RTAI's BIN_SEM).
         *
         * @return this builder.
         */
        public Builder binary() {
            settings.binary = true;
            return this;
        }

        /**
         * The wait strategy for callers of {@code context}.
         *
         * @param context  the context.
         * @param strategy its strategy; for HARD it must {@link WaitStrategy#spinsOnly() spin only}.
         * @return this builder.
         * @throws IllegalArgumentException if a non-spinning strategy is given for HARD.
         */
        public Builder waitStrategy(RtContext context, WaitStrategy strategy) {
            settings.waitStrategy(context, strategy);
            return this;
        }

        /**
         * The wait strategy for callers of {@code context}, by configuration alias ({@link WaitStrategy#forAlias}).
         *
         * @param context the context.
         * @param alias   {@code busy-spin}, {@code backoff} or {@code park}.
         * @return this builder.
         * @throws IllegalArgumentException if the alias is unknown or not allowed for the context.
         */
        public Builder waitStrategy(RtContext context, String alias) {
            return waitStrategy(context, WaitStrategy.forAlias(alias));
        }

        /**
         * The longest single park of a parked waiter before it re-checks the word by itself (default 1 ms). Bounds
         * how late a HARD release reaches a parked waiter when no wake service runs (G5).
         *
         * @param time {@code > 0}, at most one day.
         * @param unit unit of {@code time}.
         * @return this builder.
         * @throws IllegalArgumentException if not positive or longer than a day.
         */
        public Builder parkFallback(long time, TimeUnit unit) {
            settings.parkFallback(time, unit);
            return this;
        }

        /**
         * How long a waiter may be bypassed (by higher contexts or newcomers) before it is served ahead of everybody
         * (default 1 ms, G8).
         *
         * @param time {@code > 0}, at most one day.
         * @param unit unit of {@code time}.
         * @return this builder.
         * @throws IllegalArgumentException if not positive or longer than a day.
         */
        public Builder maxBypass(long time, TimeUnit unit) {
            settings.maxBypass(time, unit);
            return this;
        }

        /**
         * Priority inheritance (ARCHITECTURE P1-P9): a waiter under a real-time policy raises the threads that hold
         * this semaphore's permits to its own FIFO priority until they release them or it stops waiting.
         *
         * <p>By default it is on for a semaphore that real-time contexts use: holds are recorded once a SOFT or HARD
         * thread exists in the JVM (an RtThread of either context started, or {@code RtContext.enter}), so a JVM of
         * ordinary threads pays nothing, and holds taken before that are not known. {@code priorityBoost(true)}
         * records every hold from the first (a NON_RT acquire+release pair then always pays its record; figures in
         * README). {@code priorityBoost(false)}: no holder is recorded and nobody is boosted, for a semaphore no
         * real-time thread waits on or when the holders' scheduling must never be touched.
         *
         * @param on {@code true} to record holds from the first, {@code false} to turn the boost off.
         * @return this builder.
         */
        public Builder priorityBoost(boolean on) {
            settings.priorityBoost = on;
            settings.priorityBoostAlways = on;
            return this;
        }

        /**
         * Builds the semaphore.
         *
         * @return a new semaphore.
         * @throws IllegalArgumentException if the initial permits exceed the maximum (1 in binary mode).
         */
        public RtSemaphore build() {
            settings.validate();
            return new RtSemaphore(this);
        }
    }
}
