package io.rtsem.core;

/**
 * The execution context of a thread, which decides how it waits on an {@link RtSemaphore}.
 *
 * <ul>
 *   <li>{@link #HARD}: a pinned, busy-spinning thread. Waits by spinning only; never parks, yields, allocates or
 *   makes a system call on rtsem's paths, and still honours interruption and deadlines.</li>
 *   <li>{@link #SOFT}: a real-time thread allowed to back off: spins for a budget, then yields, then naps in bounded
 *   {@code parkNanos} steps; under a real-time policy it skips the yields (docs/ARCHITECTURE.md S4). An
 *   {@link RtThread} started SOFT runs at {@code SCHED_FIFO} by default (S1).</li>
 *   <li>{@link #NON_RT}: an ordinary thread. Spins briefly, then parks until woken; may be interrupted and time
 *   out.</li>
 * </ul>
 *
 * <p>A thread's context is the one its {@link RtThread} was started with; a thread created elsewhere (an executor's)
 * may declare its own with {@link #enter(RtContext)} and undo that with {@link Scope#close()}; every other thread is
 * {@code NON_RT}.
 */
public enum RtContext {
    /** Pinned, busy-spinning: no system call, no allocation, no park. */
    HARD,
    /** Real-time with bounded back-off: spin, then yield, then bounded naps. */
    SOFT,
    /** Ordinary thread: may park, be interrupted and time out. */
    NON_RT;

    private static final ThreadLocal<RtContext> DECLARED = new ThreadLocal<>();

    /** Set once a thread of this JVM runs as HARD; never cleared. Volatile: written once, read by pollers. */
    private static volatile boolean hardInUse;

    /**
     * Whether any thread of this JVM has run as HARD: an {@link RtThread} started in HARD, or a
     * {@link #enter(RtContext) HARD declaration}. Never goes back to {@code false}. For services that must poll on
     * behalf of HARD threads (which never make system calls) and need not poll at all without them, such as
     * rt-bridge's named wake service.
     *
     * <p>Any context; one volatile read, no allocation.
     *
     * @return {@code true} once a HARD thread has existed in this JVM.
     */
    public static boolean hardInUse() {
        return hardInUse;
    }

    /** Records that a HARD thread exists (RtThread's constructor, {@link #enter}). */
    static void markHardInUse() {
        if (!hardInUse) {
            hardInUse = true;
        }
    }

    /**
     * The calling thread's context: its {@link RtThread}'s, else the one it declared with {@link #enter}, else
     * {@code NON_RT}.
     *
     * <p>Any context. Allocates nothing after the thread's first call; no system call. Costs a type check, plus a
     * {@code ThreadLocal} lookup for threads that are not {@code RtThread}s.
     *
     * @return the calling thread's context, never {@code null}.
     */
    public static RtContext current() {
        final Thread thread = Thread.currentThread();
        if (thread instanceof RtThread) {
            return ((RtThread) thread).context();
        }
        final RtContext declared = DECLARED.get();
        return declared == null ? NON_RT : declared;
    }

    /**
     * Declares the calling thread's context until the returned scope is closed, for threads rtsem did not create
     * (an executor's worker, a test's thread). Scopes nest: closing one restores the context that was in force when
     * it was entered.
     *
     * <p>Call from the thread itself, at set-up: it allocates the scope, and declaring {@code HARD} also creates the
     * thread's priority-inheritance record (a declared HARD thread's holds are not recorded, ARCHITECTURE P1). Declaring SOFT or HARD arms hold recording in this JVM (P1). Declaring {@code HARD} does not pin the
     * thread: pin it yourself, or use {@link RtThread}.
     *
     * @param context the context to declare; not {@code null}.
     * @return a scope whose {@link Scope#close()} undoes the declaration; close it on the same thread.
     * @throws NullPointerException if {@code context} is null.
     * @throws IllegalStateException if the calling thread is an {@link RtThread}, whose context is fixed at start.
     */
    public static Scope enter(RtContext context) {
        if (context == null) {
            throw new NullPointerException("context must not be null (one of HARD, SOFT, NON_RT)");
        }
        final Thread thread = Thread.currentThread();
        if (thread instanceof RtThread) {
            throw new IllegalStateException("thread '" + thread.getName() + "' is an RtThread started as "
                    + ((RtThread) thread).context() + "; its context cannot be re-declared as " + context);
        }
        final RtContext previous = DECLARED.get();
        DECLARED.set(context);
        HolderRecord.declared(context); // a declared HARD thread's holds are not recorded (ARCHITECTURE P1)
        if (context != NON_RT) {
            Holders.arm(); // ARCHITECTURE P1
        }
        if (context == HARD) {
            markHardInUse();
        }
        return new DeclaredScope(thread, previous, context);
    }

    /**
     * An active declaration made by {@link #enter(RtContext)}. Closing it restores the previous context.
     */
    public interface Scope extends AutoCloseable {
        /**
         * Restores the context in force before the matching {@link #enter(RtContext)}. Idempotent. On the owner
         * thread only, in any context; no allocation, no system call.
         *
         * @throws IllegalStateException if called from another thread than the one that entered the scope.
         */
        @Override
        void close();
    }

    private static final class DeclaredScope implements Scope {
        private final Thread owner;
        private final RtContext previous;
        private final RtContext declared;
        private boolean closed;

        DeclaredScope(Thread owner, RtContext previous, RtContext declared) {
            this.owner = owner;
            this.previous = previous;
            this.declared = declared;
        }

        @Override
        public void close() {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("scope declaring " + declared + " was entered on thread '"
                        + owner.getName() + "' and cannot be closed on thread '"
                        + Thread.currentThread().getName() + "'");
            }
            if (!closed) {
                closed = true;
                if (previous == null) {
                    DECLARED.remove();
                } else {
                    DECLARED.set(previous);
                }
                HolderRecord.declared(previous == null ? NON_RT : previous);
            }
        }
    }
}
