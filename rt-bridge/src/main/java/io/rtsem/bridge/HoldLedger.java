package io.rtsem.bridge;

import io.rtsem.core.RtContext;

/**
 * One thread's open holds taken through {@link SemaphoreBridge#acquire}/{@code tryAcquire}: when each was taken and
 * how many permits it still holds, oldest first. {@link SemaphoreBridge#release(int)} on the same thread closes the
 * oldest holds first and records their hold times.
 *
 * <p>Threading: confined to its thread (reached through a {@code ThreadLocal}); plain fields. Fixed capacity,
 * allocated once per thread and bridge: recording and closing holds never allocate.
 */
final class HoldLedger
{
    static final int CAPACITY = 64;

    private final long[] since = new long[CAPACITY];
    private final int[] permits = new int[CAPACITY];
    private long head; // next hold to close
    private long tail; // next free entry

    /** Opens a hold; {@code false} if the ledger is full (the hold is then not timed). */
    boolean open(final int count, final long nowNanos)
    {
        if (tail - head == CAPACITY)
        {
            return false;
        }
        final int i = (int)(tail & (CAPACITY - 1));
        since[i] = nowNanos;
        permits[i] = count;
        tail++;
        return true;
    }

    /**
     * Closes holds for {@code count} permits, oldest first, reporting each closed (or partly closed) hold.
     *
     * @return permits released that no open hold of this thread accounted for.
     */
    int close(final int count, final long nowNanos, final RtContext context, final HoldTimeRecorders sink)
    {
        int left = count;
        while (left > 0 && head != tail)
        {
            final int i = (int)(head & (CAPACITY - 1));
            final int take = Math.min(left, permits[i]);
            sink.record(context, nowNanos - since[i]);
            permits[i] -= take;
            left -= take;
            if (permits[i] == 0)
            {
                head++;
            }
        }
        return left;
    }

    int openHolds()
    {
        return (int)(tail - head);
    }
}
