package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One HdrHistogram {@link Recorder} per (context, {@link Metric}) for one phase of a run, and the
 * histograms accumulated from them.
 *
 * <p>Threading: {@link #record} may be called concurrently by any number of scenario threads
 * (HARD, SOFT, NON_RT): it is wait-free and allocation-free (an atomic increment inside the
 * recorder's writer critical section). {@link #sample} and the accessors are called by one
 * harness thread at a time (NON_RT); they allocate.
 */
public final class PhaseRecorders {
    /** Largest recordable value (60 s); larger values are clamped to it. */
    public static final long HIGHEST_NANOS = 60_000_000_000L;
    /** Significant digits of every histogram. */
    public static final int DIGITS = 3;

    private static final int METRICS = Metric.values().length;

    private final Recorder[] recorders;
    private final Histogram[] totals;
    private final Histogram[] recycled;
    private final long[] intervalMax;

    /** Creates the recorders (about 0.5 MB each pair). NON_RT; allocates. */
    public PhaseRecorders() {
        int n = RtContext.values().length * METRICS;
        recorders = new Recorder[n];
        totals = new Histogram[n];
        recycled = new Histogram[n];
        intervalMax = new long[n];
        for (int i = 0; i < n; i++) {
            recorders[i] = new Recorder(1, HIGHEST_NANOS, DIGITS);
            totals[i] = newHistogram();
        }
    }

    /** @return an empty histogram with this class's range and precision. Allocates. */
    public static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_NANOS, DIGITS);
    }

    /**
     * @param context the context
     * @param metric  the metric
     * @return the slot index of a context and metric, for {@link #record}. Pure function.
     */
    public static int slot(RtContext context, Metric metric) {
        return context.ordinal() * METRICS + metric.ordinal();
    }

    /**
     * Records one value. Any context; wait-free, allocation-free.
     *
     * @param slot  from {@link #slot}
     * @param nanos the value; clamped to {@code [0, HIGHEST_NANOS]}
     */
    public void record(int slot, long nanos) {
        recorders[slot].recordValue(nanos < 0 ? 0 : Math.min(nanos, HIGHEST_NANOS));
    }

    /**
     * Takes the interval histogram of one slot (everything recorded since the last sample),
     * adds it to the slot's total and returns it. The returned histogram is valid until the next
     * call for the same slot. One harness thread (NON_RT); may allocate on the first call.
     *
     * @param slot from {@link #slot}
     * @return the interval histogram
     */
    public Histogram sample(int slot) {
        Histogram h = recorders[slot].getIntervalHistogram(recycled[slot]);
        recycled[slot] = h;
        totals[slot].add(h);
        intervalMax[slot] = Math.max(intervalMax[slot], h.getMaxValue());
        return h;
    }

    /**
     * @param context the context
     * @param metric  the metric
     * @return the accumulated histogram of a slot (not a copy). NON_RT, after the run.
     */
    public Histogram total(RtContext context, Metric metric) {
        return totals[slot(context, metric)];
    }

    /**
     * @param context the context
     * @param metric  the metric
     * @return the largest value sampled so far in a slot, nanoseconds
     */
    public long maxSoFar(RtContext context, Metric metric) {
        return intervalMax[slot(context, metric)];
    }

    /** @return the number of slots (contexts times metrics). */
    public static int slots() {
        return RtContext.values().length * METRICS;
    }
}
