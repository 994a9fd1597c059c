package io.rtsem.latency.run;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import net.openhft.affinity.Affinity;

/**
 * Stops of the housekeeping CPUs that no thread could have avoided: a thread at {@code SCHED_FIFO} {@value #PRIORITY}
 * that sleeps {@value #RESOLUTION_NANOS} ns over and over and logs every wake-up more than {@value #STALL_NANOS} ns late.
 * At that priority no scenario thread (HARD 60, SOFT 40, the wake service 45, a boosted holder) and no
 * {@code SCHED_OTHER} work delays it; what does is the kernel (interrupts, softirqs in interrupt context, a
 * {@code stop_machine}), the hypervisor taking the vCPU, or the host's timer delivery. So a worst wait that overlaps
 * such a stop had a holder or releaser there that could not run whatever its priority: the platform's limit, which
 * the report names (kind {@code stall}). {@link HiccupMeter}, a {@code SCHED_OTHER} sleeper, measures what ordinary
 * threads see instead, the scenario's own real-time threads included, so it cannot tell the two apart.
 *
 * <p>The thread inherits the harness's mask (the housekeeping CPUs during a run) unless pinned for a test. Without the
 * privilege for {@code SCHED_FIFO} (no {@code CAP_SYS_NICE}, {@code RLIMIT_RTPRIO} below {@value #PRIORITY}) it logs
 * nothing, and {@link #problem()} says why. NON_RT: the constructor, {@link #stalls} and {@link #close} allocate; the
 * loop allocates nothing after its start. Cost: about a thousand wake-ups a second, each preempting for a few
 * microseconds whatever runs on its CPU, both subjects alike.
 */
public final class StallMeter implements AutoCloseable {
    /** Sleep asked for per measurement (nanoseconds). */
    public static final long RESOLUTION_NANOS = 1_000_000L;
    /** A wake-up later than this is logged as a stall (nanoseconds); this VM's FIFO timer wake-ups are ~50 µs late. */
    public static final long STALL_NANOS = 500_000L;
    /** The meter's {@code SCHED_FIFO} priority: above every thread rtsem or a scenario sets, below the kernel's 99. */
    public static final int PRIORITY = 98;
    /** Stalls kept; later ones are counted in {@link #lost()}. */
    static final int CAPACITY = 4096;

    /**
     * One stop.
     *
     * @param fromEpochNanos when the meter should have woken up (epoch nanoseconds)
     * @param toEpochNanos   when it did
     */
    public record Stall(long fromEpochNanos, long toEpochNanos) {
        /** @return how long the CPU was gone, nanoseconds */
        public long nanos() {
            return toEpochNanos - fromEpochNanos;
        }
    }

    private final long[] from = new long[CAPACITY];
    private final long[] to = new long[CAPACITY];
    /** Written by the meter thread after the slot it publishes (volatile store: the slot's plain writes come first). */
    private volatile int count;

    private volatile long lost;
    private volatile boolean stop;
    private volatile AppliedScheduling applied;
    private volatile String problem;
    private final CountDownLatch started = new CountDownLatch(1);
    private final Thread thread;

    /** Starts the meter on the caller's mask (the housekeeping CPUs during a run). NON_RT; allocates. */
    public StallMeter() {
        this(-1);
    }

    /**
     * Starts the meter, pinned to {@code cpu} if it is not negative, and waits until it has its scheduling. NON_RT;
     * allocates; blocks for the thread's start.
     *
     * @param cpu the CPU to pin the meter to (tests), or negative for the caller's mask
     */
    public StallMeter(int cpu) {
        thread = new Thread(() -> loop(cpu), "rtsem-stalls");
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                started.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop(int cpu) {
        try {
            if (cpu >= 0) {
                Affinity.setAffinity(cpu);
            }
            applied = RtThread.applyToCurrentThread(
                    RtContext.NON_RT, RtScheduling.fifo(PRIORITY).preferred());
            if (!applied.realTime()) {
                problem = "no platform-stall meter: it needs SCHED_FIFO " + PRIORITY + " (" + applied
                        + "), so the report cannot tell the platform's stops from the scenario's real-time threads";
                return;
            }
        } catch (RuntimeException | Error e) {
            problem = "no platform-stall meter: " + e;
            return;
        } finally {
            started.countDown();
        }
        while (!stop) {
            long t0 = System.nanoTime();
            LockSupport.parkNanos(RESOLUTION_NANOS); // no timer slack under a real-time policy
            long now = System.nanoTime();
            if (now - t0 - RESOLUTION_NANOS > STALL_NANOS) {
                int c = count;
                if (c < CAPACITY) {
                    from[c] = t0 + RESOLUTION_NANOS;
                    to[c] = now;
                    count = c + 1; // volatile: publishes the slot
                } else {
                    lost++; // single writer
                }
            }
        }
    }

    /**
     * @param epochOffset add to a {@code nanoTime} to get epoch nanoseconds ({@link EpochClock})
     * @return the stalls logged so far, oldest first
     */
    public List<Stall> stalls(long epochOffset) {
        int c = count; // volatile read: the slots below it are published
        List<Stall> out = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            out.add(new Stall(from[i] + epochOffset, to[i] + epochOffset));
        }
        return List.copyOf(out);
    }

    /** @return stalls not kept because {@link #CAPACITY} were kept already */
    public long lost() {
        return lost;
    }

    /** @return why the meter logs nothing (no real-time policy), or {@code null} if it runs */
    public String problem() {
        return problem;
    }

    /** @return the meter's scheduling as the kernel reported it, or {@code null} if it could not be applied */
    public AppliedScheduling scheduling() {
        return applied;
    }

    /** Stops the meter thread and waits up to a second for it (keeps the caller's interrupt status). */
    @Override
    public void close() {
        stop = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the meter thread (tests read its policy from the kernel) */
    Thread thread() {
        return thread;
    }
}
