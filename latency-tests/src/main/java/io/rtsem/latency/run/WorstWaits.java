package io.rtsem.latency.run;

import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.ArrayList;
import java.util.List;

/**
 * The N largest corrected waits of one thread, one per episode, with when they started and ended.
 *
 * <p>An episode: with coordinated-omission correction one stall makes many consecutive large
 * waits on a thread (at 10 kHz a 10 ms stall makes 100), each starting (its intended start)
 * before the previous one ended (its acquisition). Waits that overlap the current episode are
 * merged into it as they are offered: the episode keeps one slot, holding its largest wait (that
 * wait's own start and end), so the slots hold distinct episodes and a report can list ten of
 * them even after a long stall.
 *
 * <p>Threading: single writer (the scenario thread that owns it); read by a harness thread only
 * after the writer has been joined. {@link #offer} is allocation-free and costs two comparisons
 * when the value does not enter the top N; every one of its paths runs at class initialization,
 * so the JIT has seen them all before a scenario thread calls it (no path first taken mid-run).
 */
public final class WorstWaits {
    private final long[] waitNanos;
    private final long[] startNanoTime;
    private final long[] endNanoTime;
    private final long[] serviceNanos;
    private int minIndex;
    /** Latest acquisition of the current episode; an offered wait starting at or before it belongs to it. */
    private long episodeEnd = Long.MIN_VALUE;
    /** The slot of the current episode, or -1 while it is not among the kept ones. */
    private int episodeSlot = -1;

    static {
        prime();
    }

    /** @param capacity how many waits to keep. Allocates the arrays. */
    public WorstWaits(int capacity) {
        waitNanos = new long[capacity];
        startNanoTime = new long[capacity];
        endNanoTime = new long[capacity];
        serviceNanos = new long[capacity];
        java.util.Arrays.fill(waitNanos, -1);
    }

    /**
     * Offers one wait. Owner thread only (any context); allocation-free. Waits are offered in
     * the order of their intended starts.
     *
     * @param wait    corrected wait, nanoseconds
     * @param start   intended start ({@code nanoTime})
     * @param end     acquisition time ({@code nanoTime})
     * @param service raw service time of the same iteration, nanoseconds
     */
    public void offer(long wait, long start, long end, long service) {
        if (start <= episodeEnd) {
            episodeEnd = Math.max(episodeEnd, end);
            int slot = episodeSlot;
            if (slot >= 0) {
                if (wait > waitNanos[slot]) {
                    put(slot, wait, start, end, service); // the kept wait grows: the minimum may have moved
                }
                return;
            }
        } else {
            episodeEnd = end;
            episodeSlot = -1;
        }
        if (wait > waitNanos[minIndex]) {
            episodeSlot = minIndex;
            put(minIndex, wait, start, end, service);
        }
    }

    private void put(int slot, long wait, long start, long end, long service) {
        waitNanos[slot] = wait;
        startNanoTime[slot] = start;
        endNanoTime[slot] = end;
        serviceNanos[slot] = service;
        int m = 0;
        for (int i = 1; i < waitNanos.length; i++) {
            if (waitNanos[i] < waitNanos[m]) {
                m = i;
            }
        }
        minIndex = m;
    }

    /** Runs every path of {@link #offer} on a scratch table, so that its branch profile holds them all. */
    private static void prime() {
        for (int round = 0; round < 2_000; round++) {
            WorstWaits w = new WorstWaits(2);
            w.offer(50, 0, 50, 5); // new episode, kept
            w.offer(10, 40, 50, 5); // same episode, smaller: merged
            w.offer(60, 45, 105, 5); // same episode, larger: replaces
            w.offer(30, 200, 230, 5); // new episode, kept
            w.offer(5, 300, 305, 5); // new episode, not kept
            w.offer(40, 302, 342, 5); // same episode, not kept so far: enters
            w.offer(1, 400, 401, 5); // new episode, not kept
            w.offer(1, 400, 401, 5); // same episode, not kept, stays out
        }
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

    /**
     * Keeps the worst wait of each episode: with coordinated-omission correction one stall makes
     * many consecutive large waits on a thread; those whose intervals overlap are one episode. NON_RT (the harness,
     * after the phase); allocates the list.
     *
     * @param sortedWorstFirst candidate waits, largest first
     * @param limit            how many episodes to keep, 0 or more
     * @return at most {@code limit} waits, largest first, no two overlapping on the same thread
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws NullPointerException     if {@code sortedWorstFirst} is null
     */
    static List<WaitSample> episodes(List<WaitSample> sortedWorstFirst, int limit) {
        java.util.Objects.requireNonNull(sortedWorstFirst, "sortedWorstFirst");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
        }
        List<WaitSample> out = new ArrayList<>();
        if (limit == 0) {
            return out; // the loop below stops at the limit only after adding one
        }
        for (WaitSample w : sortedWorstFirst) {
            boolean same = false;
            for (WaitSample o : out) {
                if (o.thread().equals(w.thread())
                        && o.startEpochNanos() <= w.endEpochNanos()
                        && w.startEpochNanos() <= o.endEpochNanos()) {
                    same = true;
                    break;
                }
            }
            if (!same) {
                out.add(w);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }
}
