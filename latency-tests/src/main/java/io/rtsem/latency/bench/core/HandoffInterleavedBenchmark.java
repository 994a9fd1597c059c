package io.rtsem.latency.bench.core;

import io.rtsem.core.RtSemaphore;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * HARD to HARD hand-off, rtsem against the raw volatile floor, <em>interleaved</em>: the same two pinned threads
 * (CPU 0 and CPU 1) alternate batches of {@value #BATCH} round trips on the floor and on rtsem, so both arms see the
 * same placement of the vCPUs. (On a VM the host may place the vCPUs so that a cross-core hand-off takes one of two
 * quite different times, the mode flipping between runs (docs/LATENCY.md, "Platform figures quoted in the code"):
 * {@link HandoffBenchmark} runs its groups one after the other, and its floor and rtsem groups can land in different
 * modes.)
 *
 * <p>The pinger times every round trip itself ({@code System.nanoTime()} before the send and after the echo, the same
 * clock cost in both arms) into one HdrHistogram per arm, and prints both and their ratios at the end of the trial;
 * JMH's own score mixes the two arms and is not the result. Targets (issue "rt-core"): rtsem p50 within 1.2x and p99.9
 * within 1.5x of the floor.
 *
 * <p>Arm switch, without a lost round: before the send that ends a batch, the pinger writes the next arm into
 * {@code nextArm}; that plain write is ordered before the send (a release store or a releasing CAS), so the ponger
 * reads the new arm after it received that round, and waits on the new channel from then on.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
public class HandoffInterleavedBenchmark {
    /** Round trips per batch on one arm before switching to the other. */
    static final int BATCH = 256;

    static final int FLOOR = 0;
    static final int RTSEM = 1;

    /** The shared circuit and the pinger's histograms. */
    @State(Scope.Group)
    public static class Pair {
        final HandoffBenchmark.PaddedSequence ping = new HandoffBenchmark.PaddedSequence();
        final HandoffBenchmark.PaddedSequence pong = new HandoffBenchmark.PaddedSequence();
        final RtSemaphore rtPing = new RtSemaphore(0);
        final RtSemaphore rtPong = new RtSemaphore(0);
        /** Written by the pinger before a send, read by the ponger after the receive (see the class comment). */
        int nextArm;

        final Histogram[] measured = {new Histogram(3_600_000_000_000L, 3), new Histogram(3_600_000_000_000L, 3)};
        final Histogram[] discarded = {new Histogram(3_600_000_000_000L, 3), new Histogram(3_600_000_000_000L, 3)};
        Histogram[] recording = discarded;

        /** Every iteration starts from an empty circuit on the floor arm; warm-up rounds are not kept. */
        @Setup(Level.Iteration)
        public void reset(IterationParams params) {
            rtPing.drainPermits();
            rtPong.drainPermits();
            ping.set(0);
            pong.set(0);
            nextArm = FLOOR;
            recording = params.getType() == IterationType.MEASUREMENT ? measured : discarded;
        }

        /** Prints both arms and their ratios. */
        @TearDown(Level.Trial)
        public void report() {
            final Histogram floor = measured[FLOOR];
            final Histogram rtsem = measured[RTSEM];
            System.out.printf(
                    "%n[interleaved hand-off] round trips, ns   %10s %8s %8s %8s %9s %10s%n",
                    "count", "p50", "p99", "p99.9", "p99.99", "max");
            for (final int arm : new int[] {FLOOR, RTSEM}) {
                final Histogram h = measured[arm];
                System.out.printf(
                        "[interleaved hand-off] %-16s %10d %8d %8d %8d %9d %10d%n",
                        arm == FLOOR ? "volatile floor" : "rtsem",
                        h.getTotalCount(),
                        h.getValueAtPercentile(50),
                        h.getValueAtPercentile(99),
                        h.getValueAtPercentile(99.9),
                        h.getValueAtPercentile(99.99),
                        h.getMaxValue());
            }
            System.out.printf(
                    "[interleaved hand-off] %-16s %10s %8.2f %8.2f %8.2f %9.2f %10.2f%n",
                    "rtsem/floor",
                    "",
                    ratio(rtsem, floor, 50),
                    ratio(rtsem, floor, 99),
                    ratio(rtsem, floor, 99.9),
                    ratio(rtsem, floor, 99.99),
                    (double) rtsem.getMaxValue() / Math.max(1, floor.getMaxValue()));
        }

        private static double ratio(Histogram a, Histogram b, double percentile) {
            return (double) a.getValueAtPercentile(percentile) / Math.max(1, b.getValueAtPercentile(percentile));
        }
    }

    /** Per thread: pinned (pinger CPU 0, ponger CPU 1), HARD, with its place in the circuit. */
    @State(Scope.Thread)
    public static class Side extends HandoffBenchmark.Pinned {
        int arm;
        long rounds;

        /** Every iteration starts on the floor arm, as the pair does. */
        @Setup(Level.Iteration)
        public void restart() {
            arm = FLOOR;
            rounds = 0;
        }
    }

    /**
     * Pinger: one round trip on the current arm, timed, switching arms every {@value #BATCH} rounds.
     *
     * @throws InterruptedException never (HARD waits here are timed so an iteration can end).
     */
    @Benchmark
    @Group("interleaved")
    @GroupThreads(1)
    public void ping(Pair pair, Side me, Control control) throws InterruptedException {
        final int arm = me.arm;
        final long round = ++me.rounds;
        if (round % BATCH == 0) {
            me.arm = 1 - arm;
            pair.nextArm = me.arm; // ordered before the send below
        }
        final long start = System.nanoTime();
        if (arm == FLOOR) {
            me.sequence++;
            pair.ping.lazySet(me.sequence);
            if (!HandoffBenchmark.awaitValue(pair.pong, me.sequence, control)) {
                return;
            }
        } else {
            pair.rtPing.release();
            if (!HandoffBenchmark.awaitPermit(pair.rtPong, control)) {
                return;
            }
        }
        pair.recording[arm].recordValue(System.nanoTime() - start);
    }

    /**
     * Ponger: receives one round on its current arm, echoes it, then reads the arm of the next round.
     *
     * @throws InterruptedException never.
     */
    @Benchmark
    @Group("interleaved")
    @GroupThreads(1)
    public void pong(Pair pair, Side me, Control control) throws InterruptedException {
        if (me.arm == FLOOR) {
            final long seen = HandoffBenchmark.awaitChange(pair.ping, me.sequence, control);
            if (seen == me.sequence) {
                return;
            }
            me.sequence = seen;
            me.arm = pair.nextArm; // after the receive: the pinger's write came before its send
            pair.pong.lazySet(seen);
        } else {
            if (!HandoffBenchmark.awaitPermit(pair.rtPing, control)) {
                return;
            }
            me.arm = pair.nextArm;
            pair.rtPong.release();
        }
    }
}
