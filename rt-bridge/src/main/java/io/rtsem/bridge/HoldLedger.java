package io.rtsem.bridge;

import io.rtsem.core.RtContext;

/**
 * One thread's open holds taken through {@link SemaphoreBridge#acquire}/{@code tryAcquire}: when each was taken and
 * how many permits it still holds, oldest first. {@link SemaphoreBridge#release(int)} on the same thread returns
 * permits to the oldest holds first. A hold is one sample (B7): recorded once, when its last permit is released,
 * timed from its acquire to that release. A release that returns only part of a hold's permits records nothing; the
 * hold stays open with the permits it still has.
 *
 * <p>Threading: confined to its thread (reached through a {@code ThreadLocal}); plain fields. Fixed capacity,
 * allocated once per thread and bridge: recording and closing holds never allocate.
 */
final class HoldLedger {
    static final int CAPACITY = 64;

    private final long[] since = new long[CAPACITY];
    private final int[] permits = new int[CAPACITY];
    private long head; // next hold to close
    private long tail; // next free entry

    /** Opens a hold; {@code false} if the ledger is full (the hold is then not timed). */
    boolean open(int count, long nowNanos) {
        if (tail - head == CAPACITY) {
            return false;
        }
        final int i = (int) (tail & (CAPACITY - 1));
        since[i] = nowNanos;
        permits[i] = count;
        tail++;
        return true;
    }

    /**
     * Returns {@code count} permits to the open holds, oldest first, and records one sample for each hold whose last
     * permit this returns (a hold only partly returned records nothing yet).
     *
     * @return permits released that no open hold of this thread accounted for.
     */
    int close(int count, long nowNanos, RtContext context, HoldTimeRecorders sink) {
        int left = count;
        while (left > 0 && head != tail) {
            final int i = (int) (head & (CAPACITY - 1));
            final int take = Math.min(left, permits[i]);
            permits[i] -= take;
            left -= take;
            if (permits[i] == 0) {
                sink.record(context, nowNanos - since[i]); // the hold ends with its last permit: its one sample
                head++;
            }
        }
        return left;
    }

    int openHolds() {
        return (int) (tail - head);
    }
}
