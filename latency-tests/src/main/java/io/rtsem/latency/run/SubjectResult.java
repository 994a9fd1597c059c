package io.rtsem.latency.run;

import io.rtsem.latency.run.ThreadSchedMonitor.SchedChange;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one subject (rtsem or the peer) measured in its phase. Immutable after the run; the
 * histograms inside {@link #recorders} must not be changed by readers.
 *
 * @param subject              {@code rtsem} or {@code peer}
 * @param description          which class with which options
 * @param recorders            the accumulated histograms per context and metric
 * @param worst                the worst corrected waits over all threads, largest first (at most 10)
 * @param hiccups              platform hiccups during this phase (warm-up and measurement)
 * @param overBudget           waits over their context's single-wait threshold (JFR events)
 * @param iterations           iterations per thread name (warm-up included)
 * @param sched                OS scheduler changes seen on the scenario threads
 * @param measureStartEpochNanos start of the measured phase
 * @param measureEndEpochNanos   end of the measured phase
 * @param threadCpuMillis      CPU time per JVM thread from the phase start to 20 ms before its end, largest first
 */
public record SubjectResult(String subject, String description, PhaseRecorders recorders, List<WaitSample> worst,
                            Histogram hiccups, long overBudget, Map<String, Long> iterations,
                            List<SchedChange> sched, long measureStartEpochNanos, long measureEndEpochNanos,
                            Map<String, Double> threadCpuMillis) {

    /**
     * One of the worst waits.
     *
     * @param thread          scenario thread
     * @param context         its context name
     * @param waitNanos       corrected wait
     * @param serviceNanos    raw service time of the same iteration
     * @param startEpochNanos intended start
     * @param endEpochNanos   acquisition
     */
    public record WaitSample(String thread, String context, long waitNanos, long serviceNanos, long startEpochNanos,
                             long endEpochNanos) {
    }
}
