package io.rtsem.bridge;

import io.rtsem.core.RtContext;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Hold times per context: one HdrHistogram {@link Recorder} per {@link RtContext}, pre-sized so that recording never
 * allocates, and an exact count per context.
 *
 * <p>Threading: any number of threads record concurrently ({@link Recorder} is wait-free for writers through its
 * WriterReaderPhaser); readers ({@link #snapshot}) are serialised on this object and may allocate.
 */
final class HoldTimeRecorders {
    private static final int CONTEXTS = RtContext.values().length;
    private static final int COUNT_STRIDE = 16; // 128 bytes between per-context counters

    private final long highestTrackableNanos;
    private final Recorder[] recorders = new Recorder[CONTEXTS];
    private final Histogram[] totals = new Histogram[CONTEXTS];
    private final Histogram[] recycled = new Histogram[CONTEXTS];
    private final AtomicLongArray counts = new AtomicLongArray((CONTEXTS + 1) * COUNT_STRIDE);
    private final AtomicLongArray clamped = new AtomicLongArray((CONTEXTS + 1) * COUNT_STRIDE);

    HoldTimeRecorders(long highestTrackableNanos) {
        this.highestTrackableNanos = highestTrackableNanos;
        for (int i = 0; i < CONTEXTS; i++) {
            // Fixed range, 2 significant digits (1% resolution): recordValue indexes a pre-sized array, no resize.
            recorders[i] = new Recorder(1L, highestTrackableNanos, 2);
            totals[i] = new Histogram(1L, highestTrackableNanos, 2);
        }
    }

    /**
     * Records one hold. Any context; no allocation, no system call (the Recorder's writer side is two atomic
     * increments around an array increment).
     */
    void record(RtContext context, long holdNanos) {
        final int c = context.ordinal();
        long value = holdNanos < 1L ? 1L : holdNanos;
        if (value > highestTrackableNanos) {
            value = highestTrackableNanos; // out of range would throw; clamp and count instead
            clamped.getAndIncrement((c + 1) * COUNT_STRIDE);
        }
        recorders[c].recordValue(value);
        counts.getAndIncrement((c + 1) * COUNT_STRIDE);
    }

    long count(RtContext context) {
        return counts.get((context.ordinal() + 1) * COUNT_STRIDE);
    }

    long clamped(RtContext context) {
        return clamped.get((context.ordinal() + 1) * COUNT_STRIDE);
    }

    long highestTrackableNanos() {
        return highestTrackableNanos;
    }

    /** A copy of everything recorded so far for {@code context}. NON_RT; allocates the copy. */
    synchronized Histogram snapshot(RtContext context) {
        final int c = context.ordinal();
        final Histogram interval = recorders[c].getIntervalHistogram(recycled[c]);
        totals[c].add(interval);
        recycled[c] = interval;
        return totals[c].copy();
    }
}
