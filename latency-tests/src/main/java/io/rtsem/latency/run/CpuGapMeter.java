package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The platform's hiccups on the real-time CPUs themselves, jHiccup's idea on a spinning thread:
 * one HARD {@link RtThread} pinned to each CPU reads {@code System.nanoTime()} back to back and
 * records every gap between two reads longer than {@link #THRESHOLD_NANOS}: the time the CPU was
 * taken from a spinner that asked nothing of the JVM or the OS (interrupts, the hypervisor, other
 * threads the scheduler put there). Where {@link HiccupMeter} (a 1 ms sleeper on the housekeeping
 * CPUs) shows what stops every thread, this shows what a HARD thread on that very CPU must expect.
 *
 * <p>A CPU whose detector could not be pinned, made no clock read in its window or covered less than
 * {@link #MIN_COVERAGE} of it is still in the result, with {@link CpuGaps#problem()} saying why: the
 * run reports it instead of dropping the CPU or failing as a whole.
 *
 * <p>{@link #measure} is called by the harness (NON_RT), allocates the histograms and threads and
 * blocks until they end; the spinning threads allocate nothing and make no system call besides
 * the clock read (a vDSO call) while they measure.
 */
public final class CpuGapMeter {
    /**
     * Gaps between two clock reads longer than this are recorded (a clock read takes far less: see docs/LATENCY.md,
     * "Platform figures quoted in the code").
     */
    public static final long THRESHOLD_NANOS = 1_000L;
    /** A detector that measured less than this share of its window is reported as partial. */
    public static final double MIN_COVERAGE = 0.5;
    /** How long after {@link #measure} is called the detectors start measuring (they are all started by then). */
    static final long START_DELAY_NANOS = 10_000_000L;

    /**
     * What one CPU showed.
     *
     * @param cpu       the CPU
     * @param gaps      gaps over the threshold, nanoseconds
     * @param reads     clock reads done (shows the detector ran)
     * @param spanNanos time from the detector's first clock read in its window to its last (0 without reads)
     * @param problem   why the figures are missing or partial (names the CPU), or null when the detector spun
     *                  for at least {@link #MIN_COVERAGE} of its window
     */
    public record CpuGaps(int cpu, Histogram gaps, long reads, long spanNanos, String problem) {
        /** @return true if the detector measured at least part of its window (its gaps mean something). */
        public boolean measured() {
            return reads > 0;
        }
    }

    /**
     * Starts one detector thread; {@link RtThread#start} in a run, a stand-in in tests (a detector that is never
     * scheduled, a CPU that cannot be pinned).
     */
    @FunctionalInterface
    interface Starter {
        /**
         * @param name thread name
         * @param cpu  the CPU to pin the thread to
         * @param body the detector's loop
         * @return the started thread
         * @throws IllegalStateException if it cannot be pinned
         */
        Thread start(String name, int cpu, Runnable body);
    }

    /**
     * Starts a pinned HARD {@link RtThread} with the scheduling it inherits (not HARD's default: unthrottled FIFO
     * spinners on every CPU at once would leave none for the JVM and the OS while they measure).
     */
    static final Starter PINNED =
            (name, cpu, body) -> RtThread.start(name, RtContext.HARD, cpu, RtScheduling.unchanged(), body);

    private CpuGapMeter() {}

    /**
     * Spins on every CPU of {@code cpus} at once for {@code durationNanos}. NON_RT caller; blocks
     * for about {@code durationNanos}; starts one pinned spinning HARD thread per CPU.
     *
     * @param cpus          CPU numbers (negative entries, {@code RtThread.NO_PIN} or {@code ANY_CPU}, are skipped)
     * @param durationNanos how long to spin, more than 0
     * @return the gaps of each CPU, in the order given, distinct CPUs only; one whose detector could not be pinned or
     *         did not run says so in {@link CpuGaps#problem()}
     * @throws InterruptedException     if the caller is interrupted while waiting
     * @throws IllegalArgumentException if {@code durationNanos} is not positive
     * @throws NullPointerException     if {@code cpus} is null
     */
    public static List<CpuGaps> measure(int[] cpus, long durationNanos) throws InterruptedException {
        return measure(cpus, durationNanos, PINNED);
    }

    /** {@link #measure(int[], long)} with the detector threads started by {@code starter}. */
    static List<CpuGaps> measure(int[] cpus, long durationNanos, Starter starter) throws InterruptedException {
        if (durationNanos <= 0) {
            throw new IllegalArgumentException("durationNanos must be positive, got " + durationNanos);
        }
        Map<Integer, Detector> detectors = new LinkedHashMap<>();
        for (int c : cpus) {
            if (c >= 0) {
                detectors.putIfAbsent(c, new Detector());
            }
        }
        long start = System.nanoTime() + START_DELAY_NANOS;
        long stop = start + durationNanos;
        List<Thread> threads = new ArrayList<>();
        Map<Integer, String> notStarted = new LinkedHashMap<>();
        try {
            for (Map.Entry<Integer, Detector> e : detectors.entrySet()) {
                Detector d = e.getValue();
                try {
                    threads.add(starter.start("rtsem-gap-" + e.getKey(), e.getKey(), () -> d.spin(start, stop)));
                } catch (IllegalStateException | IllegalArgumentException ex) {
                    notStarted.put(e.getKey(), ex.getMessage());
                }
            }
        } finally {
            for (Thread t : threads) {
                t.join();
            }
        }
        List<CpuGaps> out = new ArrayList<>();
        detectors.forEach((cpu, d) -> {
            String problem;
            if (notStarted.containsKey(cpu)) {
                problem = "no gap detector figures for CPU " + cpu + ": its detector thread could not be pinned there ("
                        + notStarted.get(cpu) + ")";
            } else if (d.reads == 0) {
                problem = "no gap detector figures for CPU " + cpu + ": its detector thread made no clock read in its "
                        + durationNanos / 1_000_000 + " ms window (it was not scheduled before the window ended)";
            } else if (d.spanNanos < MIN_COVERAGE * durationNanos) {
                problem = String.format(
                        Locale.ROOT,
                        "the gap detector on CPU %d measured only %.1f ms of its %d ms "
                                + "window (it was scheduled late): its figures cover part of the floor phase",
                        cpu,
                        d.spanNanos / 1e6,
                        durationNanos / 1_000_000);
            } else {
                problem = null;
            }
            out.add(new CpuGaps(cpu, d.gaps, d.reads, d.spanNanos, problem));
        });
        return out;
    }

    /** One CPU's detector: written by its thread, read by the harness after the join. */
    private static final class Detector {
        final Histogram gaps = PhaseRecorders.newHistogram();
        long reads;
        long spanNanos;

        void spin(long start, long stop) {
            long prev = System.nanoTime();
            while (prev < start) {
                Thread.onSpinWait();
                prev = System.nanoTime();
            }
            long first = prev;
            long n = 0;
            while (prev < stop) {
                long now = System.nanoTime();
                long gap = now - prev;
                if (gap > THRESHOLD_NANOS) {
                    gaps.recordValue(Math.min(gap, PhaseRecorders.HIGHEST_NANOS));
                }
                prev = now;
                n++;
            }
            reads = n;
            spanNanos = n > 0 ? prev - first : 0;
        }
    }
}
