package io.rtsem.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import org.HdrHistogram.Histogram;

/**
 * How non-real-time code uses an {@link RtSemaphore} that real-time threads share: the same acquire / tryAcquire /
 * release methods, plus a wake service for HARD releases, asynchronous acquisition (the iosem idea), mode-switch
 * detection and hold-time accounting per context.
 *
 * <p><b>Threading contract:</b> every method may be called by any number of threads concurrently; which
 * <em>context</em> may call each one is in its javadoc. Real-time threads keep using the {@link RtSemaphore}
 * directly; the bridge is the ordinary threads' side of it.
 *
 * <pre>{@code
 * RtSemaphore sem = RtSemaphore.builder().permits(4).maxBypass(1, TimeUnit.MILLISECONDS).build();
 * try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
 *     bridge.acquire(1);                       // NON_RT: parks; a HARD release wakes it through the wake service
 *     try { doWork(); } finally { bridge.release(1); }
 *     bridge.acquireAndRun(2, this::bookkeeping, executor);   // runs now, or on executor when granted
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * (The semaphore's own guarantees G1-G10 are in {@code docs/ARCHITECTURE.md}; the bridge's are numbered B1-B8 and
 * are restated in {@code docs/BRIDGE.md}. The tests in {@code rt-bridge/src/test} name the one they check.)
 *
 * <p>Caller obligations:
 * <ol>
 *   <li><b>BA1.</b> HARD threads call only the bridge methods documented as HARD-safe: {@link #tryAcquire(int)},
 *   {@link #release(int)}, {@link #acquireAsync(int)}, {@link Permit#close()}, the introspection methods, and
 *   {@link #acquireAndRun} when the permits are free. The others may block or allocate and are
 *   <em>mode-switch checked</em> ({@link ModeSwitchPolicy}).</li>
 *   <li><b>BA2.</b> Permits taken with {@link #acquire}/{@link #tryAcquire} are returned with {@link #release(int)},
 *   on the same thread if their hold time is to be measured; a {@link Permit} is returned only by its
 *   {@link Permit#close()}, never by {@code release}.</li>
 *   <li><b>BA3.</b> At most one bridge (one wake service) per semaphore at a time; {@link #close()} it when done.</li>
 *   <li><b>BA4.</b> Dependent stages attached to an {@link #acquireAsync} future without an executor run on the
 *   bridge's grant thread: keep them short, or use the {@code ...Async} variants. The work given to
 *   {@link #acquireAndRun} must not wait for permits of the same semaphore that only its own completion would
 *   free (it holds them).</li>
 * </ol>
 *
 * <p>Bridge guarantees:
 * <ol>
 *   <li><b>B1 (HARD release stays free of system calls).</b> A release from HARD (on the semaphore, through
 *   {@link #release(int)} or {@link Permit#close()}) never unparks: it leaves the semaphore's wake indication, and
 *   the bridge's wake service turns it into an unpark within about one poll interval plus the service's timer slack
 *   ({@link Options#wakePollInterval}, {@link Options#timerSlack}).</li>
 *   <li><b>B2 (idle costs nothing).</b> While no waiter is parked on the semaphore and no async request is queued,
 *   both bridge threads are parked without a timeout: zero CPU, no timer.</li>
 *   <li><b>B3 (no waiter lost).</b> If the wake service dies or the bridge is closed, parked waiters still wake by
 *   themselves within the semaphore's park fallback (G5).</li>
 *   <li><b>B4 (context priority, bounded bypass).</b> Released permits go to waiting HARD, then SOFT, then NON_RT
 *   waiters (G7), yet no waiter, NON_RT bridge callers and the grant thread included, is bypassed for longer than
 *   the semaphore's {@code maxBypass} (default 1 ms, {@link RtSemaphore.Builder#maxBypass}) plus its wake-up time
 *   (G8). That is the bridge's configurable bound.</li>
 *   <li><b>B5 (mode switches are seen).</b> A HARD thread calling a mode-switch checked method is refused
 *   ({@link ModeSwitchPolicy#THROW}, an {@link IllegalStateException} naming the thread and the call, nothing
 *   taken), counted ({@link ModeSwitchPolicy#RECORD}) or let through ({@link ModeSwitchPolicy#ALLOW}).</li>
 *   <li><b>B6 (async conservation).</b> A queued request is decided by one CAS, granted or cancelled: a grant that
 *   loses to a cancellation returns the permits; a future completed otherwise (cancel, timeout) makes the grant
 *   thread close the permit it could not deliver. A {@link Permit} releases exactly once. Work run by
 *   {@link #acquireAndRun} releases its permits when it ends, normally or by exception, and also when the executor
 *   rejects it.</li>
 *   <li><b>B7 (hold times).</b> Every hold ended through the bridge (release on the acquiring thread, Permit close,
 *   acquireAndRun work) is recorded under the context of the thread that ends it, without allocation:
 *   {@link #holdTimes(RtContext)}, {@link #holds(RtContext)}. One sample per hold: a hold released in parts is
 *   recorded once, when its last permit goes back (timed from its acquire); a partial release records nothing.
 *   Permits the grant thread obtained but could not deliver (the future was completed otherwise first, or the
 *   executor refused the work) were held by nobody: they go back without a hold record, counted in
 *   {@link #grantRacesLost()} or {@link #rejectedRuns()}.</li>
 *   <li><b>B8 (close).</b> {@link #close()} stops both threads, detaches the wake service (the semaphore falls back
 *   to G5), fails queued futures with a {@link java.util.concurrent.CancellationException}, drops queued work
 *   (counted in {@link #abandonedRuns()}) and never touches permits already granted: outstanding {@link Permit}s and
 *   {@link #release(int)} keep working.</li>
 * </ol>
 */
public final class SemaphoreBridge implements AutoCloseable
{
    /** Default poll interval of the wake service while waiters are parked (see docs/BRIDGE.md for the trade-off). */
    public static final long DEFAULT_WAKE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    /** Default timer slack the wake service sets on itself. */
    public static final long DEFAULT_TIMER_SLACK_NANOS = TimeUnit.MICROSECONDS.toNanos(1);

    private static final VarHandle CLOSED;

    static
    {
        try
        {
            CLOSED = MethodHandles.lookup().findVarHandle(SemaphoreBridge.class, "closed", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RtSemaphore semaphore;
    private final Options options;
    private final WakeService wakeService;
    private final AsyncGranter granter;
    private final HoldTimeRecorders holdTimes;
    private final ThreadLocal<HoldLedger> ledgers = ThreadLocal.withInitial(HoldLedger::new);
    private volatile int closed;

    private final AtomicLong modeSwitches = new AtomicLong();
    private volatile Thread lastModeSwitchThread;
    private volatile String lastModeSwitchCall;
    private final AtomicLong unmatchedReleases = new AtomicLong();
    private final AtomicLong untimedHolds = new AtomicLong();
    private final AtomicLong asyncGrants = new AtomicLong();
    private final AtomicLong grantRacesLost = new AtomicLong();
    private final AtomicLong failedRuns = new AtomicLong();
    private final AtomicLong rejectedRuns = new AtomicLong();
    private final AtomicLong abandonedRuns = new AtomicLong();
    /**
     * Written by the grant thread (executor rejection) and by executor threads (failed work), read by anyone. The
     * volatile store publishes the exception safely: a reader that sees the reference sees the exception fully built
     * (message, stack trace). Nothing else is ordered by it: concurrent failures overwrite each other (last store
     * wins), and the counter ({@link #failedRuns} or {@link #rejectedRuns}) is incremented before this store, so a
     * reader that sees a new count may still read the previous failure here for a moment.
     */
    private volatile Throwable lastRunFailure;

    private SemaphoreBridge(final RtSemaphore semaphore, final Options options)
    {
        this.semaphore = semaphore;
        this.options = options;
        final String name = options.name != null ? options.name : "rtsem-bridge-" + System.identityHashCode(semaphore);
        this.holdTimes = new HoldTimeRecorders(options.holdTimeHighestTrackableNanos);
        this.wakeService = options.wakeService ?
            new WakeService(semaphore, options.wakePollNanos, options.timerSlackNanos, name + "-wake") : null;
        this.granter = new AsyncGranter(this, semaphore, name + "-grant");
    }

    /**
     * Attaches a bridge with default {@link Options} to {@code semaphore}: starts its wake service (attached as the
     * semaphore's {@link io.rtsem.core.DeferredWaker}) and its grant thread.
     *
     * <p>NON_RT, set-up time: allocates the bridge and starts two daemon threads.
     *
     * @param semaphore the shared semaphore.
     * @return the bridge; close it when done.
     * @throws IllegalStateException if another wake service is attached to the semaphore (BA3).
     */
    public static SemaphoreBridge attach(final RtSemaphore semaphore)
    {
        return attach(semaphore, options());
    }

    /**
     * Attaches a bridge with the given options (copied; later changes to {@code options} have no effect): starts its
     * grant thread and, unless {@link Options#wakeService(boolean) disabled}, its wake service (attached as the
     * semaphore's {@link io.rtsem.core.DeferredWaker}).
     *
     * <p>NON_RT, set-up time: allocates the bridge, its hold-time histograms and the options' copy, and starts its
     * daemon threads (two, one without a wake service).
     *
     * @param semaphore the shared semaphore.
     * @param options   the options, see {@link #options()}.
     * @return the bridge; close it when done.
     * @throws IllegalStateException if another wake service is attached to the semaphore (BA3).
     */
    public static SemaphoreBridge attach(final RtSemaphore semaphore, final Options options)
    {
        Objects.requireNonNull(semaphore, "semaphore");
        Objects.requireNonNull(options, "options");
        final SemaphoreBridge bridge = new SemaphoreBridge(semaphore, options.copy());
        if (bridge.wakeService != null)
        {
            bridge.wakeService.start(); // throws if another waker is attached: nothing started yet
        }
        bridge.granter.start();
        return bridge;
    }

    /**
     * New options with every default: {@link ModeSwitchPolicy#THROW}, wake service on, polling every 20 µs
     * ({@link #DEFAULT_WAKE_POLL_NANOS}) with a timer slack of 1 µs ({@link #DEFAULT_TIMER_SLACK_NANOS}), hold times
     * tracked up to 10 minutes.
     *
     * @return options to adjust and pass to {@link #attach(RtSemaphore, Options)}. Any context; allocates.
     */
    public static Options options()
    {
        return new Options();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Synchronous operations
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Takes {@code permits} permits, waiting as the caller's context waits (NON_RT: parks, woken directly by NON_RT
     * and SOFT releasers and through the wake service for HARD releases).
     *
     * <p>NON_RT or SOFT. Mode-switch checked (HARD callers follow the policy). Allocates one wait node if it has to
     * park (rt-core), and this thread's hold ledger on its first bridge acquire.
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @throws InterruptedException if interrupted before or while waiting (nothing taken).
     * @throws IllegalStateException if the bridge is closed, or on a mode switch under {@link ModeSwitchPolicy#THROW}.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public void acquire(final int permits) throws InterruptedException
    {
        checkOpen("acquire(int)");
        checkModeSwitch("acquire(int)");
        semaphore.acquire(permits);
        openHold(permits);
    }

    /**
     * Takes {@code permits} permits if they are available now; all or none.
     *
     * <p>Any context, HARD included: one CAS on the semaphore and one {@code nanoTime}; no blocking, no system
     * call; allocates only this thread's hold ledger on its first bridge acquire (do one at set-up on a HARD thread).
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @return {@code true} if taken.
     * @throws IllegalStateException if the bridge is closed.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public boolean tryAcquire(final int permits)
    {
        checkOpen("tryAcquire(int)");
        if (semaphore.tryAcquire(permits))
        {
            openHold(permits);
            return true;
        }
        return false;
    }

    /**
     * Takes {@code permits} permits, waiting at most {@code timeout} as the caller's context waits. A timeout
     * {@code <= 0} is a single attempt, HARD-safe like {@link #tryAcquire(int)}.
     *
     * <p>NON_RT or SOFT. Mode-switch checked when {@code timeout > 0}. Allocates as {@link #acquire(int)}.
     *
     * @param permits permits to take, {@code 1..maxPermits}.
     * @param timeout the longest wait.
     * @param unit    the unit of {@code timeout}.
     * @return {@code true} if taken, {@code false} if the time ran out first.
     * @throws InterruptedException if interrupted before or while waiting.
     * @throws IllegalStateException if the bridge is closed, or on a mode switch under {@link ModeSwitchPolicy#THROW}.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public boolean tryAcquire(final int permits, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        checkOpen("tryAcquire(int, long, TimeUnit)");
        if (timeout > 0)
        {
            checkModeSwitch("tryAcquire(int, long, TimeUnit)");
        }
        if (semaphore.tryAcquire(permits, timeout, unit))
        {
            openHold(permits);
            return true;
        }
        return false;
    }

    /**
     * Returns {@code permits} permits to the semaphore and to this thread's oldest open holds: each hold whose last
     * permit this returns ends and records its hold time (one sample per hold, B7); a hold only partly returned stays
     * open and records nothing yet. Works after {@link #close()} too.
     *
     * <p>Any context, HARD included: one CAS on the semaphore, one {@code nanoTime}, histogram records. This thread's
     * first acquire or release through this bridge allocates its hold ledger (do one at set-up on a HARD thread).
     * After that: from HARD, no system call (B1) and no allocation; from NON_RT or SOFT with no parked waiter, none
     * either; from NON_RT or SOFT while waiters are parked, it unparks those the permits can serve (a system call)
     * and may allocate rt-core's queue iterator ({@link RtSemaphore#wakeParkedWaiters()} walks a
     * {@code ConcurrentLinkedQueue}).
     *
     * @param permits permits to return, {@code >= 1}.
     * @throws IllegalArgumentException if {@code permits <= 0}.
     * @throws IllegalStateException if the count would exceed the semaphore's {@code maxPermits} (nothing changes).
     */
    public void release(final int permits)
    {
        semaphore.release(permits);
        final HoldLedger ledger = ledgers.get();
        final int unmatched = ledger.close(permits, System.nanoTime(), RtContext.current(), holdTimes);
        if (unmatched != 0)
        {
            unmatchedReleases.getAndAdd(unmatched);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Asynchronous acquisition (iosem)
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Asks for {@code permits} permits without waiting: a future that completes with a {@link Permit} at once if
     * they are free, otherwise when the bridge's grant thread obtains them (waiting as a NON_RT waiter of the
     * semaphore, so with bounded bypass, B4).
     *
     * <p>Order: <b>not</b> arrival order. A call that finds its permits free is granted at once, ahead of any request
     * already queued. Queued requests (of this method and of a queued {@link #acquireAndRun}) are served one at a
     * time in queue order: the grant thread waits for the head request's permits, so a later request, even for fewer
     * permits that are free, waits behind it (head of line) until it is granted or cancelled. Against other users of
     * the semaphore the grant thread is one NON_RT waiter: no FIFO there either (ARCHITECTURE.md).
     *
     * <p>Cancelling the future (or completing it otherwise, e.g. {@code orTimeout}) cancels the request; if a grant
     * races the cancellation, exactly one wins and no permit is lost (B6). Close the permit to release.
     *
     * <p>Any context; <b>never blocks</b>. From HARD it allocates exactly: when the permits are free, one
     * {@link Permit} and one completed {@link CompletableFuture}; otherwise one request, its future and one queue
     * node, and, only if the grant thread is idle at that moment, it makes one non-blocking system call to unpark it
     * ({@code FUTEX_WAKE}, the price of handing off without polling). No mode-switch check.
     *
     * @param permits permits to ask for, {@code 1..maxPermits}.
     * @return the future permit.
     * @throws IllegalStateException if the bridge is closed.
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public CompletableFuture<Permit> acquireAsync(final int permits)
    {
        checkOpen("acquireAsync(int)");
        if (semaphore.tryAcquire(permits))
        {
            return CompletableFuture.completedFuture(new Permit(this, permits, System.nanoTime()));
        }
        final AsyncRequest request = AsyncRequest.forFuture(granter, permits);
        granter.submit(request);
        return request.future;
    }

    /**
     * Runs {@code work} with {@code permits} permits held, then releases them (also when it throws). If the permits
     * are free now, {@code work} runs at once on the calling thread and its exception, if any, propagates to the
     * caller; otherwise the request is queued and {@code work} runs on {@code executor} when the grant thread obtains
     * the permits (an exception then goes to the executor and is counted in {@link #failedRuns()}; a rejection by the
     * executor releases the permits and is counted in {@link #rejectedRuns()}). Each outcome is counted once and the
     * permits are released once: with a direct executor ({@code Runnable::run}) an exception of the work is a
     * failure, not a rejection, and work an executor refused never runs afterwards.
     *
     * <p>Any context when the permits are free: {@code work} runs on the calling thread, then one release and one
     * histogram record. From HARD that path makes no system call and allocates nothing besides what {@code work}
     * does; from NON_RT or SOFT its release, as {@link #release(int)}'s, may unpark parked waiters (a system call)
     * and allocate rt-core's queue iterator. When it must queue it allocates a request and a queue node and may
     * unpark the grant thread: <b>mode-switch checked</b> on that path (a HARD thread wanting a deferred hand-off
     * uses {@link #acquireAsync(int)}).
     *
     * @param permits  permits to hold while {@code work} runs, {@code 1..maxPermits}.
     * @param work     what to run.
     * @param executor where to run it if it cannot run at once.
     * @throws IllegalStateException if the bridge is closed, or on a mode switch under {@link ModeSwitchPolicy#THROW}
     *                               (nothing queued then).
     * @throws IllegalArgumentException if {@code permits} is out of range.
     */
    public void acquireAndRun(final int permits, final Runnable work, final Executor executor)
    {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(executor, "executor");
        checkOpen("acquireAndRun(int, Runnable, Executor)");
        if (semaphore.tryAcquire(permits))
        {
            final long start = System.nanoTime();
            boolean ok = false;
            try
            {
                work.run();
                ok = true;
            }
            finally
            {
                semaphore.release(permits);
                holdTimes.record(RtContext.current(), System.nanoTime() - start);
                if (!ok)
                {
                    failedRuns.getAndIncrement();
                }
            }
            return;
        }
        checkModeSwitch("acquireAndRun(int, Runnable, Executor) [queued]");
        granter.submit(AsyncRequest.forWork(granter, permits, work, executor));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lifecycle and introspection
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Stops the wake service and the grant thread and detaches from the semaphore (B8). Idempotent: a call that finds
     * the bridge already closed, or being closed by another thread, returns at once without waiting for it.
     *
     * <p>NON_RT. Blocks until both threads have stopped (normally microseconds; at most a few seconds). Called from a
     * dependent stage that the grant thread runs (BA4), it does not wait for that thread, which cannot end before the
     * stage returns: the grant thread then cancels what is still queued and ends by itself.
     */
    @Override
    public void close()
    {
        // A volatile CAS: exactly one caller runs the shutdown below, however many close concurrently. It is not a
        // barrier against calls in flight: checkOpen's volatile read of 'closed' refuses only the calls whose read
        // comes after this CAS in the synchronization order; a call that read 0 just before it goes on. That is safe
        // without more ordering: a racing acquireAsync/acquireAndRun request is cancelled by the granter's own Dekker
        // on its 'closed' (AsyncGranter.submit re-reads it after queuing); a racing acquire waits on the semaphore
        // like any waiter (NON_RT and SOFT releases unpark it, HARD ones reach it by the park fallback, B3); releases
        // work after close anyway (B8). isClosed() reads the same field: once it returns true this CAS has happened,
        // though the threads may still be stopping.
        if (!CLOSED.compareAndSet(this, 0, 1))
        {
            return;
        }
        granter.close();
        if (wakeService != null)
        {
            wakeService.close();
        }
    }

    /** @return {@code true} once {@link #close()} has run. Any context. */
    public boolean isClosed()
    {
        return closed != 0;
    }

    /** @return the semaphore this bridge serves. Any context. */
    public RtSemaphore semaphore()
    {
        return semaphore;
    }

    /** @return the policy for HARD callers of mode-switch checked methods. Any context. */
    public ModeSwitchPolicy modeSwitchPolicy()
    {
        return options.modeSwitchPolicy;
    }

    /**
     * Mode switches seen under {@link ModeSwitchPolicy#RECORD} (B5). Any context; one volatile read.
     *
     * @return the count since attach.
     */
    public long modeSwitches()
    {
        return modeSwitches.get();
    }

    /**
     * The last recorded mode switch, as {@code "thread 'NAME' (id N) called CALL"}, or {@code null} if none.
     * Thread and call are two fields: under concurrent mode switches they may come from different calls.
     *
     * <p>Any context; allocates the string.
     *
     * @return the description, or {@code null}.
     */
    public String lastModeSwitch()
    {
        final Thread thread = lastModeSwitchThread;
        return thread == null ? null :
            "thread '" + thread.getName() + "' (id " + thread.getId() + ") called " + lastModeSwitchCall;
    }

    /**
     * Every hold ended through the bridge under {@code context} (by the thread that ended it), in nanoseconds (B7).
     * Holds longer than {@link Options#holdTimeHighestTrackable} are recorded as that value.
     *
     * <p>NON_RT; allocates the copy.
     *
     * @param context the context.
     * @return a copy of the histogram.
     */
    public Histogram holdTimes(final RtContext context)
    {
        return holdTimes.snapshot(Objects.requireNonNull(context, "context"));
    }

    /**
     * Holds ended under {@code context}, exact: one per hold (a hold released in parts counts once, at its last
     * permit). Any context; one volatile read.
     *
     * @param context the context.
     * @return the count.
     */
    public long holds(final RtContext context)
    {
        return holdTimes.count(Objects.requireNonNull(context, "context"));
    }

    /**
     * @return permits released through {@link #release(int)} that no open hold of the releasing thread matched. Any
     *         context; one volatile read, no allocation.
     */
    public long unmatchedReleases()
    {
        return unmatchedReleases.get();
    }

    /**
     * @return holds not timed because the acquiring thread already had 64 open holds. Any context; one volatile read,
     *         no allocation.
     */
    public long untimedHolds()
    {
        return untimedHolds.get();
    }

    /** @return async requests queued and not yet granted, cancelled or dropped. Any context. */
    public int pendingRequests()
    {
        return granter.pending();
    }

    /** @return permits delivered to futures by the grant thread. Any context. */
    public long asyncGrants()
    {
        return asyncGrants.get();
    }

    /**
     * @return grants that lost to a cancellation, or whose future was completed otherwise (permits returned, not
     *         recorded as holds, B7). Any context.
     */
    public long grantRacesLost()
    {
        return grantRacesLost.get();
    }

    /**
     * @return acquireAndRun work that ended by exception (permits released), whether it ran at once on the caller or
     *         later on the executor. Any context; one volatile read, no allocation.
     */
    public long failedRuns()
    {
        return failedRuns.get();
    }

    /**
     * @return acquireAndRun work the executor rejected (permits released, not recorded as a hold; work not run). Any
     *         context; one volatile read, no allocation.
     */
    public long rejectedRuns()
    {
        return rejectedRuns.get();
    }

    /**
     * @return queued acquireAndRun work dropped by {@link #close()} before a grant. Any context; one volatile read, no
     *         allocation.
     */
    public long abandonedRuns()
    {
        return abandonedRuns.get();
    }

    /**
     * The last exception of queued acquireAndRun work (run on its executor) or of its executor (a rejection). Work
     * that ran at once on the calling thread throws to that caller and is counted in {@link #failedRuns()}, but not
     * kept here. The count is incremented before this is stored, so the two may disagree for a moment.
     *
     * <p>Any context; one volatile read, no allocation.
     *
     * @return the exception, or {@code null} if none.
     */
    public Throwable lastRunFailure()
    {
        return lastRunFailure;
    }

    /** @return {@code true} while the wake service thread runs. Any context. */
    public boolean wakeServiceAlive()
    {
        return wakeService != null && wakeService.isAlive();
    }

    /**
     * @return the wake service's thread (for CPU-time measurement), or {@code null} if disabled. Any context; no
     *         allocation (final fields).
     */
    public Thread wakeServiceThread()
    {
        return wakeService == null ? null : wakeService.thread();
    }

    /**
     * The grant thread (serves queued async requests). Interrupting it does not stop it: an interrupt no cancellation
     * asked for is cleared and ignored (a wait in progress is retried); only {@link #close()} stops it.
     *
     * @return the thread. Any context.
     */
    public Thread grantThread()
    {
        return granter.thread();
    }

    /**
     * @return wake indications the service has turned into {@code wakeParkedWaiters()} calls ({@code 0} without a wake
     *         service). Any context; one volatile read, no allocation.
     */
    public long wakeServiceWakes()
    {
        return wakeService == null ? 0L : wakeService.wakeCalls();
    }

    /**
     * @return polls the wake service made while waiters were parked (timed parks, or yields with a poll interval of
     *         0; {@code 0} without a wake service). Any context; one volatile read, no allocation.
     */
    public long wakeServicePolls()
    {
        return wakeService == null ? 0L : wakeService.polls();
    }

    /**
     * @return times the wake service went idle (parked with no timeout; {@code 0} without a wake service). Any
     *         context; one volatile read, no allocation.
     */
    public long wakeServiceIdleParks()
    {
        return wakeService == null ? 0L : wakeService.idleParks();
    }

    /**
     * @return the wake service's timer slack as the kernel reported it when the service started, or -1 if unknown, not
     *         started yet or without a wake service. Any context; one volatile read, no allocation.
     */
    public long wakeServiceTimerSlackNanos()
    {
        return wakeService == null ? -1L : wakeService.appliedTimerSlackNanos();
    }

    /**
     * @return the exception that ended the wake service, or {@code null} (none, or without a wake service). Any
     *         context; one volatile read, no allocation.
     */
    public Throwable wakeServiceFailure()
    {
        return wakeService == null ? null : wakeService.failure();
    }

    /**
     * Diagnostics: the semaphore, the mode-switch policy and count, pending requests, and whether closed.
     *
     * <p>NON_RT; allocates the string.
     *
     * @return the description.
     */
    @Override
    public String toString()
    {
        return "SemaphoreBridge[" + semaphore + ", policy=" + options.modeSwitchPolicy + ", modeSwitches=" +
            modeSwitches.get() + ", pending=" + granter.pending() + (isClosed() ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    private void checkOpen(final String call)
    {
        if (closed != 0)
        {
            throw new IllegalStateException(call + " on a closed bridge of " + semaphore);
        }
    }

    private void checkModeSwitch(final String call)
    {
        final ModeSwitchPolicy policy = options.modeSwitchPolicy;
        if (policy == ModeSwitchPolicy.ALLOW || RtContext.current() != RtContext.HARD)
        {
            return;
        }
        final Thread thread = Thread.currentThread();
        if (policy == ModeSwitchPolicy.THROW)
        {
            throw new IllegalStateException("mode switch: HARD thread '" + thread.getName() + "' (id " +
                thread.getId() + ") called SemaphoreBridge." + call + ", which may block or allocate; call it from " +
                "a NON_RT or SOFT thread, or use tryAcquire(int) / acquireAsync(int) from HARD (policy THROW)");
        }
        // RECORD: no allocation (a string constant and a thread reference), no system call.
        lastModeSwitchThread = thread;
        lastModeSwitchCall = call;
        modeSwitches.getAndIncrement();
    }

    private void openHold(final int permits)
    {
        if (!ledgers.get().open(permits, System.nanoTime()))
        {
            untimedHolds.getAndIncrement();
        }
    }

    /** Called by {@link Permit#close()} exactly once per permit. */
    void releasePermit(final Permit permit)
    {
        semaphore.release(permit.permits());
        holdTimes.record(RtContext.current(), System.nanoTime() - permit.grantedNanos());
    }

    /** Called by the grant thread after it won the request's state CAS. */
    void deliver(final AsyncRequest request)
    {
        final Permit permit = new Permit(this, request.permits, System.nanoTime());
        if (request.future != null)
        {
            asyncGrants.getAndIncrement(); // counted before completion, so a caller of get() sees it
            if (!request.future.completeGranted(permit))
            {
                asyncGrants.getAndDecrement();
                grantRacesLost.getAndIncrement();
                permit.discard(); // completed otherwise first (e.g. a timeout): held by nobody, so not a hold (B7)
            }
            return;
        }
        final GrantedRun run = new GrantedRun(request.work, permit);
        try
        {
            request.executor.execute(run);
        }
        catch (final Throwable ex)
        {
            // A direct executor (Runnable::run) lets the work's own exception out of execute(): if the work started,
            // it has counted itself as failed and released; only an executor that refused before it started rejected.
            if (run.reject())
            {
                rejectedRuns.getAndIncrement();
                lastRunFailure = ex;
                permit.discard(); // no work held them: not a hold (B7)
            }
        }
    }

    /**
     * acquireAndRun work handed to its executor with the permits held. One CAS decides between running it and
     * rejecting it, so work refused by the executor never runs later without its permits, and each outcome is
     * counted once: a failure of the work as failed, a refusal of the executor as rejected.
     */
    private final class GrantedRun extends AtomicBoolean implements Runnable
    {
        private final Runnable work;
        private final Permit permit;

        GrantedRun(final Runnable work, final Permit permit)
        {
            this.work = work;
            this.permit = permit;
        }

        @Override
        public void run()
        {
            if (!compareAndSet(false, true))
            {
                return; // rejected first: the permits are back already
            }
            try
            {
                work.run();
            }
            catch (final Throwable ex)
            {
                failedRuns.getAndIncrement();
                lastRunFailure = ex;
                throw ex;
            }
            finally
            {
                permit.close();
            }
        }

        /** @return {@code true} if the work had not started (it never will now). */
        boolean reject()
        {
            return compareAndSet(false, true);
        }
    }

    void countGrantRaceLost()
    {
        grantRacesLost.getAndIncrement();
    }

    void countAbandoned()
    {
        abandonedRuns.getAndIncrement();
    }

    /**
     * Options of a {@link SemaphoreBridge}, copied by {@link SemaphoreBridge#attach(RtSemaphore, Options)}. Not
     * thread-safe; set-up time only, NON_RT. The setters allocate nothing unless they throw; a value out of range is
     * refused when set, with an {@link IllegalArgumentException} naming the option, the value and the range.
     */
    public static final class Options
    {
        private ModeSwitchPolicy modeSwitchPolicy = ModeSwitchPolicy.THROW;
        private long wakePollNanos = DEFAULT_WAKE_POLL_NANOS;
        private long timerSlackNanos = DEFAULT_TIMER_SLACK_NANOS;
        private boolean wakeService = true;
        private long holdTimeHighestTrackableNanos = TimeUnit.MINUTES.toNanos(10);
        private String name;

        private Options()
        {
        }

        /**
         * What HARD callers of mode-switch checked methods get (default {@link ModeSwitchPolicy#THROW}).
         *
         * @param policy the policy.
         * @return these options.
         */
        public Options modeSwitchPolicy(final ModeSwitchPolicy policy)
        {
            this.modeSwitchPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How often the wake service checks the wake indication while waiters are parked (default 20 µs). 0 makes
         * it spin while waiters are parked, yielding the CPU each turn: it sees a HARD release's indication within
         * about a microsecond, but the woken waiter's own wake-up on the CPU it shares with the service dominates
         * (measured on a 2-vCPU VM, {@code BridgeWakeBenchmark} {@code bridge-0-1}, HARD releaser on CPU 1, waiter
         * and service on CPU 0: release to "waiter has it" p50 ~14 µs, p99 ~30 µs). It keeps a whole CPU busy, though
         * threads that need that CPU get it first: only with a CPU to spare. Smaller is faster to wake and costs more
         * CPU while waiters are parked; nothing while none are (B2).
         *
         * @param time {@code 0 .. 1 s}.
         * @param unit unit of {@code time}.
         * @return these options.
         * @throws IllegalArgumentException if out of range.
         */
        public Options wakePollInterval(final long time, final TimeUnit unit)
        {
            this.wakePollNanos = OptionChecks.nanos("wakePollInterval", time, unit, 0L, OptionChecks.MAX_POLL_NANOS);
            return this;
        }

        /**
         * The timer slack the wake service sets on its own thread with {@code prctl(PR_SET_TIMERSLACK)} (default
         * 1 µs; Linux's default is 50 µs, which would add up to 50 µs to every poll). 0 leaves the thread's slack as
         * inherited.
         *
         * @param time {@code 0 .. 1 s}.
         * @param unit unit of {@code time}.
         * @return these options.
         * @throws IllegalArgumentException if out of range.
         */
        public Options timerSlack(final long time, final TimeUnit unit)
        {
            this.timerSlackNanos = OptionChecks.nanos("timerSlack", time, unit, 0L, OptionChecks.MAX_POLL_NANOS);
            return this;
        }

        /**
         * Whether to run a wake service (default {@code true}). Without it HARD releases reach parked waiters only
         * through the semaphore's park fallback (G5): useful to measure what the service buys.
         *
         * @param enabled {@code false} to run without.
         * @return these options.
         */
        public Options wakeService(final boolean enabled)
        {
            this.wakeService = enabled;
            return this;
        }

        /**
         * The longest hold time the histograms resolve (default 10 minutes); longer holds are recorded as this.
         *
         * @param time {@code 1 µs .. 1 day}.
         * @param unit unit of {@code time}.
         * @return these options.
         * @throws IllegalArgumentException if out of range.
         */
        public Options holdTimeHighestTrackable(final long time, final TimeUnit unit)
        {
            this.holdTimeHighestTrackableNanos = OptionChecks.nanos("holdTimeHighestTrackable", time, unit, 1_000L,
                OptionChecks.MAX_HOLD_TIME_NANOS);
            return this;
        }

        /**
         * A name prefix for the bridge's threads (default {@code rtsem-bridge-<id>}).
         *
         * @param name the prefix.
         * @return these options.
         */
        public Options name(final String name)
        {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        Options copy()
        {
            final Options copy = new Options();
            copy.modeSwitchPolicy = modeSwitchPolicy;
            copy.wakePollNanos = wakePollNanos;
            copy.timerSlackNanos = timerSlackNanos;
            copy.wakeService = wakeService;
            copy.holdTimeHighestTrackableNanos = holdTimeHighestTrackableNanos;
            copy.name = name;
            return copy;
        }
    }
}
