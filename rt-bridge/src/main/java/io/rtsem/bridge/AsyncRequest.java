package io.rtsem.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * One queued {@link SemaphoreBridge#acquireAsync(int)} or {@link SemaphoreBridge#acquireAndRun} request.
 *
 * <p>Its {@code state} decides, by one CAS, who owns the outcome when a grant races a cancellation:
 * {@code PENDING -> GRANTED} (the grant thread, after it has taken the permits) or {@code PENDING -> CANCELLED}
 * (a canceller, or {@link SemaphoreBridge#close()}). Whoever loses has nothing to undo except the grant thread, which
 * then returns the permits it took. So a permit is never lost and never delivered twice (conservation, G2).
 */
final class AsyncRequest {
    static final int PENDING = 0;
    static final int GRANTED = 1;
    static final int CANCELLED = 2;

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(), "state", int.class);
    private static final VarHandle COUNTED = VarHandles.field(MethodHandles.lookup(), "counted", int.class);

    final int permits;
    /** Non-null for acquireAsync. */
    final RequestFuture future;
    /** Non-null for acquireAndRun. */
    final Runnable work;

    final Executor executor;
    private final AsyncGranter granter;
    private volatile int state;
    /** 1 while counted in the granter's pending count; cleared once, by whoever takes it out of the count. */
    private volatile int counted = 1;

    private AsyncRequest(AsyncGranter granter, int permits, Runnable work, Executor executor) {
        this.granter = granter;
        this.permits = permits;
        this.work = work;
        this.executor = executor;
        this.future = work == null ? new RequestFuture(this) : null;
    }

    static AsyncRequest forFuture(AsyncGranter granter, int permits) {
        return new AsyncRequest(granter, permits, null, null);
    }

    static AsyncRequest forWork(AsyncGranter granter, int permits, Runnable work, Executor executor) {
        return new AsyncRequest(granter, permits, work, executor);
    }

    int state() {
        return state;
    }

    /**
     * Takes the request out of the granter's pending count: {@code true} for exactly one caller (the grant thread
     * dequeuing it, its drain on close, or a submitter that found the bridge closed).
     */
    boolean leavePending() {
        return COUNTED.compareAndSet(this, 1, 0);
    }

    /** The grant thread claims the outcome; {@code false} if a cancellation won. */
    boolean markGranted() {
        return STATE.compareAndSet(this, PENDING, GRANTED);
    }

    /**
     * A canceller claims the outcome; if it wins while the grant thread is waiting for this request, the grant
     * thread is interrupted out of its wait. {@code false} if the grant won (or it was cancelled already).
     */
    boolean cancel() {
        // Volatile CAS BEFORE the granter reads whom it serves (Dekker with AsyncGranter's serving/state pair).
        if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
            granter.cancelled(this);
            return true;
        }
        return false;
    }
}
