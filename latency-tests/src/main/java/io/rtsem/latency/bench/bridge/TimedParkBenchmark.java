package io.rtsem.latency.bench.bridge;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.openhft.affinity.Affinity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long a wake service's poll really sleeps: one {@code LockSupport.parkNanos(parkMicros)} per sample, on a thread
 * pinned to CPU 0 under {@code scheduling} with its timer slack set to {@code slackNanos}
 * ({@code prctl(PR_SET_TIMERSLACK)}; Linux gives a real-time thread no slack and ignores the call for it). A bridge's
 * wake of a NON_RT waiter after a HARD release waits, on average, half of this plus the waiter's own wake-up, so this
 * is the floor of {@code bridge-P-S} in {@link BridgeWakeBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms128m", "-Xmx128m"})
@State(Scope.Thread)
public class TimedParkBenchmark {
    /** The scheduling of the parking thread, in {@link RtScheduling#parse} syntax. */
    @Param({"other", "fifo:45"})
    public String scheduling;

    /** The thread's timer slack in ns (Linux's default is 50,000; the wake service sets 1,000). */
    @Param({"1000", "50000"})
    public long slackNanos;

    /** What {@code parkNanos} is asked for, in µs (the bridge's default poll is 20). */
    @Param({"20"})
    public long parkMicros;

    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;

    /**
     * Pins the benchmark thread to CPU 0 and applies the scheduling and the slack to it. Not timed; set-up time,
     * system calls.
     */
    @Setup(Level.Trial)
    public void setUp() {
        Affinity.setAffinity(0);
        final AppliedScheduling applied =
                RtThread.applyToCurrentThread(RtContext.NON_RT, RtScheduling.parse(scheduling));
        Libc.prctl(PR_SET_TIMERSLACK, slackNanos, 0L, 0L, 0L);
        System.out.printf(
                "%n[%s, slack %d ns asked] %s, timer slack %d ns%n",
                scheduling, slackNanos, applied, Libc.prctl(PR_GET_TIMERSLACK, 0L, 0L, 0L, 0L));
    }

    /** One timed park. No allocation. */
    @Benchmark
    public void parkNanos() {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(parkMicros));
    }

    /** Puts the thread back to SCHED_OTHER (the JMH worker is reused for nothing else, but leave it ordinary). */
    @TearDown(Level.Trial)
    public void tearDown() {
        RtThread.applyToCurrentThread(RtContext.NON_RT, RtScheduling.other());
    }

    /** {@code prctl} through a JNA direct mapping, as rt-bridge's TimerSlack does. */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance("c"));
        }

        static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }
}
