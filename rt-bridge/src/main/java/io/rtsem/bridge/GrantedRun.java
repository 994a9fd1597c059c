package io.rtsem.bridge;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * acquireAndRun work handed to its executor with the permits held. One CAS decides between running it and
 * rejecting it, so work refused by the executor never runs later without its permits, and each outcome is
 * counted once: a failure of the work as failed, a refusal of the executor as rejected (B6).
 *
 * <p>Threading: {@link #run()} on the executor's thread, {@link #reject()} on the grant thread; either may win.
 */
final class GrantedRun extends AtomicBoolean implements Runnable {
    private final Runnable work;
    private final Permit permit;
    private final BridgeStats stats;

    GrantedRun(Runnable work, Permit permit, BridgeStats stats) {
        this.work = work;
        this.permit = permit;
        this.stats = stats;
    }

    @Override
    public void run() {
        if (!compareAndSet(false, true)) {
            return; // rejected first: the permits are back already
        }
        try {
            work.run();
        } catch (Throwable ex) {
            stats.failedRuns.getAndIncrement();
            stats.lastRunFailure = ex;
            throw ex;
        } finally {
            permit.close();
        }
    }

    /** @return {@code true} if the work had not started (it never will now). */
    boolean reject() {
        return compareAndSet(false, true);
    }
}
