package io.rtsem.bridge;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The life of rt-bridge's own threads (the wake service, the grant thread, a pool's bookkeeper): created as daemons,
 * stopped by their owner's close, which sets the thread's stop flag and then waits here for it to end.
 *
 * <p><b>Internal:</b> public only so that {@code io.rtsem.pool} can use it; not part of the API, may change.
 */
public final class DaemonThreads {
    /** How long {@link #awaitEnd(Thread)} waits before it gives up on a thread. */
    public static final long STOP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private DaemonThreads() {}

    /**
     * A daemon thread running {@code body}, not started.
     *
     * <p>NON_RT, set-up time; allocates the thread.
     *
     * @param body what the thread runs.
     * @param name its name.
     * @return the thread.
     */
    public static Thread create(Runnable body, String name) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Waits for {@code thread} to end, at most {@link #STOP_TIMEOUT_NANOS}: joins in steps of 100 ms and unparks the
     * thread after each, so a thread that parked after its owner's first unpark (it had not yet read the stop flag)
     * is woken again. An interrupt of the caller does not cut the wait short; it is restored before this returns.
     * The caller has set the thread's stop flag (a volatile store) and unparked it before calling this.
     *
     * <p>NON_RT; blocks up to 5 s. Must not be called on {@code thread} itself (it would wait for itself).
     *
     * @param thread the thread to wait for.
     * @return {@code true} if it ended, {@code false} if it was still alive after the timeout.
     */
    public static boolean awaitEnd(Thread thread) {
        boolean interrupted = false;
        final long deadline = System.nanoTime() + STOP_TIMEOUT_NANOS;
        while (thread.isAlive() && deadline - System.nanoTime() > 0) {
            try {
                thread.join(100);
            } catch (InterruptedException ex) {
                interrupted = true;
            }
            LockSupport.unpark(thread);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
