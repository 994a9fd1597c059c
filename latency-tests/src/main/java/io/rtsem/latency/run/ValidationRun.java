package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.machine.MachineFiles;
import io.rtsem.latency.machine.MachineState;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import net.openhft.affinity.Affinity;
import org.HdrHistogram.Histogram;

/**
 * Runs one scenario: a JIT warm-up of the scenario on each subject alone, then the scenario on rtsem and on
 * {@code java.util.concurrent.Semaphore} interleaved (the same threads alternate between the two in {@link Slices},
 * warm-up and measurement), then the cache-line hand-off floor and a spinning gap detector ({@link CpuGapMeter}) on
 * the scenario's real-time CPUs (last, when JVM start-up is over), with the platform hiccup meter, a JFR recording
 * and the OS scheduler monitor running throughout.
 *
 * <p>The calling thread (NON_RT) is the harness: it places and confines the threads, runs each phase
 * ({@link ScenarioPhase}: starts the scenario threads, samples and logs the recorders, stops the threads), then the
 * floor, and prints the progress line. {@link #run} blocks for {@link Scenario#plannedNanos()} plus a little.
 */
public final class ValidationRun {
    /** How many distinct worst-wait episodes a report lists per subject. */
    public static final int WORST_EPISODES = 10;

    private final Scenario scenario;
    private final Path outDir;
    private final PrintWriter progressOut;
    private final boolean withJfr;
    private final List<String> notes = new ArrayList<>();
    /** Starts the per-CPU gap detectors ({@link CpuGapMeter}); a stand-in in tests. */
    private CpuGapMeter.Starter gapStarter = CpuGapMeter.PINNED;
    /** The scenario's threads with every {@code cpu: any} resolved to a CPU number. */
    private List<ThreadSpec> threads;

    private long epochOffset;
    /** The kernel's real-time settings when the run started. */
    private MachineState machine;

    private ProgressLine progress;

    /**
     * @param scenario the validated scenario
     * @param outDir   output directory (created if missing)
     * @param progress where the live progress line goes, or null for none ({@code --quiet})
     * @param withJfr  record JVM events with JFR (false: GC notifications only)
     */
    public ValidationRun(Scenario scenario, Path outDir, PrintWriter progress, boolean withJfr) {
        this.scenario = scenario;
        this.outDir = outDir;
        this.progressOut = progress;
        this.withJfr = withJfr;
    }

    /**
     * For tests: the gap detectors of the floor phase are started by {@code starter} (one that cannot pin, or a
     * detector that never runs) instead of as pinned {@code RtThread}s.
     *
     * @param starter starts each CPU's detector thread
     * @return this run
     */
    ValidationRun withGapStarter(CpuGapMeter.Starter starter) {
        this.gapStarter = starter;
        return this;
    }

    /**
     * Runs every phase and returns what was measured. NON_RT; blocks; allocates.
     *
     * @return the raw measurements
     * @throws IOException          if an output file cannot be written
     * @throws InterruptedException if the harness thread is interrupted
     * @throws ThreadStartException  if a scenario thread cannot be started or pinned as configured
     * @throws IllegalStateException if a scenario thread failed or did not stop
     */
    public RunResult run() throws IOException, InterruptedException {
        Files.createDirectories(outDir);
        long startedMillis = System.currentTimeMillis();
        machine = MachineState.read(MachineFiles.SYSTEM); // before any thread of the run starts
        epochOffset = EpochClock.offsetNanos();
        progress = new ProgressLine(progressOut, scenario.name(), System.nanoTime(), scenario.plannedNanos());
        BitSet harnessAffinity = Affinity.getAffinity();
        int cpuCount = Runtime.getRuntime().availableProcessors();
        threads = resolveAnyCpus(harnessAffinity);
        // confine first, then start JFR: its threads are created by this (confined) thread and inherit its mask
        ThreadConfinement confinement = confineToHousekeepingCpus(harnessAffinity);
        JvmEventLog jvm = null;
        try {
            jvm = new JvmEventLog(withJfr);
            if (jvm.jfrProblem() != null) {
                notes.add(jvm.jfrProblem());
            }
            if (confinement != null) {
                confinement.sweep(Set.of()); // anything JFR or the JVM started meanwhile from an unconfined thread
                confinementNote(confinement);
            }
            return measure(jvm, startedMillis, harnessAffinity, cpuCount);
        } finally {
            Affinity.setAffinity(harnessAffinity);
            if (confinement != null) {
                confinement.close();
            }
            if (jvm != null) {
                jvm.close();
            }
        }
    }

    private RunResult measure(JvmEventLog jvm, long startedMillis, BitSet harnessAffinity, int cpuCount)
            throws IOException, InterruptedException {
        try (HiccupMeter hiccups = new HiccupMeter()) {
            ScenarioPhase phases = new ScenarioPhase(scenario, threads, outDir, epochOffset, progress, notes);
            boolean nonRt = scenario.threads().stream().anyMatch(t -> t.context() == RtContext.NON_RT);
            if (scenario.warmupNanos() > 0) {
                // The harness's own code (loops, recorders, logs) is shared by both subjects: without this, the
                // subjects' first slices would meet its compilations and deoptimizations. Each subject alone, so that
                // neither is measured while the JIT is still busy with its code (on a 2-CPU machine the compiler
                // threads share the housekeeping CPU with the scenario's NON_RT/SOFT threads, and a C2 compilation
                // there delays them by milliseconds).
                progress.status("JIT warm-up: each subject for one warm-up, nothing recorded");
                try (SemaphoreUnderTest s = new RtsemUnderTest(scenario.semaphore(), nonRt)) {
                    phases.run(List.of(s), hiccups, true);
                }
                try (SemaphoreUnderTest s = new JucPeerUnderTest(scenario.semaphore())) {
                    phases.run(List.of(s), hiccups, true);
                }
                notes.add("before anything was measured, the scenario ran once on each subject alone for its warm-up ("
                        + scenario.warmupNanos() / 1_000_000 + " ms each), nothing recorded: the JIT compiles the "
                        + "harness's and both subjects' code before either is measured");
            }
            ScenarioPhase.Result phase;
            try (SemaphoreUnderTest r = new RtsemUnderTest(scenario.semaphore(), nonRt);
                    SemaphoreUnderTest p = new JucPeerUnderTest(scenario.semaphore())) {
                phase = phases.run(List.of(r, p), hiccups, false);
            }
            SubjectResult rtsem = phase.subjects().get(0);
            SubjectResult peer = phase.subjects().get(1);
            // the floor comes last, when JVM start-up (class loading, JFR, first compilations) is over. The harness
            // gets its whole mask back first (the floor's threads start from it); the JVM's other threads stay off the
            // real-time CPUs. The floor's CPUs come from the mask the run started with, not from availableProcessors():
            // on JDK 17 in a container that is one figure for the whole process, cached for 20 ms, computed from the
            // mask of whichever thread asked last, and a confined thread (a GC thread, for one) asks now and then, so
            // right after the peer's phase it said 1 on a 2-CPU machine and CPU 0 got no floor thread and no gap
            // detector (ValidateEndToEndTest lost hiccups-cpu0.hgrm that way).
            Affinity.setAffinity(harnessAffinity);
            int[] cpus = floorCpus(threads, allowedCpus(harnessAffinity));
            List<String> floorNotes = new ArrayList<>();
            if (cpus[1] < 0) {
                floorNotes.add(
                        "the floor phase had only CPU " + cpuName(cpus[0]) + " to pin to (this process may use CPUs "
                                + allowedCpus(harnessAffinity)
                                + "): the floor hand-off ran against an unpinned thread, and no gap "
                                + "detector ran on a second CPU");
            }
            progress.status("floor: cache-line hand-off between CPUs " + cpuName(cpus[0]) + " and " + cpuName(cpus[1]));
            hiccups.take();
            long floorWarmup = Math.min(scenario.floorNanos() / 5, 200_000_000L);
            Histogram floor = HandoffFloorMeter.measure(cpus[0], cpus[1], floorWarmup, scenario.floorNanos());
            progress.status(
                    "floor: hiccups of a spinning thread on CPUs " + cpuName(cpus[0]) + " and " + cpuName(cpus[1]));
            List<CpuGapMeter.CpuGaps> cpuHiccups = CpuGapMeter.measure(cpus, scenario.floorNanos(), gapStarter);
            for (CpuGapMeter.CpuGaps g : cpuHiccups) {
                if (g.problem() != null) {
                    floorNotes.add(g.problem());
                }
            }
            notes.addAll(floorNotes);
            Histogram floorHiccups = hiccups.take();
            List<JvmEventLog.JvmEvent> events = jvm.stop(outDir.resolve("run.jfr"));
            progress.clear();
            long[] range = phase.slices().sliceLengthRange();
            RunResult.Interleaving interleaving = new RunResult.Interleaving(
                    phase.slices().count(),
                    phase.slices().nominalSliceNanos(),
                    range[0],
                    range[1],
                    phase.slices().perSubjectNanos(),
                    2 * scenario.warmupNanos());
            return new RunResult(
                    scenario,
                    outDir,
                    startedMillis,
                    cpus,
                    floor,
                    floorHiccups,
                    cpuHiccups,
                    rtsem,
                    peer,
                    events,
                    ManagementFactory.getRuntimeMXBean().getInputArguments(),
                    System.getProperty("java.vm.version"),
                    cpuCount,
                    List.copyOf(notes),
                    List.copyOf(floorNotes),
                    threads,
                    interleaving,
                    phase.threadCpuMillis(),
                    machine,
                    phase.scheduling());
        }
    }

    /**
     * Resolves {@code cpu: any} to CPU numbers before anything starts, so that no such thread can take a CPU a thread
     * pinned to a fixed CPU needs, and so that the confinement knows every real-time CPU: fixed CPUs of HARD/SOFT
     * threads are reserved first, then each HARD/SOFT {@code any} thread takes a free CPU of its own (the highest
     * first, as {@code RtThread} would), then a NON_RT {@code any} thread takes a CPU no spinner holds.
     *
     * @throws ThreadStartException if a HARD/SOFT {@code any} thread finds no free CPU in the allowed mask
     */
    private List<ThreadSpec> resolveAnyCpus(BitSet allowed) {
        ThreadSpec[] out = scenario.threads().toArray(new ThreadSpec[0]);
        BitSet taken = new BitSet();
        for (ThreadSpec t : out) {
            if (t.context() != RtContext.NON_RT && t.pinnedToFixedCpu()) {
                taken.set(t.cpu());
            }
        }
        for (boolean spinners : new boolean[] {true, false}) {
            for (int i = 0; i < out.length; i++) {
                ThreadSpec t = out[i];
                if (t.cpu() != RtThread.ANY_CPU || (t.context() != RtContext.NON_RT) != spinners) {
                    continue;
                }
                BitSet free = (BitSet) allowed.clone();
                free.andNot(taken);
                int cpu = free.length() - 1;
                if (cpu < 0 && spinners) {
                    throw new ThreadStartException(
                            "cannot start scenario thread " + t.name() + " on cpu any: every "
                                    + "CPU this process may use (" + allowed + ") is held by a pinned real-time thread "
                                    + taken,
                            null);
                }
                cpu = cpu < 0 ? allowed.length() - 1 : cpu;
                if (spinners) {
                    taken.set(cpu);
                }
                out[i] = t.withCpu(cpu);
                notes.add("thread " + t.name() + " (cpu: any) ran on CPU " + cpu);
            }
        }
        return List.of(out);
    }

    /**
     * Keeps everything that is not a pinned real-time thread off the pinned real-time CPUs, as {@code isolcpus} or a
     * cpuset would in production: every thread of the JVM that exists now (the harness, JIT compiler threads, the VM
     * thread, GC workers, service and notification threads, a test runner's threads) moves to the remaining CPUs
     * ({@link ThreadConfinement}), and every thread created from then on by one of them (JFR's threads, unpinned
     * scenario threads, the hiccup meter, the bridge's wake service, new compiler threads) inherits that mask. Without
     * it, a thread the scheduler puts on a HARD thread's CPU preempts the HARD thread (milliseconds, while it may hold
     * the permit), and a NON_RT thread woken there waits a whole scheduler slice behind the spinner. Pinned threads
     * set their own affinity. Applies to rtsem, the peer and the floor alike; said in the report's notes.
     *
     * @return the confinement to undo at the end, or null where there is nothing to confine or it is not possible
     */
    private ThreadConfinement confineToHousekeepingCpus(BitSet harnessAffinity) {
        BitSet reserved = new BitSet();
        for (ThreadSpec t : threads) {
            if (t.context() != RtContext.NON_RT && t.pinnedToFixedCpu()) {
                reserved.set(t.cpu());
            }
        }
        BitSet housekeeping = (BitSet) harnessAffinity.clone();
        housekeeping.andNot(reserved);
        if (reserved.isEmpty()) {
            return null;
        }
        if (housekeeping.isEmpty()) {
            notes.add("every CPU is held by a pinned real-time thread (" + reserved + "): unpinned threads, the "
                    + "harness and the JVM's own threads share them, and preempt them");
            return null;
        }
        if (!ThreadConfinement.supported()) {
            Affinity.setAffinity(housekeeping);
            notes.add("no /proc/self/task: only the harness and the threads it starts ran on CPUs " + housekeeping
                    + "; the JVM's own threads (JIT, GC, VM thread) could still run on " + reserved);
            return null;
        }
        return new ThreadConfinement(housekeeping, harnessAffinity);
    }

    private void confinementNote(ThreadConfinement c) {
        notes.add("every thread of the JVM but the pinned real-time ones ran on CPUs " + c.housekeeping() + ", as "
                + "isolcpus would: " + c.confined()
                + " threads moved before the run (the harness, JIT compiler, VM, GC, "
                + "service threads), and those started later (JFR's, unpinned scenario threads, the hiccup meter, the "
                + "bridge's wake service) inherit the mask of the thread that creates them");
        if (!c.problems().isEmpty()) {
            notes.add("could not confine " + c.problems().size() + " thread(s): " + c.problems());
        }
    }

    /**
     * The floor's two CPUs: the scenario's pinned real-time CPUs in file order, completed with the lowest other CPUs of
     * {@code allowed}, and {@code RtThread.NO_PIN} where there is none.
     *
     * @param threads the scenario's threads, {@code cpu: any} resolved
     * @param allowed the CPUs this process may use (the harness's mask at the start of the run)
     * @return two CPU numbers, or {@code RtThread.NO_PIN} for a side that has no CPU of its own
     */
    static int[] floorCpus(List<ThreadSpec> threads, BitSet allowed) {
        List<Integer> cpus = new ArrayList<>();
        for (ThreadSpec t : threads) {
            if (t.context() != RtContext.NON_RT && t.pinnedToFixedCpu() && !cpus.contains(t.cpu())) {
                cpus.add(t.cpu());
            }
        }
        for (int c = allowed.nextSetBit(0); c >= 0 && cpus.size() < 2; c = allowed.nextSetBit(c + 1)) {
            if (!cpus.contains(c)) {
                cpus.add(c);
            }
        }
        while (cpus.size() < 2) {
            cpus.add(RtThread.NO_PIN);
        }
        return new int[] {cpus.get(0), cpus.get(1)};
    }

    /** @return the CPUs of {@code affinity}, or CPUs 0 to availableProcessors()-1 where the mask is unknown (empty) */
    private static BitSet allowedCpus(BitSet affinity) {
        if (!affinity.isEmpty()) {
            return affinity;
        }
        BitSet all = new BitSet();
        all.set(0, Runtime.getRuntime().availableProcessors());
        return all;
    }

    /**
     * @param cpu a CPU number, {@code RtThread.ANY_CPU} or {@code RtThread.NO_PIN}
     * @return the CPU as written in scenario files: a number, {@code any} or {@code none}
     */
    public static String cpuName(int cpu) {
        return cpu == RtThread.ANY_CPU ? "any" : cpu == RtThread.NO_PIN ? "none" : Integer.toString(cpu);
    }
}
