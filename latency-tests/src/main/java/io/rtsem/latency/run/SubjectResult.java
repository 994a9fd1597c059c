package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.latency.run.ThreadSchedMonitor.SchedChange;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one subject (rtsem or the peer) measured in its slices of the interleaved phase. Immutable after the run; the
 * histograms inside {@link #recorders} must not be changed by readers.
 *
 * @param subject              {@code rtsem} or {@code peer}
 * @param description          which class with which options
 * @param waitStyles           how a thread of each waiting context waits on it
 * @param recorders            the accumulated histograms per context and metric
 * @param worst                the worst corrected waits over all threads, largest first (at most 10)
 * @param hiccups              platform hiccups in this subject's slices (warm-up and measurement)
 * @param overBudget           waits over their context's single-wait threshold (JFR events)
 * @param schedule             per thread name: what its schedule held on this subject and what it completed
 * @param sched                OS scheduler changes seen on the scenario threads (the whole phase: both subjects)
 * @param measureStartEpochNanos start of the measured phase
 * @param measureEndEpochNanos   end of the measured phase
 * @param hiccupFloors         per HARD thread on a fixed schedule: the hiccup floor of its waits on this subject
 *                             ({@link HiccupFloor}, from the gaps it saw on its own CPU while
 *                             it spun between iterations), nanoseconds, counts in tenths of an iteration
 * @param inversions           priority-inversion episodes on this subject ({@link InversionEpisodes}), with its
 *                             priority boosts in the measured window (rtsem)
 * @param episodes             per scenario thread: the worst wait episodes it kept on this subject (up to
 *                             {@link ScenarioWorker#WORST}), largest first
 * @param lateWakes            the timed sleeps of releasers and SOFT threads under a real-time policy, due in this
 *                             subject's measured slices, that ended {@link ScenarioWorker#LATE_WAKE_NANOS} or more
 *                             late
 * @param cpuGaps              the gaps of {@link ScenarioWorker#LATE_WAKE_NANOS} or more that HARD threads on a fixed
 *                             schedule saw on their own CPU while they spun to the start of a measured iteration,
 *                             starting in this subject's measured slices (the gap log behind {@link HiccupFloor})
 */
public record SubjectResult(
        String subject,
        String description,
        Map<RtContext, String> waitStyles,
        PhaseRecorders recorders,
        List<WaitSample> worst,
        Histogram hiccups,
        long overBudget,
        Map<String, ThreadSchedule> schedule,
        List<SchedChange> sched,
        long measureStartEpochNanos,
        long measureEndEpochNanos,
        Map<String, Histogram> hiccupFloors,
        InversionEpisodes.Result inversions,
        Map<String, List<WaitSample>> episodes,
        List<LateWake> lateWakes,
        List<CpuGap> cpuGaps) {

    /**
     * A gap between two clock reads of a HARD thread spinning to its next tick: its CPU was taken from it that long.
     *
     * @param thread          the thread
     * @param startEpochNanos the clock read before the gap
     * @param endEpochNanos   the clock read after it
     */
    public record CpuGap(String thread, long startEpochNanos, long endEpochNanos) {
        /** @return the gap's length, nanoseconds */
        public long lengthNanos() {
            return endEpochNanos - startEpochNanos;
        }
    }

    /**
     * A timed sleep of a releaser or SOFT thread that ended late (cyclictest's measure, on the thread itself).
     *
     * @param thread        the thread
     * @param dueEpochNanos when it was due to wake
     * @param wokeEpochNanos when it ran again
     */
    public record LateWake(String thread, long dueEpochNanos, long wokeEpochNanos) {
        /** @return how late, nanoseconds */
        public long lateNanos() {
            return wokeEpochNanos - dueEpochNanos;
        }
    }

    /**
     * One of the worst waits.
     *
     * @param thread          scenario thread
     * @param context         its context name
     * @param waitNanos       corrected wait
     * @param serviceNanos    raw service time of the same iteration
     * @param startEpochNanos intended start
     * @param endEpochNanos   acquisition (or the stop, for a wait the run stopped)
     */
    public record WaitSample(
            String thread,
            String context,
            long waitNanos,
            long serviceNanos,
            long startEpochNanos,
            long endEpochNanos) {}

    /**
     * One thread's schedule on one subject, in the measured phase.
     *
     * @param scheduled       intended starts of its fixed schedule in this subject's slices, or -1 for a thread that
     *                        runs back to back ({@code rate-hz: max}) and so has no schedule
     * @param completed       iterations it completed (a releaser: releases done; ticks with nothing to return and
     *                        ticks past the end are not)
     * @param unfinishedWaits waits that had not ended when the run stopped the thread (recorded as ending at the stop)
     */
    public record ThreadSchedule(long scheduled, long completed, long unfinishedWaits) {
        /** A thread without a fixed schedule. */
        public static final long NO_SCHEDULE = -1;
    }
}
