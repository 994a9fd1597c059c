package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The floor: the one-way latency of handing a value from one CPU to another through one cache
 * line, by two threads that spin on each other (ping-pong), on the scenario's real-time CPUs. No
 * semaphore can hand over permits faster than this on the same CPUs, so rtsem's figures are
 * reported as ratios to it. Each one-way trip includes one {@code System.nanoTime()} read (its
 * cost: docs/LATENCY.md, "Platform figures quoted in the code"), as every figure of the scenario does.
 *
 * <p>Both threads are HARD {@link RtThread}s that busy-spin for the whole measurement: on a
 * 2-CPU machine they occupy both CPUs, so keep the duration short (the default is 1 s). The
 * caller (NON_RT) blocks in {@link #measure} until both threads are done.
 */
public final class HandoffFloorMeter {
    private final ReleaseStamp ping = new ReleaseStamp();
    private final ReleaseStamp pong = new ReleaseStamp();
    private final Recorder recorder = new Recorder(1, PhaseRecorders.HIGHEST_NANOS, PhaseRecorders.DIGITS);
    private volatile long measureFrom;
    private volatile long stopAt;

    /**
     * Measures the floor between two CPUs. NON_RT caller; blocks for about
     * {@code warmupNanos + durationNanos}; starts two spinning HARD threads.
     *
     * @param cpuA          CPU of the first thread (a CPU number, {@code RtThread.ANY_CPU} or {@code NO_PIN})
     * @param cpuB          CPU of the second thread
     * @param warmupNanos   discarded part at the start
     * @param durationNanos measured part
     * @return one-way hand-off latencies in both directions, nanoseconds
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    public static Histogram measure(int cpuA, int cpuB, long warmupNanos, long durationNanos)
            throws InterruptedException {
        return new HandoffFloorMeter().run(cpuA, cpuB, warmupNanos, durationNanos);
    }

    private Histogram run(int cpuA, int cpuB, long warmupNanos, long durationNanos) throws InterruptedException {
        long start = System.nanoTime() + 10_000_000L;
        measureFrom = start + warmupNanos;
        stopAt = start + warmupNanos + durationNanos;
        // Inherited scheduling, not HARD's default: two pinned spinners at unthrottled FIFO would leave no CPU for the
        // thread that ends the measurement (nor for the JIT, GC or OS) on a 2-CPU machine.
        RtThread a = RtThread.start(
                "rtsem-floor-a", RtContext.HARD, cpuA, RtScheduling.unchanged(), () -> side(ping, pong, true));
        RtThread b = RtThread.start(
                "rtsem-floor-b", RtContext.HARD, cpuB, RtScheduling.unchanged(), () -> side(pong, ping, false));
        a.join();
        b.join();
        Histogram h = PhaseRecorders.newHistogram();
        h.add(recorder.getIntervalHistogram());
        return h;
    }

    /** One side: send my stamp, wait for the other side's stamp, record its age. Allocation-free. */
    private void side(ReleaseStamp mine, ReleaseStamp theirs, boolean serves) {
        final long from = measureFrom;
        final long stop = stopAt;
        long lastSeen = 0;
        if (serves) {
            mine.setRelease(System.nanoTime());
        }
        while (true) {
            long seen;
            int spins = 0;
            while ((seen = theirs.getAcquire()) == lastSeen) {
                Thread.onSpinWait();
                if ((++spins & 0xFFF) == 0 && System.nanoTime() >= stop) {
                    return;
                }
            }
            long now = System.nanoTime();
            lastSeen = seen;
            if (seen >= from) {
                recorder.recordValue(Math.min(now - seen, PhaseRecorders.HIGHEST_NANOS));
            }
            if (now >= stop) {
                mine.setRelease(now); // let the other side see one more value and leave too
                return;
            }
            mine.setRelease(System.nanoTime());
        }
    }
}
