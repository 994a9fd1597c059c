package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>{@link #measure} is called by the harness (NON_RT), allocates the histograms and threads and
 * blocks until they end; the spinning threads allocate nothing and make no system call besides
 * the clock read (a vDSO call) while they measure.
 */
public final class CpuGapMeter {
    /** Gaps between two clock reads longer than this are recorded (a read takes about 25 ns). */
    public static final long THRESHOLD_NANOS = 1_000L;

    /**
     * What one CPU showed.
     *
     * @param cpu    the CPU
     * @param gaps   gaps over the threshold, nanoseconds
     * @param reads  clock reads done (shows the detector ran)
     */
    public record CpuGaps(int cpu, Histogram gaps, long reads) {
    }

    private CpuGapMeter() {
    }

    /**
     * Spins on every CPU of {@code cpus} at once for {@code durationNanos}. NON_RT caller; blocks
     * for about {@code durationNanos}; starts one pinned spinning HARD thread per CPU.
     *
     * @param cpus          CPU numbers (negative entries, {@code RtThread.NO_PIN} or {@code ANY_CPU}, are skipped)
     * @param durationNanos how long to spin
     * @return the gaps of each CPU, in the order given, distinct CPUs only
     * @throws InterruptedException  if the caller is interrupted while waiting
     * @throws IllegalStateException if a thread cannot be pinned
     */
    public static List<CpuGaps> measure(int[] cpus, long durationNanos) throws InterruptedException {
        Map<Integer, Detector> detectors = new LinkedHashMap<>();
        for (int c : cpus) {
            if (c >= 0) {
                detectors.putIfAbsent(c, new Detector());
            }
        }
        long start = System.nanoTime() + 10_000_000L;
        long stop = start + durationNanos;
        List<RtThread> threads = new ArrayList<>();
        try {
            for (Map.Entry<Integer, Detector> e : detectors.entrySet()) {
                Detector d = e.getValue();
                threads.add(RtThread.start("rtsem-gap-" + e.getKey(), RtContext.HARD, e.getKey(), () -> d.spin(start, stop)));
            }
        } finally {
            for (RtThread t : threads) {
                t.join();
            }
        }
        List<CpuGaps> out = new ArrayList<>();
        detectors.forEach((cpu, d) -> out.add(new CpuGaps(cpu, d.gaps, d.reads)));
        return out;
    }

    /** One CPU's detector: written by its thread, read by the harness after the join. */
    private static final class Detector {
        final Histogram gaps = PhaseRecorders.newHistogram();
        long reads;

        void spin(long start, long stop) {
            long prev = System.nanoTime();
            while (prev < start) {
                Thread.onSpinWait();
                prev = System.nanoTime();
            }
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
        }
    }
}
