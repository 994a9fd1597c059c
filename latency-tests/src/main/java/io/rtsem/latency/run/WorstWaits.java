package io.rtsem.latency.run;

/**
 * The N largest corrected waits of one thread, with when they started and ended.
 *
 * <p>Threading: single writer (the scenario thread that owns it); read by a harness thread only
 * after the writer has been joined. {@link #offer} is allocation-free and costs one comparison
 * when the value does not enter the top N.
 */
public final class WorstWaits {
    private final long[] waitNanos;
    private final long[] startNanoTime;
    private final long[] endNanoTime;
    private final long[] serviceNanos;
    private int minIndex;

    /** @param capacity how many waits to keep. Allocates the arrays. */
    public WorstWaits(int capacity) {
        waitNanos = new long[capacity];
        startNanoTime = new long[capacity];
        endNanoTime = new long[capacity];
        serviceNanos = new long[capacity];
        java.util.Arrays.fill(waitNanos, -1);
    }

    /**
     * Offers one wait. Owner thread only (any context); allocation-free.
     *
     * @param wait    corrected wait, nanoseconds
     * @param start   intended start ({@code nanoTime})
     * @param end     acquisition time ({@code nanoTime})
     * @param service raw service time of the same iteration, nanoseconds
     */
    public void offer(long wait, long start, long end, long service) {
        if (wait <= waitNanos[minIndex]) {
            return;
        }
        waitNanos[minIndex] = wait;
        startNanoTime[minIndex] = start;
        endNanoTime[minIndex] = end;
        serviceNanos[minIndex] = service;
        int m = 0;
        for (int i = 1; i < waitNanos.length; i++) {
            if (waitNanos[i] < waitNanos[m]) {
                m = i;
            }
        }
        minIndex = m;
    }

    /** @return capacity. */
    public int capacity() {
        return waitNanos.length;
    }

    /**
     * @param i index, {@code 0..capacity-1}
     * @return the i-th kept wait (unordered), or -1 where empty
     */
    public long waitNanos(int i) {
        return waitNanos[i];
    }

    /**
     * @param i index, {@code 0..capacity-1}
     * @return the intended start of the i-th kept wait ({@code nanoTime})
     */
    public long startNanoTime(int i) {
        return startNanoTime[i];
    }

    /**
     * @param i index, {@code 0..capacity-1}
     * @return the acquisition time of the i-th kept wait ({@code nanoTime})
     */
    public long endNanoTime(int i) {
        return endNanoTime[i];
    }

    /**
     * @param i index, {@code 0..capacity-1}
     * @return the raw service time of the i-th kept wait
     */
    public long serviceNanos(int i) {
        return serviceNanos[i];
    }
}
