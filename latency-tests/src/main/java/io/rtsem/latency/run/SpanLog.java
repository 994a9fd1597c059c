package io.rtsem.latency.run;

/**
 * The first N time spans ({@code nanoTime} start and end) a scenario thread chose to keep: its holds that overran
 * their plan, or its waits that blocked long ({@link ScenarioWorker}), for the priority-inversion classifier
 * ({@link InversionEpisodes}) after the run.
 *
 * <p>{@link #put} is branch-free: every call writes the span into the next free slot (or a scratch slot once the log
 * is full) and advances only by {@code keep} (0 or 1), so the JIT meets no path for the first time when a thread first
 * keeps a span mid-run, and a thread that keeps nothing still pays the same two stores (identical for rtsem and the
 * peer). Spans kept after the log is full are counted as {@link #lost}.
 *
 * <p>Threading: single writer (the scenario thread that owns it); read by a harness thread only after the writer has
 * been joined (the join orders the writes before the reads). Allocation-free after construction.
 */
public final class SpanLog {
    private final long[] start;
    private final long[] end;
    private final int capacity;
    private long count;

    /**
     * Allocates the arrays ({@code capacity + 1} entries each: the last is scratch). NON_RT.
     *
     * @param capacity spans to keep, 0 or more
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public SpanLog(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be 0 or more, got " + capacity);
        }
        this.capacity = capacity;
        this.start = new long[capacity + 1];
        this.end = new long[capacity + 1];
    }

    /**
     * Writes a span and keeps it if {@code keep} is 1. Owner thread only (any context); allocation-free, no branch.
     *
     * @param from the span's start ({@code nanoTime})
     * @param to   its end
     * @param keep 1 to keep it, 0 to leave it in the next slot to be overwritten
     */
    public void put(long from, long to, int keep) {
        int i = (int) Math.min(count, capacity);
        start[i] = from;
        end[i] = to;
        count += keep;
    }

    /** @return the spans kept (at most the capacity). Read after the writer was joined. */
    public int size() {
        return (int) Math.min(count, capacity);
    }

    /** @return spans that were to be kept once the log was full. Read after the writer was joined. */
    public long lost() {
        return Math.max(0, count - capacity);
    }

    /**
     * @param i a kept span, {@code 0..size()-1}
     * @return its start ({@code nanoTime})
     */
    public long start(int i) {
        return start[i];
    }

    /**
     * @param i a kept span, {@code 0..size()-1}
     * @return its end ({@code nanoTime})
     */
    public long end(int i) {
        return end[i];
    }
}
