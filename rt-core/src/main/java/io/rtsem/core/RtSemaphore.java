package io.rtsem.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

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
 * <p><b>State word</b> (one {@code long}, padded onto its own cache lines; the protocol and its numbered guarantees
 * G1-G10 are in {@code docs/ARCHITECTURE.md}):
 * <pre>
 *  63 | 62 ..... 52 | 51 ..... 32 | 31 ..... 0
 *   0 | starving    | parked      | value
 * </pre>
 * {@code value} is the permits available; {@code parked} counts waiters registered for a wake-up (glibc's
 * {@code nwaiters}); {@code starving} counts waiters that have waited longer than {@link Builder#maxBypass}.
 *
 * <p><b>Fast path:</b> {@link #tryAcquire()} and {@link #release()} are one CAS each on the state word, like glibc's
 * {@code sem_wait}/{@code sem_post}. A release that finds no parked waiter makes no system call in any context; a
 * release from HARD never makes one (it leaves a wake indication instead, see {@link DeferredWaker}).
 *
 * <p><b>Ordering:</b> not FIFO. Parked waiters are woken in arrival order, but any thread may take a released permit
 * first (barging, as with {@code sem_post}). Among waiters, HARD goes before SOFT before NON_RT; no waiter is bypassed
 * for longer than {@code maxBypass} before it is served ahead of everybody (G7, G8).
 */
public final class RtSemaphore extends StateWordRhsPadding
{
    static final long VALUE_MASK = 0xFFFF_FFFFL;
    static final int PARKED_SHIFT = 32;
    static final long PARKED_ONE = 1L << PARKED_SHIFT;
    static final int MAX_PARKED = (1 << 20) - 1;
    static final long PARKED_MASK = ((long)MAX_PARKED) << PARKED_SHIFT;
    static final int STARVING_SHIFT = 52;
    static final long STARVING_ONE = 1L << STARVING_SHIFT;
    static final int MAX_STARVING = (1 << 11) - 1;
    static final long STARVING_MASK = ((long)MAX_STARVING) << STARVING_SHIFT;

    /** Waiters check the clock and their interrupt flag once every this many cheap spins (G9). */
    static final int CLOCK_CHECK_MASK = 63;

    /**
     * The first nap of a parked starving waiter when no wake service is attached (G8): everybody waits for it, so it
     * polls, doubling the nap each time nothing came, up to the park fallback.
     */
    static final long STARVING_NAP_NANOS = 20_000L;

    /** {@link #await} time modes: no deadline, {@code time} is a relative timeout, {@code time} is a deadline. */
    private static final int UNTIMED = 0;
    private static final int RELATIVE = 1;
    private static final int ABSOLUTE = 2;

    /** Waiter-count cells are this many ints (128 bytes) apart, so contexts do not share cache lines. */
    private static final int CELL_STRIDE = 32;

    private static final VarHandle STATE;
    private static final VarHandle WAKE_PENDING;
    private static final VarHandle GRANTED_LIST;
    private static final VarHandle NODE_STATE;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(StateWordValue.class, "state", long.class);
            WAKE_PENDING = lookup.findVarHandle(RtSemaphore.class, "wakePending", int.class);
            GRANTED_LIST = lookup.findVarHandle(RtSemaphore.class, "grantedList", WaitNode.class);
            NODE_STATE = lookup.findVarHandle(WaitNode.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
        primeRarePaths();
    }

    private final int maxPermits;
    private final boolean binary;
    private final long parkFallbackNanos;
    private final long maxBypassNanos;
    private final WaitStrategy[] strategies;
    private final AtomicIntegerArray waiting = new AtomicIntegerArray((RtContext.values().length + 2) * CELL_STRIDE);
    private final ConcurrentLinkedQueue<WaitNode> parkedQueue = new ConcurrentLinkedQueue<>();
    /** Written under this object's lock (setDeferredWaker), read without it: volatile publishes the waker. */
    private volatile DeferredWaker deferredWaker;
    /** The wake indication (G3): 1 when a HARD release (or leave) found parked waiters and did not wake them. */
    private volatile int wakePending;
    /** The order in which starving waiters are served, and the published nodes of parked ones (G8, G8a). */
    private final StarvingLine line = new StarvingLine();
    /**
     * Nodes granted their permits by a thread that could not unpark them (HARD), linked through
     * {@link WaitNode#nextGranted}: a Treiber stack pushed by CAS, emptied at once by {@link #wakeParkedWaiters()}.
     */
    private volatile WaitNode grantedList;

    /**
     * A semaphore with {@code permits} permits and every other option at its default (see {@link Builder}).
     *
     * <p>Set-up time, any context: allocates the semaphore (padded state word, waiter counters, wait queue).
     *
     * @param permits initial permits, {@code >= 0}.
     * @throws IllegalArgumentException if {@code permits < 0}.
     */
    public RtSemaphore(final int permits)
    {
        this(builder().permits(permits));
    }

    private RtSemaphore(final Builder builder)
    {
        this.maxPermits = builder.binary ? 1 : builder.maxPermits;
        this.binary = builder.binary;
        this.parkFallbackNanos = builder.parkFallbackNanos;
        this.maxBypassNanos = builder.maxBypassNanos;
        this.strategies = builder.strategies.clone();
        STATE.setVolatile(this, (long)builder.permits);
    }

    /**
     * A builder with defaults: 0 permits, {@code maxPermits = Integer.MAX_VALUE}, counting mode, HARD
     * {@code busy-spin}, SOFT {@code backoff}, NON_RT {@code park}, park fallback 1 ms, max bypass 1 ms.
     *
     * @return a new builder (set-up time; allocates).
     */
    public static Builder builder()
    {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Acquire
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Takes one permit if one is available now.
     *
     * <p>Any context. One CAS; never blocks, allocates or makes a system call. Fails while a starving waiter is
     * being served (G8).
     *
     * @return {@code true} if a permit was taken.
     */
    public boolean tryAcquire()
    {
        return tryTake(1);
    }

    /**
     * Takes {@code permits} permits if that many are available now; all or none.
     *
     * <p>Any context. One CAS; never blocks, allocates or makes a system call.
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @return {@code true} if they were taken.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public boolean tryAcquire(final int permits)
    {
        checkAcquire(permits);
        return tryTake(permits);
    }

    /**
     * Takes one permit, waiting as the caller's context waits.
     *
     * <p>Any context. HARD spins (no allocation, no system call); SOFT spins, yields and naps; NON_RT parks (allocates
     * one wait node per blocking call).
     *
     * @throws InterruptedException if the thread is interrupted before or while waiting; no permit is taken then.
     */
    public void acquire() throws InterruptedException
    {
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
    public void acquire(final int permits) throws InterruptedException
    {
        checkAcquire(permits);
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted before acquire(" + permits + ")");
        }
        if (!tryTake(permits))
        {
            await(permits, 0L, UNTIMED, true);
        }
    }

    /**
     * Takes one permit, waiting as the caller's context waits, ignoring interruption (the interrupt status is
     * restored on return).
     *
     * <p>Any context; see {@link #acquire()}.
     */
    public void acquireUninterruptibly()
    {
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
    public void acquireUninterruptibly(final int permits)
    {
        checkAcquire(permits);
        if (!tryTake(permits))
        {
            try
            {
                await(permits, 0L, UNTIMED, false);
            }
            catch (final InterruptedException ex)
            {
                throw new AssertionError("uninterruptible wait threw", ex);
            }
        }
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
    public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
    {
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
    public boolean tryAcquire(final int permits, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        Objects.requireNonNull(unit, "unit");
        checkAcquire(permits);
        final long nanos = unit.toNanos(timeout);
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted before tryAcquire(" + permits + ", " + timeout + ", " +
                unit + ")");
        }
        if (tryTake(permits))
        {
            return true;
        }
        return nanos > 0 && await(permits, nanos, RELATIVE, true);
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
    public boolean tryAcquireUntil(final int permits, final long deadlineNanoTime) throws InterruptedException
    {
        checkAcquire(permits);
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted before tryAcquireUntil(" + permits + ", " +
                deadlineNanoTime + ")");
        }
        if (tryTake(permits))
        {
            return true;
        }
        return await(permits, deadlineNanoTime, ABSOLUTE, true);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Release and inspection
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Returns one permit. See {@link #release(int)}.
     *
     * @throws IllegalStateException if the count would exceed {@code maxPermits} (not in binary mode).
     */
    public void release()
    {
        release(1);
    }

    /**
     * Returns {@code permits} permits and wakes parked waiters that can use them.
     *
     * <p>Any context. One CAS. With no parked waiter, no system call in any context. With parked waiters: from HARD,
     * still no system call (a volatile store of the wake indication, consumed by a wake service or by the waiters'
     * fallback, G3/G5); from SOFT or NON_RT, it unparks them directly (may allocate a queue iterator). In binary mode
     * the count saturates at 1.
     *
     * @param permits permits to return, {@code >= 1}.
     * @throws IllegalArgumentException if {@code permits <= 0}.
     * @throws IllegalStateException if the count would exceed {@code maxPermits} (the count is left unchanged).
     */
    public void release(final int permits)
    {
        if (permits <= 0)
        {
            throw nonPositiveRelease(permits);
        }
        long s = (long)STATE.getVolatile(this);
        if (binary)
        {
            releaseBinary(s);
            return;
        }
        while (true)
        {
            final int value = value(s);
            if (permits > maxPermits - value) // int arithmetic, no overflow: 0 <= value <= maxPermits
            {
                throw aboveMaxPermits(permits, value);
            }
            final long next = s + permits;
            // Release ordering: a waiter whose CAS reads this value happens-after everything before this release.
            final long witness = (long)STATE.compareAndExchange(this, s, next);
            if (witness == s)
            {
                if (parked(next) != 0)
                {
                    wakeAfter(RtContext.current());
                }
                return;
            }
            s = witness;
        }
    }

    /** Binary mode (G10): the count becomes 1 unless it is 1 already (a saturated release wakes nobody). */
    private void releaseBinary(long s)
    {
        while (value(s) == 0)
        {
            final long next = s + 1;
            final long witness = (long)STATE.compareAndExchange(this, s, next); // release ordering, as above
            if (witness == s)
            {
                if (parked(next) != 0)
                {
                    wakeAfter(RtContext.current());
                }
                return;
            }
            s = witness;
        }
        // Saturated: the count is 1 already, and nobody took that permit. A parked waiter may be waiting for it, left
        // only a wake indication by a HARD release (G3): this release passes the wake on as any release would, or,
        // from NON_RT with no wake service, the waiter would sleep until its fallback over a free permit (G11).
        if (parked(s) != 0)
        {
            wakeAfter(RtContext.current());
        }
    }

    /** Built out of line: keeps {@link #release(int)} small enough to inline on every hot path. */
    private static IllegalArgumentException nonPositiveRelease(final int permits)
    {
        return new IllegalArgumentException("release(" + permits + "): permits must be >= 1");
    }

    private IllegalStateException aboveMaxPermits(final int permits, final int value)
    {
        return new IllegalStateException("release(" + permits + ") would raise the count from " + value + " to " +
            ((long)value + permits) + ", above maxPermits " + maxPermits);
    }

    /**
     * The permits available now.
     *
     * <p>Any context; one volatile read. A snapshot: it may be stale by the time it is used.
     *
     * @return the current value, {@code >= 0}.
     */
    public int availablePermits()
    {
        return value((long)STATE.getVolatile(this));
    }

    /**
     * Takes every permit available now and returns how many. Unlike acquiring, it does not defer to starving waiters:
     * it is an administrative reset.
     *
     * <p>Any context. CAS loop; never blocks, allocates or makes a system call.
     *
     * @return the permits taken, {@code >= 0}.
     */
    public int drainPermits()
    {
        long s = (long)STATE.getVolatile(this);
        while (value(s) != 0)
        {
            // Volatile CAS: acquire ordering, like any acquire (the drainer sees what the releasers published).
            final long witness = (long)STATE.compareAndExchange(this, s, s & ~VALUE_MASK);
            if (witness == s)
            {
                return value(s);
            }
            s = witness;
        }
        return 0;
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
    public int waiters(final RtContext context)
    {
        return waiting.get(cell(Objects.requireNonNull(context, "context")));
    }

    /**
     * The number of waiters registered for a wake-up (parked, or about to park) now.
     *
     * <p>Any context; one volatile read.
     *
     * @return parked waiters, {@code >= 0}.
     */
    public int parkedWaiters()
    {
        return parked((long)STATE.getVolatile(this));
    }

    /**
     * The number of waiters registered as starving now: waiting longer than {@code maxBypass}, in the starving line
     * (G8). While it is non-zero only the line's head may take permits.
     *
     * <p>Any context; one volatile read.
     *
     * @return starving waiters, {@code >= 0}.
     */
    public int starvingWaiters()
    {
        return starving((long)STATE.getVolatile(this));
    }

    /**
     * Whether a wake indication left by a HARD release (or a HARD waiter leaving) is waiting to be acted on.
     *
     * <p>Any context; one volatile read.
     *
     * @return {@code true} if {@link #wakeParkedWaiters()} has work to do.
     */
    public boolean hasPendingWake()
    {
        return wakePending != 0;
    }

    /**
     * Clears the wake indication and unparks the parked waiters that the available permits can serve, in queue order
     * (only starving ones while a waiter is starving). This is what a NON_RT or SOFT release does directly and what
     * a wake service does for HARD releases.
     *
     * <p>NON_RT or SOFT context only (it unparks, a system call); never from HARD. May allocate a queue iterator.
     */
    public void wakeParkedWaiters()
    {
        // Clear BEFORE reading the word: a HARD release whose CAS comes after our read of the word sets the
        // indication again after this store (both are volatile, so they are ordered in the synchronization order).
        if (wakePending != 0)
        {
            WAKE_PENDING.setVolatile(this, 0);
        }
        grantHeads(); // G8a: the starving line's parked head first, as long as its demand fits
        unparkGranted();
        final long s = (long)STATE.getVolatile(this);
        int budget = value(s);
        // While anybody is starving only grants serve (G8): the head is granted above, or it is awake.
        if (budget == 0 || parked(s) == 0 || starving(s) != 0)
        {
            return;
        }
        for (final WaitNode node : parkedQueue)
        {
            // G11: a node that is granted, cancelled or in the starving line is not spent from the budget.
            if (node.state != WaitNode.WAITING || node.ticket != StarvingLine.NONE)
            {
                continue;
            }
            if (node.permits <= budget)
            {
                LockSupport.unpark(node.thread);
                budget -= node.permits;
                if (budget == 0)
                {
                    break;
                }
            }
        }
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
    public synchronized void setDeferredWaker(final DeferredWaker waker)
    {
        final DeferredWaker current = deferredWaker;
        if (waker != null && current != null && current != waker)
        {
            throw new IllegalStateException("a deferred waker is already attached to " + this + ": " + current);
        }
        deferredWaker = waker;
    }

    /**
     * The attached wake service, or {@code null}.
     *
     * @return the waker. Any context; one volatile read.
     */
    public DeferredWaker deferredWaker()
    {
        return deferredWaker;
    }

    /** @return the largest count this semaphore may hold (1 in binary mode). Any context; no allocation. */
    public int maxPermits()
    {
        return maxPermits;
    }

    /** @return {@code true} in binary mode (the count saturates at 1). Any context; no allocation. */
    public boolean isBinary()
    {
        return binary;
    }

    /**
     * @return the longest single park of a parked waiter before it re-checks by itself (G5), in nanoseconds. Any
     * context; no allocation.
     */
    public long parkFallbackNanos()
    {
        return parkFallbackNanos;
    }

    /**
     * @return how long a waiter may be bypassed before it is served first (G8), in nanoseconds. Any context; no
     * allocation.
     */
    public long maxBypassNanos()
    {
        return maxBypassNanos;
    }

    /**
     * The wait strategy used by callers of {@code context}. Any context; no allocation.
     *
     * @param context the context, not {@code null}.
     * @return its strategy.
     */
    public WaitStrategy waitStrategy(final RtContext context)
    {
        return strategies[Objects.requireNonNull(context, "context").ordinal()];
    }

    /** @return a snapshot of the state, for diagnostics. Any context, but it allocates: not on a HARD path. */
    @Override
    public String toString()
    {
        final long s = (long)STATE.getVolatile(this);
        return "RtSemaphore[permits=" + value(s) + ", maxPermits=" + maxPermits + (binary ? ", binary" : "") +
            ", parked=" + parked(s) + ", starving=" + starving(s) + ", waiting HARD/SOFT/NON_RT=" +
            waiters(RtContext.HARD) + "/" + waiters(RtContext.SOFT) + "/" + waiters(RtContext.NON_RT) + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    static int value(final long s)
    {
        return (int)(s & VALUE_MASK);
    }

    static int parked(final long s)
    {
        return (int)((s & PARKED_MASK) >>> PARKED_SHIFT);
    }

    static int starving(final long s)
    {
        return (int)((s & STARVING_MASK) >>> STARVING_SHIFT);
    }

    private static int cell(final RtContext context)
    {
        return (context.ordinal() + 1) * CELL_STRIDE;
    }

    private void checkAcquire(final int permits)
    {
        if (permits <= 0)
        {
            throw new IllegalArgumentException("acquire of " + permits + " permits: permits must be >= 1");
        }
        if (permits > maxPermits)
        {
            throw new IllegalArgumentException("acquire of " + permits + " permits can never succeed: maxPermits is " +
                maxPermits);
        }
    }

    /** The fast path (G1): one CAS, retried only if another thread changed the word meanwhile. */
    private boolean tryTake(final int permits)
    {
        long s = (long)STATE.getVolatile(this);
        while ((s & STARVING_MASK) == 0 && value(s) >= permits)
        {
            // Acquire ordering: this CAS reads the value a release published.
            final long witness = (long)STATE.compareAndExchange(this, s, s - permits);
            if (witness == s)
            {
                return true;
            }
            s = witness;
        }
        return false;
    }

    /** Whether a waiter of {@code context} must let a waiting higher-context thread go first (G7). */
    private boolean higherContextWaiting(final RtContext context)
    {
        switch (context)
        {
            case HARD:
                return false;
            case SOFT:
                return waiting.get(cell(RtContext.HARD)) != 0;
            default:
                return waiting.get(cell(RtContext.HARD)) != 0 || waiting.get(cell(RtContext.SOFT)) != 0;
        }
    }

    /** Wakes parked waiters after a release or a leave, as {@code context} may (G3, G6). */
    private void wakeAfter(final RtContext context)
    {
        if (context == RtContext.HARD)
        {
            grantHeads(); // G8a: the starving head's permits leave the word now, not when it is scheduled
            // No system call from HARD: a volatile store (ordered after our CAS on the state word) that the wake
            // service or a parked waiter's fallback consumes; it also unparks what grantHeads() granted.
            WAKE_PENDING.setVolatile(this, 1);
        }
        else
        {
            wakeParkedWaiters(); // grants to the starving head first (G8a), then unparks
        }
    }

    /**
     * A waiter that took its permits leaves: it stops counting as waiting, THEN re-reads the word and passes the wake
     * on to parked waiters if permits are left (G6, G7b). In that order: a lower-context waiter that this one's count
     * held back (G7) and that the pass-on wakes must find the count gone, or it would stand back and park again with
     * nobody left to wake it. The re-read also comes after any ticket retirement (G8.2).
     */
    private void afterTake(final RtContext context, final int cell)
    {
        // Volatile RMW, then a volatile read: the decrement is ordered before the pass-on's unparks.
        waiting.getAndDecrement(cell);
        final long s = (long)STATE.getVolatile(this);
        if (value(s) != 0 && parked(s) != 0)
        {
            wakeAfter(context);
        }
    }

    /**
     * The slow path. Waits as the caller's context waits until {@code permits} are taken, the deadline passes
     * ({@code mode} RELATIVE: {@code time} nanoseconds from the first clock reading; ABSOLUTE: {@code time} is a
     * {@code System.nanoTime()} deadline) or, when {@code interruptible}, the thread is interrupted.
     *
     * <p>A HARD waiter reads the clock for the first time only after 64 spins (G9): {@code System.nanoTime()} costs
     * ~23 ns here, and a permit that arrives during the first spins is then taken without paying for it. Its
     * timeout and its starvation clock therefore start up to 64 spins late (well under a microsecond to a few).
     */
    private boolean await(final int permits, final long time, final int mode, final boolean interruptible)
        throws InterruptedException
    {
        return await(RtContext.current(), permits, time, mode, interruptible);
    }

    /** {@link #await(int, long, int, boolean)} as a caller of {@code context} waits (class-init priming uses it). */
    private boolean await(final RtContext context, final int permits, final long time, final int mode,
        final boolean interruptible) throws InterruptedException
    {
        final WaitStrategy strategy = strategies[context.ordinal()];
        final int cell = cell(context);
        final boolean timed = mode != UNTIMED;
        boolean clockStarted = context != RtContext.HARD;
        long now = clockStarted ? System.nanoTime() : 0L;
        long starveAt = now + maxBypassNanos;
        long deadline = mode == RELATIVE ? now + time : time;
        long ticket = StarvingLine.NONE; // our place in the starving line, once we have waited maxBypass (G8)
        long starvingNap = STARVING_NAP_NANOS;
        WaitNode node = null;            // non-null once queued and registered for a wake-up (G4)
        boolean acquired = false;
        boolean interruptedMeanwhile = false;
        // Volatile RMW, before any attempt: a lower-context waiter that reads the counter after this sees us (G7).
        waiting.getAndIncrement(cell);
        try
        {
            if (clockStarted && timed && deadline - now <= 0)
            {
                return false;
            }
            for (int attempt = 0; ; attempt = nextAttempt(attempt))
            {
                if (node != null && ticket != StarvingLine.NONE)
                {
                    // G8a.3: with a published node, permits come only by a grant (another thread's, or ours here).
                    if (node.state == WaitNode.GRANTED || tryGrant(node))
                    {
                        acquired = true;
                        afterGrant(context, cell, node);
                        return true;
                    }
                }
                else if (takeWaiting(context, permits, ticket, node))
                {
                    acquired = true;
                    afterTake(context, cell);
                    return true;
                }

                final boolean checkNow;
                if (context != RtContext.HARD && strategy.blocksAfter(attempt))
                {
                    if (node == null)
                    {
                        node = register(permits, ticket);
                        final DeferredWaker waker = deferredWaker;
                        if (waker != null)
                        {
                            waker.waiterParking(this);
                        }
                        continue; // G4: re-read the word before parking
                    }
                    checkNow = park(timed, deadline - now, ticket == StarvingLine.NONE ? starveAt - now :
                        Long.MAX_VALUE, ticket != StarvingLine.NONE && deferredWaker == null ? starvingNap : 0L);
                    if (ticket != StarvingLine.NONE && deferredWaker == null)
                    {
                        starvingNap = Math.min(starvingNap << 1, parkFallbackNanos);
                    }
                }
                else
                {
                    final long remaining = timed ? deadline - now : Long.MAX_VALUE;
                    final long idleBound = ticket != StarvingLine.NONE ? remaining :
                        Math.min(remaining, Math.max(1L, starveAt - now));
                    checkNow = !strategy.idle(attempt, idleBound) ||
                        (attempt & CLOCK_CHECK_MASK) == CLOCK_CHECK_MASK;
                }

                if (checkNow)
                {
                    if (Thread.interrupted())
                    {
                        if (interruptible)
                        {
                            if (grantStands(node, ticket)) // G8a.2: the grant came first; the interrupt stays set
                            {
                                acquired = true;
                                afterGrant(context, cell, node);
                                Thread.currentThread().interrupt();
                                return true;
                            }
                            throw new InterruptedException("interrupted while waiting for " + permits +
                                " permits on " + this);
                        }
                        interruptedMeanwhile = true;
                    }
                    now = System.nanoTime();
                    if (!clockStarted)
                    {
                        clockStarted = true; // HARD: the clock starts at the first check (G9)
                        starveAt = now + maxBypassNanos;
                        if (mode == RELATIVE)
                        {
                            deadline = now + time;
                        }
                    }
                    if (timed && deadline - now <= 0)
                    {
                        acquired = grantStands(node, ticket); // G8a.2: a grant that came first stands
                        if (acquired)
                        {
                            afterGrant(context, cell, node);
                        }
                        return acquired;
                    }
                    if (ticket == StarvingLine.NONE && now - starveAt >= 0)
                    {
                        ticket = enterLine(node);
                        if (ticket == StarvingLine.NONE)
                        {
                            starveAt = now + STARVING_NAP_NANOS; // the line is full: try again a little later
                        }
                    }
                }
            }
        }
        finally
        {
            if (!acquired)
            {
                // Uncounted BEFORE the pass-on in leave(), as after a take (G7b).
                waiting.getAndDecrement(cell);
                leave(context, node, ticket, permits);
            }
            if (interruptedMeanwhile)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One attempt of a waiter that has no published node: a plain CAS when the rules let it take (G7, G8), retried
     * only while they still do. A starving waiter takes only as the line's head, and retires its ticket here, before
     * the caller's {@link #afterTake} re-reads the word to pass the wake on (G8.2). A registered waiter takes its node
     * out of the queue here, so that pass-on never counts it (G11).
     */
    private boolean takeWaiting(final RtContext context, final int permits, final long ticket, final WaitNode node)
    {
        long s = (long)STATE.getVolatile(this);
        if (ticket != StarvingLine.NONE)
        {
            // A starving waiter without a node (a spinner, or one not parked yet): nobody can grant to it.
            while (value(s) >= permits && line.isHead(ticket))
            {
                // Volatile CAS: acquire ordering with the release that published these permits.
                final long witness = (long)STATE.compareAndExchange(this, s, s - permits - STARVING_ONE);
                if (witness == s)
                {
                    line.retire(ticket, null); // before the caller re-reads the word to pass the wake on (G8.2)
                    return true;
                }
                s = witness;
            }
            return false;
        }
        while (value(s) >= permits && starving(s) == 0 && !higherContextWaiting(context))
        {
            final long next = s - permits - (node != null ? PARKED_ONE : 0L);
            // Volatile CAS: acquire ordering with the release that published these permits.
            final long witness = (long)STATE.compareAndExchange(this, s, next);
            if (witness == s)
            {
                if (node != null)
                {
                    parkedQueue.remove(node); // G11: before the pass-on
                }
                return true;
            }
            s = witness;
        }
        return false;
    }

    /**
     * Parks once (NON_RT, or SOFT with a parking strategy): at most {@code parkFallback}, the time left, the time
     * until starving, and the starving nap when polling (G5, G8).
     *
     * @return {@code true}: the caller checks clock and interrupt after every park.
     */
    private boolean park(final boolean timed, final long untilDeadline, final long untilStarving,
        final long starvingNap)
    {
        long parkNanos = Math.min(parkFallbackNanos, untilStarving);
        if (starvingNap > 0L)
        {
            // A starving waiter with no wake service: a HARD release reaches it only by polling (G8).
            parkNanos = Math.min(parkNanos, starvingNap);
        }
        if (timed)
        {
            parkNanos = Math.min(parkNanos, untilDeadline);
        }
        if (parkNanos > 0)
        {
            LockSupport.parkNanos(this, parkNanos);
        }
        if (wakePending != 0)
        {
            wakeParkedWaiters(); // G5: the fallback consumes a HARD release's indication itself
        }
        return true;
    }

    /**
     * Queues a wait node and registers it for a wake-up (G4); publishes it in the starving line if the caller is
     * starving already (G8a). NON_RT or SOFT; allocates the node.
     */
    private WaitNode register(final int permits, final long ticket)
    {
        final WaitNode node = new WaitNode(Thread.currentThread(), permits);
        // G4: the node is queued BEFORE the registration, and the registration comes BEFORE we park; a release
        // after it sees parked > 0, a release before it is in the value we re-read.
        parkedQueue.offer(node);
        try
        {
            registerParked();
        }
        catch (final IllegalStateException ex)
        {
            parkedQueue.remove(node);
            throw ex;
        }
        if (ticket != StarvingLine.NONE)
        {
            line.publish(ticket, node); // after both registrations: a granter may take them off the word
        }
        return node;
    }

    /**
     * Enters the starving line (G8): a ticket, then the starving registration in the word, then (for a registered
     * waiter) the node's publication. The caller re-reads the word before it parks again.
     *
     * @return the ticket, or {@link StarvingLine#NONE} if the line is full.
     */
    private long enterLine(final WaitNode node)
    {
        final long ticket = line.enter();
        if (ticket == StarvingLine.NONE)
        {
            return ticket;
        }
        registerStarving();
        if (node != null)
        {
            line.publish(ticket, node);
        }
        return ticket;
    }

    /**
     * A granted waiter runs: stops counting as waiting (G7b), takes its node out of the queue, drops its own parked
     * registration (G8a.4) and passes the wake on (G6, G11). Its ticket was retired by the granter.
     */
    private void afterGrant(final RtContext context, final int cell, final WaitNode node)
    {
        waiting.getAndDecrement(cell);
        parkedQueue.remove(node);
        final long s = (long)STATE.getAndAdd(this, -PARKED_ONE) - PARKED_ONE;
        if (value(s) != 0 && parked(s) != 0)
        {
            wakeAfter(context);
        }
    }

    /**
     * A waiter about to give up (timeout, interrupt) decides its published node (G8a.2).
     *
     * @return {@code true} if it had been granted: the acquire succeeds after all.
     */
    private static boolean grantStands(final WaitNode node, final long ticket)
    {
        return node != null && ticket != StarvingLine.NONE && !cancel(node);
    }

    /**
     * Decides a published node for its leaving waiter, by CAS (G8a.2). Idempotent.
     *
     * @return {@code true} if it is cancelled (no grant can come any more), {@code false} if it was granted.
     */
    private static boolean cancel(final WaitNode node)
    {
        while (true)
        {
            final int st = node.state;
            if (st == WaitNode.GRANTED)
            {
                return false;
            }
            if (st == WaitNode.CANCELLED ||
                (st == WaitNode.WAITING && NODE_STATE.compareAndSet(node, WaitNode.WAITING, WaitNode.CANCELLED)))
            {
                return true;
            }
            // GRANTING: a granter is between two CASes. Yield rather than spin: the waiter is a NON_RT or SOFT
            // thread, and a granter descheduled on this CPU must be let run to decide.
            Thread.yield();
        }
    }

    /**
     * A waiter leaves without permits (timeout, interrupt, or an exception): takes its node out of the queue,
     * retires its ticket (before it reads the word, G8.2), undoes its registrations and passes the wake on (G6).
     */
    private void leave(final RtContext context, final WaitNode node, final long ticket, final int permits)
    {
        long delta = 0L;
        if (node != null)
        {
            parkedQueue.remove(node);
            delta += PARKED_ONE;
        }
        if (ticket != StarvingLine.NONE)
        {
            if (node != null && !cancel(node))
            {
                // Granted, and leaving by an exception thrown after the grant (an Error: interrupt and timeout keep
                // the grant). The grant took the starving registration; the permits go back to the word.
                restoreGranted(permits);
            }
            else
            {
                line.retire(ticket, node);
                delta += STARVING_ONE;
            }
        }
        // Volatile read or RMW after the retirement: the value read is at least as new as our own deregistration,
        // so the G6 check below cannot miss permits released before it (G8.2).
        final long s = delta == 0 ? (long)STATE.getVolatile(this) : (long)STATE.getAndAdd(this, -delta) - delta;
        if (value(s) != 0 && parked(s) != 0)
        {
            wakeAfter(context);
        }
    }

    /**
     * Grants the head of the starving line, and each next head, while the demand of each fits (G8a). A granted node
     * goes onto the granted list; the caller wakes it ({@link #wakeParkedWaiters()}, or the wake indication from
     * HARD). Any context, HARD included: CASes and volatile stores, no allocation, no system call. Ends because each
     * round that goes on took permits off the word.
     */
    private void grantHeads()
    {
        while (true)
        {
            final WaitNode node = line.headNode();
            if (node == null || !tryGrant(node))
            {
                return;
            }
            WaitNode top;
            do
            {
                top = grantedList;
                node.nextGranted = top; // plain: published by the CAS below
            }
            while (!GRANTED_LIST.compareAndSet(this, top, node));
        }
    }

    /** Unparks every node on the granted list (NON_RT or SOFT: system calls). */
    private void unparkGranted()
    {
        if (grantedList == null)
        {
            return;
        }
        // Volatile getAndSet: we own the whole stack from here; each node's nextGranted was written before its push.
        WaitNode node = (WaitNode)GRANTED_LIST.getAndSet(this, (WaitNode)null);
        while (node != null)
        {
            LockSupport.unpark(node.thread);
            node = node.nextGranted;
        }
    }

    /**
     * Grants {@code node} its permits if it is the line's head and they are available (G8a): claims the node
     * ({@code WAITING -> GRANTING}), takes the permits and the node's starving registration off the word in one CAS,
     * marks the node {@code GRANTED} (or back to {@code WAITING} if the permits went elsewhere meanwhile) and
     * retires its ticket. The node's parked registration stays until its waiter runs (G8a.4).
     *
     * <p>Any context, HARD included: a bounded number of CASes and volatile stores, no allocation, no system call.
     *
     * @return {@code true} if this call granted.
     */
    private boolean tryGrant(final WaitNode node)
    {
        if (node.state != WaitNode.WAITING || !line.isHead(node.ticket))
        {
            return false;
        }
        final int n = node.permits;
        long s = (long)STATE.getVolatile(this);
        if (value(s) < n || !NODE_STATE.compareAndSet(node, WaitNode.WAITING, WaitNode.GRANTING))
        {
            return false;
        }
        // GRANTING: only we may take permits for the node, its waiter cannot cancel, and its ticket stays the head
        // (only we or a cancel could retire it). It is registered as starving and parked for as long as it is
        // published and undecided, so the word's starving count is >= 1 here and the subtraction cannot borrow.
        int decided = WaitNode.WAITING;
        while (value(s) >= n)
        {
            final long witness = (long)STATE.compareAndExchange(this, s, s - n - STARVING_ONE);
            if (witness == s)
            {
                decided = WaitNode.GRANTED;
                break;
            }
            s = witness;
        }
        // Volatile store after the word CAS: a waiter that reads GRANTED sees its permits taken for it.
        NODE_STATE.setVolatile(node, decided);
        if (decided != WaitNode.GRANTED)
        {
            return false;
        }
        line.retire(node.ticket, node);
        return true;
    }

    /**
     * Returns permits that a grant took for a waiter that then left by an exception (G8a.2; timeouts and interrupts
     * keep the grant instead). They came off the word, so they fit under {@code maxPermits} unless somebody released
     * permits that never existed (A2 broken); binary semaphores saturate at 1 (G10).
     */
    private void restoreGranted(final int permits)
    {
        long s = (long)STATE.getVolatile(this);
        while (true)
        {
            final long value = value(s);
            final long newValue = Math.min(value + permits, maxPermits);
            // Volatile CAS: release ordering, as release() (the next taker happens-after this).
            final long witness = (long)STATE.compareAndExchange(this, s, s - value + newValue);
            if (witness == s)
            {
                return;
            }
            s = witness;
        }
    }

    /**
     * Registers the caller for a wake-up ({@code parked += 1}, G4). A CAS rather than an add, so that a full
     * {@code parked} field is refused before it could carry into the {@code starving} bits.
     *
     * @throws IllegalStateException if {@link #MAX_PARKED} waiters are registered already (nothing changed then).
     */
    private void registerParked()
    {
        long s = (long)STATE.getVolatile(this);
        while (true)
        {
            if (parked(s) == MAX_PARKED)
            {
                throw new IllegalStateException("more than " + MAX_PARKED + " parked waiters on " + this);
            }
            final long witness = (long)STATE.compareAndExchange(this, s, s + PARKED_ONE);
            if (witness == s)
            {
                return;
            }
            s = witness;
        }
    }

    /**
     * The attempt after {@code attempt}, never wrapping negative: past {@code Integer.MAX_VALUE} (days of waiting)
     * it goes back to {@code 2^30}, still "late" for every wait strategy and with the same low bits cycle, so the
     * clock is still read once every 64 spins (G9) and a parked waiter still parks.
     */
    static int nextAttempt(final int attempt)
    {
        return attempt == Integer.MAX_VALUE ? 1 << 30 : attempt + 1;
    }

    /**
     * Registers the caller as starving in the word (G8). It holds a ticket, and at most
     * {@link StarvingLine#CAPACITY} tickets live, far below {@link #MAX_STARVING}: the count cannot saturate.
     */
    private void registerStarving()
    {
        // Volatile RMW: a non-starving taker whose CAS comes after this sees starving > 0 and stands back (G8).
        STATE.getAndAdd(this, STARVING_ONE);
    }

    /**
     * Runs every rarely taken VarHandle call site once, at class initialisation, on a private semaphore.
     *
     * <p>Why: the first execution of a VarHandle call site links it, and linking allocates. A HARD waiter that takes
     * a rare branch for the first time (becoming starving, leaving on a deadline, finding parked waiters) would
     * otherwise allocate mid-run, after the JIT has thrown the compiled loop away for the uncommon trap. Priming here
     * keeps the HARD paths allocation-free from the first operation on (FirstUseAllocationTest), but for HotSpot's
     * own one-off: the first C2 compilation of a method of this class resolves its string constants on the thread
     * that requested it (~1 KB once per JVM; ARCHITECTURE A1: warm up before going live).
     */
    private static void primeRarePaths()
    {
        final RtSemaphore sem = new RtSemaphore(builder());
        STATE.setVolatile(sem, 1L | PARKED_ONE);
        sem.leave(RtContext.NON_RT, null, StarvingLine.NONE, 1);
        sem.wakeAfter(RtContext.HARD);
        sem.wakeParkedWaiters();
        sem.release(1);
        sem.drainPermits();
        final RtSemaphore binary = new RtSemaphore(builder().binary());
        binary.release(1);
        binary.release(1); // saturated
        sem.tryTake(1);
        sem.wakeParkedWaiters();
        sem.availablePermits();
        sem.parkedWaiters();
        sem.hasPendingWake();
        for (final RtContext context : RtContext.values())
        {
            sem.waiters(context);
        }
        // A HARD release (or leave) that grants to the starving line's parked head (G8a), on a private node of a
        // thread that never runs (so the unpark that drains the granted list is a no-op).
        final RtSemaphore granting = new RtSemaphore(builder());
        final WaitNode node = new WaitNode(new Thread("rtsem-prime"), 1);
        final long ticket = granting.line.enter();
        STATE.setVolatile(granting, 1L | PARKED_ONE | STARVING_ONE);
        granting.line.publish(ticket, node);
        granting.wakeAfter(RtContext.HARD);
        granting.wakeParkedWaiters();
        // The starving line from HARD (G8): a head that takes, retires its ticket and passes the wake on to a parked
        // waiter (two permits, one left over); then one that enters the line and leaves.
        final RtSemaphore starving = new RtSemaphore(builder());
        STATE.setVolatile(starving, 2L | PARKED_ONE);
        final long head = starving.enterLine(null);
        starving.takeWaiting(RtContext.HARD, 1, head, null);
        starving.waiting.getAndIncrement(cell(RtContext.HARD));
        starving.afterTake(RtContext.HARD, cell(RtContext.HARD));
        starving.leave(RtContext.HARD, null, starving.enterLine(null), 1);
        // The HARD wait loop, on this thread whatever its own context (no thread-local is touched): a wait that
        // succeeds at once, one that spins to its deadline, and one that turns starving first (G8) and then times
        // out. Bounded: the longest deadline is 50 us away.
        final RtSemaphore hard = new RtSemaphore(builder().maxBypass(1, TimeUnit.NANOSECONDS));
        try
        {
            hard.release(1);
            // Uninterruptible: an interrupt of the class-initialising thread is kept for its owner, not consumed here.
            hard.await(RtContext.HARD, 1, 0L, UNTIMED, false);
            hard.await(RtContext.HARD, 1, System.nanoTime(), ABSOLUTE, false);
            hard.await(RtContext.HARD, 1, TimeUnit.MICROSECONDS.toNanos(50), RELATIVE, false);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError("uninterruptible wait threw", ex);
        }
    }

    /** A registered (parked) waiter, as the wake walk sees it. */
    static final class WaitNode
    {
        final Thread thread;
        final int permits;
        /**
         * Its ticket in the starving line once published there ({@link StarvingLine#publish}), else
         * {@link StarvingLine#NONE}. Written once, by the waiter, before the publication.
         */
        volatile long ticket = StarvingLine.NONE;
        /** G8a, once published: WAITING, then GRANTING (a granter's claim), GRANTED or CANCELLED, by CAS. */
        volatile int state;
        /** The next node on the granted list; written before the push CAS that publishes this node. */
        WaitNode nextGranted;

        static final int WAITING = 0;
        static final int GRANTING = 1;
        static final int GRANTED = 2;
        static final int CANCELLED = 3;

        WaitNode(final Thread thread, final int permits)
        {
            this.thread = thread;
            this.permits = permits;
        }
    }

    /**
     * Options of an {@link RtSemaphore}. Not thread-safe; set-up time only (allocates).
     */
    public static final class Builder
    {
        /** The largest {@link #parkFallback} and {@link #maxBypass}: one day (deadline sums then never overflow). */
        static final long MAX_BOUND_NANOS = TimeUnit.DAYS.toNanos(1);

        private int permits;
        private int maxPermits = Integer.MAX_VALUE;
        private boolean binary;
        private long parkFallbackNanos = TimeUnit.MILLISECONDS.toNanos(1);
        private long maxBypassNanos = TimeUnit.MILLISECONDS.toNanos(1);
        private final WaitStrategy[] strategies = {
            BusySpinWaitStrategy.INSTANCE, BackoffWaitStrategy.DEFAULT, ParkingWaitStrategy.DEFAULT };

        private Builder()
        {
        }

        /**
         * Initial permits (default 0).
         *
         * @param permits {@code >= 0} and {@code <= maxPermits}.
         * @return this builder.
         * @throws IllegalArgumentException if negative.
         */
        public Builder permits(final int permits)
        {
            if (permits < 0)
            {
                throw new IllegalArgumentException("permits must be >= 0, got " + permits);
            }
            this.permits = permits;
            return this;
        }

        /**
         * The largest count the semaphore may hold (default {@code Integer.MAX_VALUE}); a release past it throws.
         *
         * @param maxPermits {@code >= 1}.
         * @return this builder.
         * @throws IllegalArgumentException if below 1.
         */
        public Builder maxPermits(final int maxPermits)
        {
            if (maxPermits < 1)
            {
                throw new IllegalArgumentException("maxPermits must be >= 1, got " + maxPermits);
            }
            this.maxPermits = maxPermits;
            return this;
        }

        /**
         * Binary mode: the count never exceeds 1, whatever is released (releases saturate, as RTAI's BIN_SEM).
         *
         * @return this builder.
         */
        public Builder binary()
        {
            this.binary = true;
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
        public Builder waitStrategy(final RtContext context, final WaitStrategy strategy)
        {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(strategy, "strategy");
            if (context == RtContext.HARD && !strategy.spinsOnly())
            {
                throw new IllegalArgumentException("wait strategy '" + strategy.alias() +
                    "' may park, yield or sleep; HARD waiters may only spin (use '" + BusySpinWaitStrategy.ALIAS +
                    "')");
            }
            strategies[context.ordinal()] = strategy;
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
        public Builder waitStrategy(final RtContext context, final String alias)
        {
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
        public Builder parkFallback(final long time, final TimeUnit unit)
        {
            final long nanos = Objects.requireNonNull(unit, "unit").toNanos(time);
            if (nanos <= 0 || nanos > MAX_BOUND_NANOS)
            {
                throw new IllegalArgumentException("parkFallback must be > 0 and at most 1 day, got " + time + " " +
                    unit);
            }
            this.parkFallbackNanos = nanos;
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
        public Builder maxBypass(final long time, final TimeUnit unit)
        {
            final long nanos = Objects.requireNonNull(unit, "unit").toNanos(time);
            if (nanos <= 0 || nanos > MAX_BOUND_NANOS)
            {
                throw new IllegalArgumentException("maxBypass must be > 0 and at most 1 day, got " + time + " " +
                    unit);
            }
            this.maxBypassNanos = nanos;
            return this;
        }

        /**
         * Builds the semaphore.
         *
         * @return a new semaphore.
         * @throws IllegalArgumentException if the initial permits exceed the maximum (1 in binary mode).
         */
        public RtSemaphore build()
        {
            final int max = binary ? 1 : maxPermits;
            if (permits > max)
            {
                throw new IllegalArgumentException("permits " + permits + " exceed maxPermits " + max +
                    (binary ? " (binary semaphore)" : ""));
            }
            return new RtSemaphore(this);
        }
    }
}
