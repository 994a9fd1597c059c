package io.rtsem.latency.bench.core;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.affinity.Affinity;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Ping-pong between two threads pinned to CPU 0 and CPU 1, each declared HARD: the pinger gives a permit and waits
 * for one back; JMH samples the round trip (two one-way hand-offs). Three groups, same run, same CPUs:
 * <ul>
 *   <li>{@code volatileFloor}: a raw volatile sequence number hand-off, the floor;</li>
 *   <li>{@code rtsem}: {@link RtSemaphore} release / HARD spinning acquire;</li>
 *   <li>{@code juc}: {@link Semaphore} release / acquire (its waiter parks after a short spin and is unparked).</li>
 * </ul>
 * Targets (issue "rt-core"): rtsem p50 within 1.2x and p99.9 within 1.5x of the floor.
 *
 * <p>Waits use a timed acquire and re-check JMH's {@link Control#stopMeasurement} so that an iteration can end while
 * the partner is already gone (a blocking ping-pong would hang JMH at the iteration's end). Two pinned spinners on a
 * 2-CPU machine leave no CPU for anything else: iterations are short.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
public class HandoffBenchmark {
    /** The shared objects of one ping-pong pair. */
    @State(Scope.Group)
    public static class Pair {
        final RtSemaphore rtPing = new RtSemaphore(0);
        final RtSemaphore rtPong = new RtSemaphore(0);
        final Semaphore jucPing = new Semaphore(0);
        final Semaphore jucPong = new Semaphore(0);
        final PaddedSequence ping = new PaddedSequence();
        final PaddedSequence pong = new PaddedSequence();

        /** An iteration may end mid-exchange: start every iteration from an empty circuit. */
        @Setup(Level.Iteration)
        public void reset() {
            rtPing.drainPermits();
            rtPong.drainPermits();
            jucPing.drainPermits();
            jucPong.drainPermits();
            ping.set(0);
            pong.set(0);
        }
    }

    /**
     * Per thread: pin (thread 0 of a group to CPU 0, thread 1 to CPU 1) and declare HARD. Every benchmark method takes
     * this state, even where it does not read it: JMH sets a state up only for the methods that use it.
     */
    @State(Scope.Thread)
    public static class Pinned {
        private RtContext.Scope scope;
        long sequence;

        /** Pins the calling JMH worker thread. @param params the thread's place in its group. */
        @Setup(Level.Trial)
        public void pin(ThreadParams params) {
            final int cpu = params.getGroupThreadIndex()
                    % Math.max(1, Runtime.getRuntime().availableProcessors());
            Affinity.setAffinity(cpu);
            if (Affinity.getAffinity().cardinality() != 1
                    || !Affinity.getAffinity().get(cpu)) {
                throw new IllegalStateException(
                        "could not pin benchmark thread to cpu " + cpu + ": mask " + Affinity.getAffinity());
            }
            scope = RtContext.enter(RtContext.HARD);
        }

        /** Restarts the sequence with the pair's. */
        @Setup(Level.Iteration)
        public void reset() {
            sequence = 0;
        }

        /** Undoes the HARD declaration. */
        @TearDown(Level.Trial)
        public void unpin() {
            scope.close();
            Affinity.resetToBaseAffinity();
        }
    }

    /** A volatile long alone on its cache lines. */
    public static final class PaddedSequence extends AtomicLong {
        private static final long serialVersionUID = 1L;
        long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    // ------------------------------------------------------------------------------------------ shared waits

    /**
     * Spins until {@code sequence} holds {@code value}. @param sequence the cache line watched. @param value the
     * value awaited. @param control JMH's. @return {@code false} if the iteration ended first.
     */
    static boolean awaitValue(PaddedSequence sequence, long value, Control control) {
        while (sequence.get() != value) {
            if (control.stopMeasurement) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /**
     * Spins until {@code sequence} moves away from {@code last}. @param sequence the cache line watched. @param last
     * the value seen before. @param control JMH's. @return the new value, or {@code last} if the iteration ended.
     */
    static long awaitChange(PaddedSequence sequence, long last, Control control) {
        long seen;
        while ((seen = sequence.get()) == last) {
            if (control.stopMeasurement) {
                return last;
            }
            Thread.onSpinWait();
        }
        return seen;
    }

    /**
     * Takes one permit of {@code sem}, waiting as the caller's context waits (HARD: spinning), in 10 ms slices so
     * that an iteration can end. @param sem the semaphore. @param control JMH's. @return {@code false} if the
     * iteration ended first. @throws InterruptedException never here.
     */
    static boolean awaitPermit(RtSemaphore sem, Control control) throws InterruptedException {
        while (!sem.tryAcquire(1, 10, TimeUnit.MILLISECONDS)) {
            if (control.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ volatile floor

    /** Floor pinger: publish the next sequence number, spin until the ponger echoes it. */
    @Benchmark
    @Group("volatileFloor")
    @GroupThreads(1)
    public void volatilePing(Pair pair, Pinned me, Control control) {
        final long next = ++me.sequence;
        pair.ping.lazySet(next);
        awaitValue(pair.pong, next, control);
    }

    /** Floor ponger: spin until a new sequence number arrives, echo it. */
    @Benchmark
    @Group("volatileFloor")
    @GroupThreads(1)
    public void volatilePong(Pair pair, Pinned me, Control control) {
        final long seen = awaitChange(pair.ping, me.sequence, control);
        if (seen == me.sequence) {
            return;
        }
        me.sequence = seen;
        pair.pong.lazySet(seen);
    }

    // ------------------------------------------------------------------------------------------ rtsem

    /** rtsem pinger: release the ping permit, HARD-spin for the pong permit. @throws InterruptedException never. */
    @Benchmark
    @Group("rtsem")
    @GroupThreads(1)
    public void rtsemPing(Pair pair, Pinned me, Control control) throws InterruptedException {
        pair.rtPing.release();
        awaitPermit(pair.rtPong, control);
    }

    /** rtsem ponger: HARD-spin for the ping permit, release the pong permit. @throws InterruptedException never. */
    @Benchmark
    @Group("rtsem")
    @GroupThreads(1)
    public void rtsemPong(Pair pair, Pinned me, Control control) throws InterruptedException {
        if (awaitPermit(pair.rtPing, control)) {
            pair.rtPong.release();
        }
    }

    // ------------------------------------------------------------------------------------------ j.u.c peer

    /** j.u.c pinger. @throws InterruptedException never. */
    @Benchmark
    @Group("juc")
    @GroupThreads(1)
    public void jucPing(Pair pair, Pinned me, Control control) throws InterruptedException {
        pair.jucPing.release();
        while (!pair.jucPong.tryAcquire(1, 10, TimeUnit.MILLISECONDS)) {
            if (control.stopMeasurement) {
                return;
            }
        }
    }

    /** j.u.c ponger. @throws InterruptedException never. */
    @Benchmark
    @Group("juc")
    @GroupThreads(1)
    public void jucPong(Pair pair, Pinned me, Control control) throws InterruptedException {
        while (!pair.jucPing.tryAcquire(1, 10, TimeUnit.MILLISECONDS)) {
            if (control.stopMeasurement) {
                return;
            }
        }
        pair.jucPong.release();
    }
}
