package io.rtsem.bridge;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

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
 * The caller obligations BA1-BA4 and the bridge's guarantees B1-B8 are written out, numbered, in
 * {@code docs/BRIDGE.md} (the semaphore's own G1-G10 in {@code docs/ARCHITECTURE.md}); each method's javadoc names the
 * ones it relies on, and the tests in {@code rt-bridge/src/test} name the one they check. Which methods a HARD
 * thread may call is BA1; the others are <em>mode-switch checked</em> ({@link ModeSwitchPolicy}). Counters and
 * health are in {@link #stats()}.
 */
public final class SemaphoreBridge implements AutoCloseable {
    /** Default poll interval of the wake service while waiters are parked (see docs/BRIDGE.md for the trade-off). */
    public static final long DEFAULT_WAKE_POLL_NANOS = WakeService.DEFAULT_POLL_NANOS;
    /**
     * Default spin window of the wake service ({@code Options.wakeSpin}): 2 ms, where the service does not run under a
     * real-time policy (none there); then it polls every {@link #DEFAULT_WAKE_POLL_NANOS} (docs/BRIDGE.md, "The spin
     * window", has the trade-off and the figures).
     */
    public static final long DEFAULT_WAKE_SPIN_NANOS = WakeService.DEFAULT_SPIN_NANOS;
    /** Default timer slack the wake service sets on itself. */
    public static final long DEFAULT_TIMER_SLACK_NANOS = WakeService.DEFAULT_TIMER_SLACK_NANOS;
    /**
     * The {@code SCHED_FIFO} priority to ask for when the wake service must run real-time: {@value}, above SOFT
     * threads and below HARD ones ({@code wakeScheduling(RtScheduling.fifo(REAL_TIME_WAKE_PRIORITY))}; not the
     * default, docs/BRIDGE.md, "The wake service's scheduling", says why and when).
     */
    public static final int REAL_TIME_WAKE_PRIORITY = WakeService.REAL_TIME_PRIORITY;
    /**
     * Default scheduling request of the wake service: {@code SCHED_OTHER} ({@link Options#wakeScheduling}), which
     * needs no privilege.
     */
    public static final RtScheduling DEFAULT_WAKE_SCHEDULING = WakeService.DEFAULT_SCHEDULING;

    private static final VarHandle CLOSED = VarHandles.field(MethodHandles.lookup(), "closed", int.class);
    /** What a HARD caller refused by a mode-switch check is told to do instead. */
    private static final String HARD_ADVICE =
            ", which may block or allocate; call it from a NON_RT or SOFT thread, or use tryAcquire(int) /"
                    + " acquireAsync(int) from HARD";

    private final RtSemaphore semaphore;
    private final ModeSwitchCheck modeSwitch;
    private final WakeService wakeService;
    private final AsyncGranter granter;
    private final HoldTimeRecorders holdTimes;
    private final BridgeStats stats;
    private final ThreadLocal<HoldLedger> ledgers = ThreadLocal.withInitial(HoldLedger::new);
    private volatile int closed;

    private SemaphoreBridge(RtSemaphore semaphore, Options options) {
        this.semaphore = semaphore;
        final String name =
                options.name() != null ? options.name() : "rtsem-bridge-" + System.identityHashCode(semaphore);
        this.modeSwitch = new ModeSwitchCheck(options.modeSwitchPolicy(), "SemaphoreBridge");
        this.holdTimes = new HoldTimeRecorders(options.holdTimeHighestTrackableNanos);
        this.wakeService = options.wakeService ? WakeService.of(semaphore, options, name + "-wake") : null;
        this.granter = new AsyncGranter(this, semaphore, name + "-grant");
        this.stats = new BridgeStats(modeSwitch, holdTimes, wakeService, granter);
    }

    /**
     * Attaches a bridge with default {@link Options} to {@code semaphore}: starts its wake service (attached as the
     * semaphore's {@link io.rtsem.core.DeferredWaker}) and its grant thread.
     *
     * <p>NON_RT, set-up time: allocates the bridge and starts two daemon threads; waits until the wake service has
     * applied its scheduling (by default {@code SCHED_OTHER}; a refusal of a PREFER request is recorded in
     * {@code stats().wakeServiceScheduling()}, never thrown).
     *
     * @param semaphore the shared semaphore.
     * @return the bridge; close it when done.
     * @throws IllegalStateException if another wake service is attached to the semaphore (BA3).
     */
    public static SemaphoreBridge attach(RtSemaphore semaphore) {
        return attach(semaphore, options());
    }

    /**
     * Attaches a bridge with the given options (copied; later changes to {@code options} have no effect): starts its
     * grant thread and, unless {@link Options#wakeService(boolean) disabled}, its wake service (attached as the
     * semaphore's {@link io.rtsem.core.DeferredWaker}).
     *
     * <p>NON_RT, set-up time: allocates the bridge, its hold-time histograms and the options' copy, and starts its
     * daemon threads (two, one without a wake service); waits until the wake service has applied its
     * {@link Options#wakeScheduling(RtScheduling) scheduling}.
     *
     * @param semaphore the shared semaphore.
     * @param options   the options, see {@link #options()}.
     * @return the bridge; close it when done.
     * @throws IllegalStateException if another wake service is attached to the semaphore (BA3), or the kernel refused
     *                               a STRICT {@link Options#wakeScheduling(RtScheduling) wakeScheduling} (naming the
     *                               request, the system call, errno and the fix); nothing is started or left attached
     *                               then.
     */
    public static SemaphoreBridge attach(RtSemaphore semaphore, Options options) {
        Objects.requireNonNull(semaphore, "semaphore");
        Objects.requireNonNull(options, "options");
        final SemaphoreBridge bridge = new SemaphoreBridge(semaphore, options.copy());
        if (bridge.wakeService != null) {
            // Throws if another waker is attached (nothing started yet) or a STRICT scheduling was refused (the
            // service's thread has ended and the service detached): the grant thread is not started either way.
            bridge.wakeService.start();
        }
        bridge.granter.start();
        return bridge;
    }

    /**
     * New options with every default: {@link ModeSwitchPolicy#THROW}, wake service on, polling every 20 µs
     * ({@link #DEFAULT_WAKE_POLL_NANOS}) with a timer slack of 1 µs ({@link #DEFAULT_TIMER_SLACK_NANOS}) at
     * {@code SCHED_OTHER} ({@link #DEFAULT_WAKE_SCHEDULING}), hold times
     * tracked up to 10 minutes.
     *
     * @return options to adjust and pass to {@link #attach(RtSemaphore, Options)}. Any context; allocates.
     */
    public static Options options() {
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
    public void acquire(int permits) throws InterruptedException {
        checkOpen("acquire(int)");
        modeSwitch.check("acquire(int)", HARD_ADVICE);
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
    public boolean tryAcquire(int permits) {
        checkOpen("tryAcquire(int)");
        if (semaphore.tryAcquire(permits)) {
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
    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        checkOpen("tryAcquire(int, long, TimeUnit)");
        if (timeout > 0) {
            modeSwitch.check("tryAcquire(int, long, TimeUnit)", HARD_ADVICE);
        }
        if (semaphore.tryAcquire(permits, timeout, unit)) {
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
    public void release(int permits) {
        semaphore.release(permits);
        final HoldLedger ledger = ledgers.get();
        final int unmatched = ledger.close(permits, System.nanoTime(), RtContext.current(), holdTimes);
        if (unmatched != 0) {
            stats.unmatchedReleases.getAndAdd(unmatched);
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
    public CompletableFuture<Permit> acquireAsync(int permits) {
        checkOpen("acquireAsync(int)");
        if (semaphore.tryAcquire(permits)) {
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
     * the permits (an exception then goes to the executor and is counted in {@link BridgeStats#failedRuns()}; a
     * rejection by the executor releases the permits and is counted in {@link BridgeStats#rejectedRuns()}). Each
     * outcome is counted once and the permits are released once: with a direct executor ({@code Runnable::run}) an
     * exception of the work is a failure, not a rejection, and work an executor refused never runs afterwards.
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
    public void acquireAndRun(int permits, Runnable work, Executor executor) {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(executor, "executor");
        checkOpen("acquireAndRun(int, Runnable, Executor)");
        if (semaphore.tryAcquire(permits)) {
            final long start = System.nanoTime();
            boolean ok = false;
            try {
                work.run();
                ok = true;
            } finally {
                semaphore.release(permits);
                holdTimes.record(RtContext.current(), System.nanoTime() - start);
                if (!ok) {
                    stats.failedRuns.getAndIncrement();
                }
            }
            return;
        }
        modeSwitch.check("acquireAndRun(int, Runnable, Executor) [queued]", HARD_ADVICE);
        granter.submit(AsyncRequest.forWork(granter, permits, work, executor));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lifecycle and introspection
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Stops the wake service and the grant thread and detaches from the semaphore (B8). Idempotent: a call that finds
     * the bridge already closed, or being closed by another thread, returns at once without waiting for it.
     *
     * <p>NON_RT. Blocks until both threads have stopped (normally at once; at most 5 s each). Called from a
     * dependent stage that the grant thread runs (BA4), it does not wait for that thread, which cannot end before the
     * stage returns: the grant thread then cancels what is still queued and ends by itself.
     */
    @Override
    public void close() {
        // A volatile CAS: exactly one caller runs the shutdown below, however many close concurrently. It is not a
        // barrier against calls in flight: checkOpen's volatile read of 'closed' refuses only the calls whose read
        // comes after this CAS in the synchronization order; a call that read 0 just before it goes on. That is safe
        // without more ordering: a racing acquireAsync/acquireAndRun request is cancelled by the granter's own Dekker
        // on its 'closed' (AsyncGranter.submit re-reads it after queuing); a racing acquire waits on the semaphore
        // like any waiter (NON_RT and SOFT releases unpark it, HARD ones reach it by the park fallback, B3); releases
        // work after close anyway (B8). isClosed() reads the same field: once it returns true this CAS has happened,
        // though the threads may still be stopping.
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return;
        }
        granter.close();
        if (wakeService != null) {
            wakeService.close();
        }
    }

    /** @return {@code true} once {@link #close()} has run. Any context. */
    public boolean isClosed() {
        return closed != 0;
    }

    /** @return the semaphore this bridge serves. Any context. */
    public RtSemaphore semaphore() {
        return semaphore;
    }

    /** @return the policy for HARD callers of mode-switch checked methods. Any context. */
    public ModeSwitchPolicy modeSwitchPolicy() {
        return modeSwitch.policy();
    }

    /**
     * The bridge's counters and health: mode switches, hold times, async grants and acquireAndRun outcomes, the wake
     * service's activity. A live view (every getter reads the current value), the same object on every call.
     *
     * <p>Any context; no allocation (a final field).
     *
     * @return the statistics.
     */
    public BridgeStats stats() {
        return stats;
    }

    /**
     * @return the wake service's thread (for CPU-time measurement), or {@code null} if disabled. Any context; no
     *         allocation (final fields).
     */
    public Thread wakeServiceThread() {
        return wakeService == null ? null : wakeService.thread();
    }

    /**
     * The grant thread (serves queued async requests). Interrupting it does not stop it: an interrupt no cancellation
     * asked for is cleared and ignored (a wait in progress is retried); only {@link #close()} stops it.
     *
     * @return the thread. Any context.
     */
    public Thread grantThread() {
        return granter.thread();
    }

    /**
     * Diagnostics: the semaphore, the mode-switch policy and count, pending requests, and whether closed.
     *
     * <p>NON_RT; allocates the string.
     *
     * @return the description.
     */
    @Override
    public String toString() {
        return "SemaphoreBridge[" + semaphore + ", policy=" + modeSwitch.policy() + ", modeSwitches="
                + modeSwitch.count() + ", pending=" + granter.pending() + (isClosed() ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    private void checkOpen(String call) {
        if (closed != 0) {
            throw new IllegalStateException(call + " on a closed bridge of " + semaphore);
        }
    }

    private void openHold(int permits) {
        if (!ledgers.get().open(permits, System.nanoTime())) {
            stats.untimedHolds.getAndIncrement();
        }
    }

    /** Called by {@link Permit#close()} exactly once per permit. */
    void releasePermit(Permit permit) {
        semaphore.release(permit.permits());
        holdTimes.record(RtContext.current(), System.nanoTime() - permit.grantedNanos());
    }

    /** Called by the grant thread after it won the request's state CAS. */
    void deliver(AsyncRequest request) {
        final Permit permit = new Permit(this, request.permits, System.nanoTime());
        if (request.future != null) {
            stats.asyncGrants.getAndIncrement(); // counted before completion, so a caller of get() sees it
            if (!request.future.completeGranted(permit)) {
                stats.asyncGrants.getAndDecrement();
                stats.grantRacesLost.getAndIncrement();
                permit.discard(); // completed otherwise first (e.g. a timeout): held by nobody, so not a hold (B7)
            }
            return;
        }
        final GrantedRun run = new GrantedRun(request.work, permit, stats);
        try {
            request.executor.execute(run);
        } catch (Throwable ex) {
            // A direct executor (Runnable::run) lets the work's own exception out of execute(): if the work started,
            // it has counted itself as failed and released; only an executor that refused before it started rejected.
            if (run.reject()) {
                stats.rejectedRuns.getAndIncrement();
                stats.lastRunFailure = ex;
                permit.discard(); // no work held them: not a hold (B7)
            }
        }
    }

    /**
     * Options of a {@link SemaphoreBridge}, copied by {@link SemaphoreBridge#attach(RtSemaphore, Options)}: the shared
     * ones of {@link CommonOptions} (policy, default {@link ModeSwitchPolicy#THROW}; wake poll interval; timer slack;
     * name) and the bridge's own. Not thread-safe; set-up time only, NON_RT. The setters allocate nothing unless they
     * throw; a value out of range is refused when set, with an {@link IllegalArgumentException} naming the option, the
     * value and the range.
     */
    public static final class Options extends CommonOptions<Options> {
        private boolean wakeService = true;
        private long holdTimeHighestTrackableNanos = TimeUnit.MINUTES.toNanos(10);

        private Options() {
            super(ModeSwitchPolicy.THROW);
        }

        /**
         * Whether to run a wake service (default {@code true}). Without it HARD releases reach parked waiters only
         * through the semaphore's park fallback (G5): useful to measure what the service buys.
         *
         * @param enabled {@code false} to run without.
         * @return these options.
         */
        public Options wakeService(boolean enabled) {
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
        public Options holdTimeHighestTrackable(long time, TimeUnit unit) {
            this.holdTimeHighestTrackableNanos = OptionChecks.nanos(
                    "holdTimeHighestTrackable", time, unit, 1_000L, OptionChecks.MAX_HOLD_TIME_NANOS);
            return this;
        }

        Options copy() {
            final Options copy = new Options();
            copyCommonTo(copy);
            copy.wakeService = wakeService;
            copy.holdTimeHighestTrackableNanos = holdTimeHighestTrackableNanos;
            return copy;
        }
    }
}
