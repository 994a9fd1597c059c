package io.rtsem.bridge;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.DeferredWaker;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.RtThread;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The ordinary daemon thread that turns a semaphore's wake indications (left by HARD releases, which never unpark)
 * into unparks of parked NON_RT waiters. One per {@link SemaphoreBridge} (and per {@code io.rtsem.pool.ResourcePool}).
 *
 * <p><b>Internal:</b> public only so that {@code io.rtsem.pool} can use it (the pool's wake path is this service);
 * not part of the API, may change.
 *
 * <p><b>States.</b> <em>Idle</em> while the semaphore has no parked waiter: the thread is in {@code park()} with no
 * timeout, so it uses no CPU at all; but while the semaphore records holds for priority inheritance (a SOFT or HARD
 * thread exists, {@link RtSemaphore#priorityBoostActive()}) the idle park lasts 0.5 to 1 ms, because a HARD waiter's
 * boost request cannot wake the service (ARCHITECTURE P3), and every turn serves pending requests; a turn that finds
 * no request, no waiter's nudge and no close parks again, still idle, without reading the semaphore's word, which
 * the HARD fast path writes (B2a, {@link #idleBoostPolls}). <em>Spinning</em>
 * for the spin window ({@code spinNanos}) after it leaves the idle park with a waiter parked: it yields
 * ({@code sched_yield}) on every turn and reads the wake indication each time, so a HARD release inside the window is
 * served on the next turn; never under a real-time policy (S4: a window asked for is refused, see {@link #start()}; the
 * default one is dropped). <em>Polling</em> after
 * that while at least one waiter is parked: every {@code pollNanos} it reads the wake indication and, if set, calls
 * {@link RtSemaphore#wakeParkedWaiters()}. With {@code pollNanos == 0} it spins instead, yielding the CPU on every
 * turn ({@code sched_yield}): it sees a HARD release's indication on its next turn instead of after a timed park, and
 * a woken waiter sharing the service's CPU gets it at the service's next yield instead of queueing behind a spinner
 * for a scheduler slice. The woken waiter's own
 * wake-up on that shared CPU then dominates the latency (figures in {@code docs/BRIDGE.md}, "Benchmarks"). It still
 * shows as a whole CPU busy while waiters are parked (other runnable threads on that CPU are served first): only for
 * machines with a CPU to spare.
 *
 * <p><b>Idle to polling, without a lost wake-up</b> (a Dekker pair on two volatiles):
 * <ol>
 *   <li>the waiter registers in the state word ({@code parked += 1}, a volatile CAS) and then calls
 *   {@link #waiterParking}, which reads {@code idle} and, if it is set, stores {@code nudged = true} and unparks the
 *   service;</li>
 *   <li>the service stores {@code idle = true}, then {@code nudged = false}, and then re-reads {@code parkedWaiters()};
 *   only if it is still 0 does it park. Its bounded boost-request polls park again without re-reading the word
 *   unless {@code nudged} is set or a park ended early ({@link #idleBoostPolls}, B2a).</li>
 * </ol>
 * Volatile accesses are sequentially consistent, so at least one side sees the other's write: either the service
 * sees the waiter and keeps polling, or the waiter sees {@code idle} and unparks it (an unpark before the park makes
 * the park return at once). If this thread dies or is closed nothing is lost: parked waiters wake by themselves
 * after the semaphore's park fallback (ARCHITECTURE G5).
 *
 * <p><b>Scheduling</b> (docs/BRIDGE.md, "The wake service's scheduling"). Before it serves anything, the thread
 * applies its scheduling request to itself ({@link RtThread#applyToCurrentThread}): by default {@code SCHED_OTHER}
 * (measured better than a real-time priority on the project's VM, docs/BRIDGE.md); asked to run real-time, at
 * {@code SCHED_FIFO} {@value #REAL_TIME_PRIORITY}, above SOFT threads ({@value RtScheduling#SOFT_PRIORITY}) and below
 * HARD ones ({@value RtScheduling#HARD_PRIORITY}), so that it never preempts one. A refusal of a PREFER request is
 * recorded in {@link #appliedScheduling()}; of a STRICT one, makes {@link #start()} throw. {@link #start()} returns
 * only once the policy is applied (or refused).
 *
 * <p><b>Timer slack.</b> A {@code parkNanos(pollNanos)} sleeps at least the thread's timer slack longer (50 µs by
 * default on Linux). The service sets its own slack ({@code prctl(PR_SET_TIMERSLACK)}) when asked to. Linux applies
 * no timer slack to a thread under a real-time policy, so the setting matters where the service runs
 * {@code SCHED_OTHER}: the PREFER default's fallback, or a request for it.
 */
public final class WakeService implements DeferredWaker, Runnable {
    /** Default poll interval while waiters are parked ({@link SemaphoreBridge#DEFAULT_WAKE_POLL_NANOS} is this). */
    static final long DEFAULT_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    /**
     * Default spin window ({@link SemaphoreBridge#DEFAULT_WAKE_SPIN_NANOS} is this): 2 ms, applied only where the service
     * does not run under a real-time policy. A HARD release within 2 ms of a waiter parking is then seen on the service's
     * next turn instead of after a timed park (docs/BRIDGE.md, "The spin window", has the figures and the cost).
     */
    static final long DEFAULT_SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Default timer slack the service sets on itself ({@link SemaphoreBridge#DEFAULT_TIMER_SLACK_NANOS} is this). */
    static final long DEFAULT_TIMER_SLACK_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
    /**
     * The idle service's poll for HARD waiters' boost requests while holds are recorded (ARCHITECTURE P3): with no
     * parked waiter, a HARD waiter's holder is boosted within this long (within {@code pollNanos} otherwise).
     */
    static final long BOOST_REQUEST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The idle service's look, while the semaphore's boost is on but holds are not recorded yet (no SOFT or HARD
     * thread in the JVM), at whether they are now: ten wake-ups a second.
     */
    static final long ARMING_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The {@code SCHED_FIFO} priority for a service asked to run real-time
     * ({@link SemaphoreBridge#REAL_TIME_WAKE_PRIORITY} is this): between SOFT ({@value RtScheduling#SOFT_PRIORITY})
     * and HARD ({@value RtScheduling#HARD_PRIORITY}), below the kernel's threaded interrupt handlers (50).
     */
    static final int REAL_TIME_PRIORITY = 45;
    /**
     * Default scheduling request: {@code SCHED_OTHER}. Measured better than FIFO 45 with and without a SOFT thread's
     * work on the service's CPU (docs/BRIDGE.md, "The wake service's scheduling").
     */
    static final RtScheduling DEFAULT_SCHEDULING = RtScheduling.other();

    private final RtSemaphore semaphore;
    /** The spin window asked for, or the default: see {@link #spinAsked}. */
    private final long spinNanos;
    /**
     * Whether {@link #spinNanos} was asked for ({@code wakeSpin}) rather than the default: under a real-time policy the
     * service refuses an asked window ({@link #start()} throws) and drops the default one ({@link #windowNanos} 0).
     */
    private final boolean spinAsked;
    /**
     * The window the service applies: {@link #spinNanos}, or 0 for a default window on a service that runs real-time.
     * Written by the service thread before it counts {@link #scheduled} down, -1 until then; volatile for
     * {@link BridgeStats}.
     */
    private volatile long windowNanos = -1L;

    private final long pollNanos;
    private final long timerSlackNanos;
    private final RtScheduling scheduling;
    private final Thread thread;
    /** Counted down by the service thread once its scheduling is applied or refused; {@link #start()} awaits it. */
    private final CountDownLatch scheduled = new CountDownLatch(1);
    /**
     * Written by the service thread before it counts {@link #scheduled} down (the latch orders it for
     * {@link #start()}; volatile for later readers such as {@link BridgeStats}); {@code null} until then.
     */
    private volatile AppliedScheduling appliedScheduling;
    /** A STRICT request the kernel refused: written before {@link #scheduled} is counted down, thrown by start(). */
    private volatile RuntimeException schedulingFailure;
    /**
     * Set instead of serving when the service runs under a real-time policy it did not ask for (inherited) while it
     * is configured to yield (a poll interval of 0, or a spin window): written before {@link #scheduled} is counted
     * down, thrown by start().
     */
    private volatile String yieldsAtRealTime;

    /** Written by the service thread, read by waiters in {@link #waiterParking}: see the Dekker pair above. */
    private volatile boolean idle;
    /**
     * Set by a waiter in {@link #waiterParking} (after it read {@code idle == true}, before it unparks the service),
     * cleared by the service each time it goes idle, right after its store of {@code idle}: tells the idle service's
     * boost-request polls that a waiter came ({@link #idleBoostPolls}, B2a).
     */
    private volatile boolean nudged;

    /** xorshift64 state of the idle polls' periods ({@link #idlePollNanos}); service thread only. */
    private long pollRandom = 0x9E3779B97F4A7C15L;
    /**
     * Set once by {@link #close()}, which then unparks the thread; read by the service at the top of every turn and,
     * as part of the check before the idle park, after its store of {@code idle}. No Dekker pair is needed here, only
     * the order in close() (volatile store of {@code closed}, then unpark): if the service's pre-park read sees
     * {@code false}, the store comes later in the synchronization order and the unpark later still, so the park
     * either returns at once (an unpark before a park leaves a permit) or is ended by it. Polling turns re-read it
     * within one poll interval. close()'s check-then-set is not atomic: two racing close() calls may both go on,
     * which is harmless (every step of close() is idempotent).
     */
    private volatile boolean closed;
    /** Cleared last by the service thread (finally), after any store of {@link #failure}: see {@link #isAlive()}. */
    private volatile boolean alive = true;
    /** Stored before {@link #alive} is cleared: a reader that sees the service dead sees why. */
    private volatile Throwable failure;
    /** Written once by the service thread when it starts; -1 until then. */
    private volatile long appliedSlackNanos = -1L;

    // Statistics: single writer (the service thread), so a plain increment of a volatile is exact.
    private volatile long wakeCalls;
    private volatile long polls;
    /** The polls that were yields (inside the spin window, or with a poll interval of 0); service thread only. */
    private volatile long spinTurns;
    /** Times the service served HARD waiters' boost requests (P3); written by the service thread only. */
    private volatile long boostServes;

    private volatile long idleParks;
    /**
     * The idle service's boost-request polls that ran their full time with nothing to do and parked again without
     * reading the semaphore's word (B2a); written by the service thread only.
     */
    private volatile long idlePolls;

    /**
     * A wake service for {@code semaphore}, not started.
     *
     * <p>NON_RT, set-up time; allocates the service and its (daemon) thread.
     *
     * @param semaphore       the semaphore whose HARD releases it serves.
     * @param spinNanos       spin window when a waiter parks on the idle service, before polling; {@code 0}: none.
     * @param spinAsked       whether {@code spinNanos} was asked for rather than the default (a default window is
     *                        dropped, an asked one refused, under a real-time policy).
     * @param pollNanos       poll interval while waiters are parked, {@code 0}: spin, yielding each turn.
     * @param timerSlackNanos timer slack the thread sets on itself, {@code 0}: inherited.
     * @param scheduling      the scheduling the thread applies to itself when it starts (a
     *                        {@link RtScheduling#contextDefault() context default} means NON_RT's: unchanged).
     * @param name            the thread's name.
     */
    public WakeService(
            RtSemaphore semaphore,
            long spinNanos,
            boolean spinAsked,
            long pollNanos,
            long timerSlackNanos,
            RtScheduling scheduling,
            String name) {
        this.semaphore = semaphore;
        this.spinNanos = spinNanos;
        this.spinAsked = spinAsked;
        this.pollNanos = pollNanos;
        this.timerSlackNanos = timerSlackNanos;
        this.scheduling = scheduling;
        this.thread = DaemonThreads.create(this, name);
    }

    /**
     * A wake service for {@code semaphore} with the wake options of {@code options} (spin window, poll interval,
     * timer slack, scheduling), not started. What the bridge and the pool build theirs with.
     *
     * <p>NON_RT, set-up time; allocates the service and its (daemon) thread.
     *
     * @param semaphore the semaphore whose HARD releases it serves.
     * @param options   the bridge's or pool's options.
     * @param name      the thread's name.
     * @return the service.
     */
    public static WakeService of(RtSemaphore semaphore, CommonOptions<?> options, String name) {
        return new WakeService(
                semaphore,
                options.wakeSpinNanos(),
                options.wakeSpinAsked(),
                options.wakePollNanos(),
                options.timerSlackNanos(),
                options.wakeScheduling(),
                name);
    }

    /**
     * Attaches to the semaphore (as its {@link DeferredWaker}), starts the thread and waits until it has applied its
     * scheduling. If a STRICT scheduling request was refused, the thread ends without serving, the service detaches
     * and this throws. NON_RT, set-up time; blocks for the thread's start (microseconds to milliseconds), and an
     * interrupt does not cut that short (it is restored before this returns or throws).
     *
     * @throws IllegalStateException if another deferred waker is attached to the semaphore (nothing started then),
     *                               the kernel refused a STRICT scheduling request (naming the request, the system
     *                               call, errno and the fix; nothing is left attached or running then), or the
     *                               service runs under a real-time policy it inherited while configured to yield (a
     *                               poll interval of 0 or a spin window: naming the policy and the fix; nothing is
     *                               left attached or running then).
     */
    public void start() {
        semaphore.setDeferredWaker(this);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                scheduled.await();
                break;
            } catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        // await() above happens-after the service's countDown(), which follows its write of schedulingFailure.
        final String yields = yieldsAtRealTime;
        if (yields != null) {
            if (semaphore.deferredWaker() == this) {
                semaphore.setDeferredWaker(null);
            }
            DaemonThreads.awaitEnd(thread);
            throw new IllegalStateException(yields);
        }
        final RuntimeException refused = schedulingFailure;
        if (refused != null) {
            if (semaphore.deferredWaker() == this) {
                semaphore.setDeferredWaker(null);
            }
            DaemonThreads.awaitEnd(thread);
            throw new IllegalStateException(
                    "the wake service '" + thread.getName() + "' could not be given its scheduling (option"
                            + " wakeScheduling " + scheduling + "): " + refused.getMessage()
                            + " A PREFER request, wakeScheduling(RtScheduling.fifo(" + REAL_TIME_PRIORITY
                            + ").preferred()), runs the service at the policy it has and records why"
                            + " (stats().wakeServiceScheduling()); the default, SCHED_OTHER, needs no privilege.",
                    refused);
        }
    }

    /**
     * Called by a NON_RT waiter right after it registered in the state word: unparks the service if it is idle.
     * The waiter pays that one system call, never a HARD thread.
     */
    @Override
    public void waiterParking(RtSemaphore sem) {
        // Volatile read AFTER the waiter's registering CAS (see the class comment).
        if (idle) {
            // Volatile store BEFORE the unpark: an idle service that wakes reads it and looks at the word (B2a).
            nudged = true;
            LockSupport.unpark(thread);
        }
    }

    /** @return the xorshift64 successor of {@code x} (never 0 for {@code x != 0}). Any thread; allocates nothing. */
    static long nextRandom(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        return x ^ (x << 17);
    }

    /**
     * @param random a pseudo-random value ({@link #nextRandom})
     * @return the length of one idle boost-request poll: between half of {@link #BOOST_REQUEST_POLL_NANOS} and all of
     *         it (excluded), spread evenly, so the polls do not lock to the phase of the application's own periodic
     *         traffic (B2a). Any thread; allocates nothing.
     */
    static long idlePollNanos(long random) {
        final long half = BOOST_REQUEST_POLL_NANOS / 2;
        return half + Long.remainderUnsigned(random, half);
    }

    /**
     * The idle service's polls for HARD waiters' boost requests (P3) while holds are recorded (B2a). Each poll parks
     * for 0.5 to 1 ms ({@link #idlePollNanos}: with a fixed 1 ms period a 10 kHz HARD loop's p90 in {@code default}
     * stayed above the peer's; spread, it did not). Returns to the main loop only when a waiter nudged the service,
     * {@code close} was called, a boost request is pending, holds stopped being recorded, or a park ended early (an
     * unpark, or spurious: the main loop then looks at everything). So a poll with none of these parks again without
     * reading the semaphore's word or its wake indication: a HARD thread's next CAS on that word would otherwise have
     * to take its cache line back from this CPU, about one HARD acquire in ten at 10 kHz.
     *
     * <p>Safe without reading the word because {@code idle} stays set throughout: a waiter that registers meanwhile
     * reads it, stores {@code nudged} and unparks us, in that order ({@link #waiterParking}); its unpark either ends
     * the current park early or leaves a permit that ends the next one at once, and the volatile read of
     * {@code nudged} after that park sees its store (the unpark follows the store in the waiter's program order, and
     * HotSpot's park and unpark synchronise on the thread's parker, as the Dekker pair above already assumes). Service
     * thread only; allocates nothing.
     */
    private void idleBoostPolls() {
        while (true) {
            pollRandom = nextRandom(pollRandom);
            final long period = idlePollNanos(pollRandom);
            final long deadline = System.nanoTime() + period;
            LockSupport.parkNanos(this, period);
            if (nudged
                    || closed
                    || System.nanoTime() - deadline < 0
                    || semaphore.boostRequestPending()
                    || !semaphore.priorityBoostActive()) {
                return;
            }
            idlePolls++;
        }
    }

    /** The service thread's loop (idle, polling, closed: see the class comment). Run by the service thread only. */
    @Override
    public void run() {
        try {
            appliedScheduling = RtThread.applyToCurrentThread(RtContext.NON_RT, scheduling);
        } catch (RuntimeException | Error ex) {
            // A STRICT refusal (or a broken JNA): start() detaches and throws. Counted down whatever happened, so
            // start() never waits for ever.
            schedulingFailure = ex instanceof RuntimeException
                    ? (RuntimeException) ex
                    : new IllegalStateException(ex.toString(), ex);
            alive = false;
            scheduled.countDown();
            return;
        }
        // Never yield under a real-time policy: sched_yield there gives way only to equal priorities (S4), so the
        // service would keep the waiters it wakes off its CPU. The options refuse an explicit real-time request with
        // a poll of 0 or an asked window; a policy inherited from the attaching thread is refused here, by start(),
        // and the default window is dropped below.
        if (appliedScheduling.realTime() && (pollNanos == 0 || (spinAsked && spinNanos > 0))) {
            yieldsAtRealTime = "the wake service '" + Thread.currentThread().getName() + "' runs " + appliedScheduling
                    + ", a real-time policy it inherited from the thread that attached it, and is configured to"
                    + " yield (" + (pollNanos == 0 ? "wakePollInterval 0" : "wakeSpin " + spinNanos + " ns") + "): at"
                    + " a real-time priority sched_yield gives way to no lower thread, so it would keep the waiters it"
                    + " wakes off its CPU. Attach from a SCHED_OTHER thread, or ask for"
                    + " wakeScheduling(RtScheduling.other()), or use a poll interval above 0 and no spin window.";
            alive = false;
            scheduled.countDown();
            return;
        }
        // A default window is dropped under a real-time policy (an asked one was refused above): S4.
        final long window = appliedScheduling.realTime() ? 0L : spinNanos;
        windowNanos = window; // before the countDown below: start() and stats read it after
        try {
            if (timerSlackNanos > 0) {
                TimerSlack.set(timerSlackNanos);
            }
            appliedSlackNanos = TimerSlack.get();
        } finally {
            scheduled.countDown(); // whatever happened: start() never waits for ever
        }
        long spinUntil = System.nanoTime() + window; // the window's end: opened again on every idle-to-polling step
        try {
            while (!closed) {
                if (semaphore.hasPendingWake()) {
                    wakeCalls++; // counted before the unpark, so a woken waiter's thread sees it
                    semaphore.wakeParkedWaiters();
                }
                if (semaphore.boostRequestPending()) {
                    boostServes++;
                    semaphore.serveBoostRequests(); // a HARD waiter's priority boost (ARCHITECTURE P3)
                }
                if (semaphore.parkedWaiters() == 0) {
                    idle = true;
                    // Volatile store of nudged after that of idle: a waiter that reads idle == true from now on
                    // nudges us after this store, so it cannot be erased (B2a, with waiterParking).
                    nudged = false;
                    // Volatile store of idle BEFORE this volatile re-read of the word (Dekker with waiterParking).
                    if (semaphore.parkedWaiters() == 0
                            && !semaphore.hasPendingWake()
                            && !semaphore.boostRequestPending()
                            && !closed) {
                        idleParks++;
                        if (semaphore.priorityBoostActive()) {
                            // A HARD waiter's boost request (P3) cannot unpark us (HARD makes no system call): while
                            // holds are recorded, the idle park is bounded so a request waits at most this long.
                            idleBoostPolls();
                        } else if (semaphore.priorityBoost()) {
                            // Not recording yet: nothing arms us when the first SOFT/HARD thread starts, so look
                            // again now and then (a first HARD request then waits up to this long, once).
                            LockSupport.parkNanos(this, ARMING_CHECK_NANOS);
                        } else {
                            LockSupport.park(this);
                        }
                    }
                    idle = false;
                    spinUntil = System.nanoTime() + window;
                } else if (pollNanos > 0 && (window == 0 || System.nanoTime() - spinUntil >= 0)) {
                    polls++;
                    LockSupport.parkNanos(this, pollNanos);
                } else {
                    polls++;
                    spinTurns++;
                    Thread.yield(); // not onSpinWait: a woken waiter on this CPU must get it (see the class comment)
                }
            }
        } catch (Throwable ex) {
            failure = ex; // waiters are still woken by the park fallback (G5)
        } finally {
            alive = false;
        }
    }

    /**
     * Detaches from the semaphore, stops the thread and performs one last wake so that no indication is left
     * unserved. NON_RT; blocks until the thread has ended, at most 5 s ({@link DaemonThreads#awaitEnd}). Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        if (semaphore.deferredWaker() == this) {
            semaphore.setDeferredWaker(null);
        }
        DaemonThreads.awaitEnd(thread);
        if (semaphore.hasPendingWake()) {
            semaphore.wakeParkedWaiters();
        }
    }

    Thread thread() {
        return thread;
    }

    boolean isAlive() {
        return alive && thread.isAlive();
    }

    boolean isIdle() {
        return idle;
    }

    Throwable failure() {
        return failure;
    }

    long wakeCalls() {
        return wakeCalls;
    }

    long polls() {
        return polls;
    }

    long spinTurns() {
        return spinTurns;
    }

    /** @return the spin window the service applies (see {@link #windowNanos}); -1 before it started. */
    long windowNanos() {
        return windowNanos;
    }

    long boostServes() {
        return boostServes;
    }

    long idleParks() {
        return idleParks;
    }

    long idlePolls() {
        return idlePolls;
    }

    long pollNanos() {
        return pollNanos;
    }

    long appliedTimerSlackNanos() {
        return appliedSlackNanos;
    }

    /**
     * What the service's scheduling request became, as the kernel reported it when the thread started. Any context;
     * one volatile read, no allocation.
     *
     * @return the outcome; {@code null} before {@link #start()}, or after a STRICT refusal.
     */
    public AppliedScheduling appliedScheduling() {
        return appliedScheduling;
    }
}
