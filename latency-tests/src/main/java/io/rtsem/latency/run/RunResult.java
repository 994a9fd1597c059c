package io.rtsem.latency.run;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.machine.MachineState;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Everything one {@code ./rtsem validate} run measured, before it is judged and written.
 * Immutable after the run.
 *
 * @param scenario       the scenario
 * @param outDir         where the files go
 * @param startedEpochMillis when the run started
 * @param floorCpus      the two CPUs of the floor measurement (as given to {@code RtThread.start})
 * @param floor          one-way cache-line hand-off latencies on those CPUs
 * @param floorHiccups   platform hiccups (1 ms sleeper, housekeeping CPUs) during the floor phase
 * @param cpuHiccups     gaps seen by a spinning thread pinned to each floor CPU, during the floor phase
 * @param rtsem          rtsem's slices of the interleaved phase
 * @param peer           the j.u.c. Semaphore's slices
 * @param jvmEvents      GC, safepoint, deoptimization and compilation events of the whole run
 * @param jvmArguments   the JVM's input arguments
 * @param javaVersion    {@code java.vm.version}
 * @param cpus           available processors
 * @param notes          things the run noticed about itself (JFR missing, threads stuck ...)
 * @param floorNotes     what the floor phase could not measure, or measured only in part (a CPU without a gap
 *                       detector, and why), each naming the CPU; also in {@code notes}
 * @param threads        the scenario's threads as run: every {@code cpu: any} resolved to a CPU number
 * @param interleaving   how rtsem and the peer alternated
 * @param threadCpuMillis CPU time per JVM thread from the interleaved phase's start to 20 ms before its end, largest
 *                       first
 * @param machine        the kernel's real-time settings (RT throttling, isolated and tickless CPUs, whether
 *                       {@code ./rtsem tune --apply} is in effect) when the run started
 * @param scheduling     per scenario thread (by name, scenario order), the scheduling it ran under in the measured
 *                       phase, as its {@code RtThread} read it back from the kernel at start; the same for rtsem's
 *                       slices and the peer's (one thread serves both); empty for synthetic runs
 */
public record RunResult(
        Scenario scenario,
        Path outDir,
        long startedEpochMillis,
        int[] floorCpus,
        Histogram floor,
        Histogram floorHiccups,
        List<CpuGapMeter.CpuGaps> cpuHiccups,
        SubjectResult rtsem,
        SubjectResult peer,
        List<JvmEvent> jvmEvents,
        List<String> jvmArguments,
        String javaVersion,
        int cpus,
        List<String> notes,
        List<String> floorNotes,
        List<ThreadSpec> threads,
        Interleaving interleaving,
        Map<String, Double> threadCpuMillis,
        MachineState machine,
        Map<String, AppliedScheduling> scheduling) {

    /**
     * How the subjects alternated in the measured phase ({@link Slices}).
     *
     * @param slices           slices in the measured window, both subjects together
     * @param sliceNanos       nominal slice length
     * @param minSliceNanos    shortest slice
     * @param maxSliceNanos    longest slice
     * @param perSubjectNanos  each subject's measured time (the sum of its slices)
     * @param warmupNanos      the warm-up before it, both subjects alternating in slices the same way
     */
    public record Interleaving(
            long slices,
            long sliceNanos,
            long minSliceNanos,
            long maxSliceNanos,
            long perSubjectNanos,
            long warmupNanos) {}
}
