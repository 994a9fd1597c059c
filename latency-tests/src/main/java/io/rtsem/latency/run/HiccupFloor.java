package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ThreadSpec;
import java.util.List;
import java.util.function.IntToLongFunction;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;

/**
 * The floor of a context's corrected waits on its own CPU: the waits a loop on the same schedule, on the same CPU, in
 * the same slices, would have recorded if the semaphore took no time at all. A HARD thread spins between its
 * iterations and logs every gap over {@link CpuGapMeter#THRESHOLD_NANOS} between two of its clock reads, with its
 * start (the gap detector's method, run by the thread itself while it measures, so the floor meets the same weather
 * as the waits, not the floor phase's). A gap of {@code g} delays every iteration whose intended start falls inside
 * it until it ends: with starts {@code period} apart at a random phase, that is {@code g / period} iterations, their
 * waits spread evenly over {@code (0, g]}; all of them belong to the subject whose slice the gap started in, as the
 * waits do (the first iteration the gap delays is that subject's, and the ones it makes late stay with it:
 * {@link ScenarioWorker}, "the backlog stays with the subject that made it"), and the iterations that start outside
 * every gap wait (next to) nothing. That is the part of a HARD thread's wait tail the platform (the host, the OS, the JVM's
 * safepoints) takes before any semaphore does, so a percentile of the wait is divided by this floor's (the HARD wait,
 * mostly an uncontended CAS and a clock read, is not set beside a cache-line hand-off any more).
 *
 * <p>Defined for a context whose waiting threads are all HARD (they spin between iterations; SOFT and NON_RT threads
 * yield and park, and would see their own naps as gaps) and on a fixed schedule (a {@code rate-hz: max} loop has no
 * schedule to spread the gaps over). Gaps at or below the threshold are not logged, so percentiles of the floor at or
 * below it are unknown: no ratio is taken there. NON_RT; allocates.
 */
public final class HiccupFloor {
    /** Waits sampled per period of a gap: each stands for {@code 1/STEPS} of an iteration. */
    static final int STEPS = 10;
    /** The most values recorded for one gap. */
    private static final int MAX_SAMPLES = 2_000;

    private HiccupFloor() {}

    /**
     * @param threads the scenario's threads
     * @param context a waiting context
     * @param subject the subject whose slices the floor is for
     * @return the floor of {@code context}'s corrected waits on {@code subject}, nanoseconds (counts in tenths of an
     *         iteration), or null where it is not defined (see the class comment)
     */
    public static Histogram of(List<ThreadSpec> threads, RtContext context, SubjectResult subject) {
        Histogram sum = null;
        for (ThreadSpec t : threads) {
            if (!t.waits() || t.context() != context) {
                continue;
            }
            Histogram floor = subject.hiccupFloors().get(t.name());
            if (t.context() != RtContext.HARD || !t.fixedRate() || floor == null || floor.getTotalCount() == 0) {
                return null;
            }
            if (sum == null) {
                sum = PhaseRecorders.newHistogram();
            }
            sum.add(floor);
        }
        return sum;
    }

    /**
     * The waits a schedule of {@code periodNanos} would have met from logged gaps: each gap {@code g} starting at
     * {@code s} gives the wait {@code g - x} to an iteration intended at {@code s + x}, for {@code x} in steps of
     * {@code periodNanos / STEPS} from half a step, each counting {@code 1/STEPS} of an iteration, for a gap where
     * {@code owns(s)} and where {@code counts(s + x)}; the rest of the {@code STEPS * spunNanos / periodNanos} samples
     * are 0.
     *
     * @param count       logged gaps
     * @param start       the start of gap {@code i} ({@code nanoTime})
     * @param length      its length, nanoseconds
     * @param owns        which gaps are the subject's, by their start (the subject's slices)
     * @param counts      which intended starts count (the measured window)
     * @param spunNanos   the time the thread spun there, which the gaps are part of
     * @param periodNanos the schedule's period, positive
     * @return the waits, nanoseconds; empty when {@code spunNanos} is 0
     */
    public static Histogram fromGaps(
            int count,
            IntToLongFunction start,
            IntToLongFunction length,
            LongPredicate owns,
            LongPredicate counts,
            long spunNanos,
            long periodNanos) {
        Histogram h = PhaseRecorders.newHistogram();
        double step = (double) periodNanos / STEPS;
        long inGaps = 0;
        for (int i = 0; i < count; i++) {
            long s = start.applyAsLong(i);
            long g = length.applyAsLong(i);
            if (!owns.test(s)) {
                continue;
            }
            // at most MAX_SAMPLES values per gap, each then standing for several steps (a fast schedule, a long gap)
            long per = Math.max(1, (long) Math.ceil(g / step / MAX_SAMPLES));
            for (double x = step * per / 2; x < g; x += step * per) {
                if (counts.test(s + Math.round(x))) {
                    h.recordValueWithCount(Math.min(PhaseRecorders.HIGHEST_NANOS, Math.max(1, Math.round(g - x))), per);
                    inGaps += per;
                }
            }
        }
        long all = Math.round(spunNanos / step);
        if (all > inGaps) {
            h.recordValueWithCount(0, all - inGaps);
        }
        return spunNanos > 0 ? h : PhaseRecorders.newHistogram();
    }
}
