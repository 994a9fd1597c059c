package io.rtsem.latency.report;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.run.CpuGapMeter;
import io.rtsem.latency.run.PhaseRecorders;
import io.rtsem.latency.run.SubjectResult;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The floor of a context's corrected waits on its own CPU: the waits a loop on the same schedule, on the same CPU, in
 * the same minutes, would have recorded if the semaphore took no time at all. A HARD thread spins between its
 * iterations and records every gap over {@link CpuGapMeter#THRESHOLD_NANOS} between two of its clock reads
 * ({@link SubjectResult.SpinGaps}: the gap detector's method, run by the thread itself while it measures, so the floor
 * meets the same weather as the waits, not the floor phase's). The gaps of both subjects' slices are taken together:
 * a gap is recorded in the slice it began in, while the iterations it delays can belong to the next slice, so one
 * subject's gaps alone over- or under-count at slice boundaries; with slices this short both subjects meet the same
 * weather anyway. A gap of {@code g} delays every iteration whose
 * intended start falls inside it until it ends: with starts {@code period} apart at a random phase, that is
 * {@code g / period} iterations, their waits spread evenly over {@code (0, g]}; the iterations that start outside
 * every gap wait (next to) nothing. That is the part of a HARD thread's wait tail the platform (the host, the OS, the
 * JVM's safepoints) takes before any semaphore does, so a percentile of the wait is divided by this floor's (the HARD
 * wait, mostly an uncontended CAS and a clock read, is not set beside a cache-line hand-off any more).
 *
 * <p>Defined for a context whose waiting threads are all HARD (they spin between iterations; SOFT and NON_RT threads
 * yield and park, and see their own naps as gaps) and on a fixed schedule (a {@code rate-hz: max} loop has no
 * schedule to spread the gaps over). Gaps at or below the threshold are not recorded, so percentiles of the floor at
 * or below it are unknown: no ratio is taken there. NON_RT; allocates.
 */
public final class HiccupFloor {
    /** Waits sampled per period of a gap: each stands for {@code 1/STEPS} of an iteration. */
    static final int STEPS = 10;
    /** The most values recorded for one gap size. */
    private static final int MAX_SAMPLES = 2_000;

    private HiccupFloor() {
    }

    /**
     * @param threads the scenario's threads
     * @param context a waiting context
     * @param subjects the subjects whose slices the floor is taken from (all of the interleaved phase's)
     * @return the floor of {@code context}'s corrected waits, nanoseconds (counts in tenths of an iteration), or null
     *         where it is not defined (see the class comment)
     */
    public static Histogram of(List<ThreadSpec> threads, RtContext context, List<SubjectResult> subjects) {
        Histogram sum = null;
        for (ThreadSpec t : threads) {
            if (!t.waits() || t.context() != context) {
                continue;
            }
            Histogram gaps = PhaseRecorders.newHistogram();
            long spun = 0;
            for (SubjectResult s : subjects) {
                SubjectResult.SpinGaps g = s.spinGaps().get(t.name());
                if (g != null) {
                    gaps.add(g.gaps());
                    spun += g.spunNanos();
                }
            }
            if (t.context() != RtContext.HARD || !t.fixedRate() || spun <= 0) {
                return null;
            }
            if (sum == null) {
                sum = PhaseRecorders.newHistogram();
            }
            sum.add(forSchedule(gaps, spun, t.periodNanos()));
        }
        return sum;
    }

    /**
     * The waits a schedule of {@code periodNanos} would have met over {@code spanNanos} with these gaps: each gap
     * {@code g} gives waits {@code g - x} for {@code x} in steps of {@code periodNanos / STEPS} from half a step, each
     * counting {@code 1/STEPS} of an iteration; the rest of the {@code STEPS * spanNanos / periodNanos} samples are 0.
     *
     * @param gaps        gaps over the detector's threshold, nanoseconds
     * @param spanNanos   the time the detector covered
     * @param periodNanos the schedule's period, positive
     * @return the waits, nanoseconds
     */
    static Histogram forSchedule(Histogram gaps, long spanNanos, long periodNanos) {
        Histogram h = PhaseRecorders.newHistogram();
        double step = (double) periodNanos / STEPS;
        long inGaps = 0;
        for (HistogramIterationValue v : gaps.recordedValues()) {
            long g = v.getValueIteratedTo();
            long n = v.getCountAtValueIteratedTo();
            // at most MAX_SAMPLES values per gap size, each then standing for several steps (a fast schedule, long gaps)
            long per = Math.max(1, (long) Math.ceil(g / step / MAX_SAMPLES));
            for (double x = step * per / 2; x < g; x += step * per) {
                h.recordValueWithCount(Math.max(1, Math.round(g - x)), n * per);
                inGaps += n * per;
            }
        }
        long all = Math.round((double) spanNanos / step);
        if (all > inGaps) {
            h.recordValueWithCount(0, all - inGaps);
        }
        return h;
    }
}
