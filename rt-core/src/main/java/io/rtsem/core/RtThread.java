package io.rtsem.core;

import java.util.BitSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;

/**
 * A thread with a fixed {@link RtContext}, pinned to a CPU with OpenHFT Java-Thread-Affinity before its body runs.
 *
 * <p>{@link #start(String, RtContext, int, Runnable)} returns only once the new thread is pinned (or known not to
 * need pinning). A thread that asked for a CPU and could not be pinned never runs its body: {@code start} throws an
 * {@link IllegalStateException} naming the CPU and the reason. rtsem never runs a real-time thread silently
 * unpinned.
 *
 * <p>Pinning: where Java-Thread-Affinity can reserve the CPU with an {@link AffinityLock} (a lock file shared by every
 * process using the library; on a 2-CPU machine only CPU 1 is reservable, CPU 0 never is), it does; otherwise it
 * binds with {@link Affinity#setAffinity(int)} ({@code sched_setaffinity}) and verifies the resulting mask. How the
 * thread was pinned is in {@link #pinning()}.
 */
public final class RtThread extends Thread {
    /** Pin to any CPU that no other pinned RtThread of this JVM holds. */
    public static final int ANY_CPU = -2;
    /** Do not pin. */
    public static final int NO_PIN = -1;

    private static final Set<Integer> PINNED_HERE = ConcurrentHashMap.newKeySet();

    private final RtContext context;
    private final int requestedCpu;
    private final Runnable body;
    private final CountDownLatch pinned = new CountDownLatch(1);
    // Written by the new thread before it counts `pinned` down; start() reads them after await(): the latch orders
    // them, and volatile keeps later readers (cpu() from any thread) exact without it.
    private volatile int cpu = -1;
    private volatile String pinning = "not pinned";
    private volatile RuntimeException pinFailure;

    private RtThread(String name, RtContext context, int requestedCpu, Runnable body) {
        super(name);
        this.context = context;
        this.requestedCpu = requestedCpu;
        this.body = body;
    }

    /**
     * Creates, starts and pins a thread that runs {@code body} in {@code context}.
     *
     * <p>NON_RT, set-up time: allocates the thread and blocks until it has pinned itself (microseconds to a few
     * milliseconds). The new thread is a daemon if the caller is.
     *
     * @param name    thread name, not {@code null}.
     * @param context the thread's fixed context, not {@code null}.
     * @param cpu     a CPU id ({@code 0..n-1} of this machine), {@link #ANY_CPU} or {@link #NO_PIN}.
     * @param body    what the thread runs, not {@code null}.
     * @return the started, pinned thread.
     * @throws IllegalArgumentException if {@code cpu} is not a CPU of this machine nor ANY_CPU/NO_PIN.
     * @throws IllegalStateException if the thread could not be pinned (names the CPU and the reason); the body then
     *                               never runs.
     */
    public static RtThread start(String name, RtContext context, int cpu, Runnable body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(body, "body");
        final int cpus = Runtime.getRuntime().availableProcessors();
        final int configured = AffinityLock.PROCESSORS;
        if (cpu != ANY_CPU && cpu != NO_PIN && (cpu < 0 || cpu >= Math.max(cpus, configured))) {
            throw new IllegalArgumentException("cpu " + cpu + " is not a CPU of this machine (0.."
                    + (Math.max(cpus, configured) - 1) + "), nor RtThread.ANY_CPU (-2) or RtThread.NO_PIN (-1)");
        }
        final RtThread thread = new RtThread(name, context, cpu, body);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.pinned.await();
                break;
            } catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        final RuntimeException failure = thread.pinFailure;
        if (failure != null) {
            throw failure;
        }
        return thread;
    }

    /**
     * The CPU this thread is pinned to, or -1 if it is not pinned. Any context; a volatile read.
     *
     * @return the CPU id, or -1.
     */
    public int cpu() {
        return cpu;
    }

    /**
     * The context this thread was started with; it never changes. Any context; no allocation.
     *
     * @return the context.
     */
    public RtContext context() {
        return context;
    }

    /**
     * How this thread was pinned: {@code "AffinityLock cpu N"}, {@code "sched_setaffinity cpu N"} or
     * {@code "not pinned"}. Any context.
     *
     * @return a description.
     */
    public String pinning() {
        return pinning;
    }

    /**
     * Pins the thread, then runs the body. Called by the JVM on the new thread only.
     *
     * @throws IllegalStateException if called directly from another thread.
     */
    @Override
    public void run() {
        if (Thread.currentThread() != this) {
            throw new IllegalStateException("RtThread.run() runs on the RtThread itself; use RtThread.start(..)");
        }
        AffinityLock lock = null;
        try {
            try {
                lock = pin();
            } catch (RuntimeException | Error ex) {
                pinFailure = ex instanceof IllegalStateException
                        ? (IllegalStateException) ex
                        : new IllegalStateException(
                                "RtThread '" + getName() + "' could not be pinned to " + describe(requestedCpu) + ": "
                                        + ex,
                                ex);
                return;
            } finally {
                pinned.countDown();
            }
            body.run();
        } finally {
            if (lock != null) {
                lock.release();
            }
            final int held = cpu;
            if (held >= 0) {
                PINNED_HERE.remove(held);
            }
        }
    }

    private AffinityLock pin() {
        if (requestedCpu == NO_PIN) {
            return null;
        }
        if (requestedCpu == ANY_CPU) {
            final AffinityLock lock = AffinityLock.acquireLock();
            if (lock.cpuId() >= 0 && PINNED_HERE.add(lock.cpuId())) {
                verifyBoundTo(lock.cpuId(), "AffinityLock");
                cpu = lock.cpuId();
                pinning = "AffinityLock cpu " + cpu;
                return lock;
            }
            lock.release();
            final BitSet base = AffinityLock.BASE_AFFINITY;
            for (int c = base.length() - 1; c >= 0; c--) {
                if (base.get(c) && PINNED_HERE.add(c)) {
                    bindWithSetAffinity(c);
                    return null;
                }
            }
            throw new IllegalStateException("RtThread '" + getName() + "' asked for ANY_CPU but every CPU of " + base
                    + " already holds a pinned RtThread of this JVM, and AffinityLock had none to reserve");
        }
        if (!PINNED_HERE.add(requestedCpu)) {
            throw new IllegalStateException("RtThread '" + getName() + "' cannot be pinned to cpu " + requestedCpu
                    + ": another live RtThread of this JVM is pinned there");
        }
        try {
            if (AffinityLock.RESERVED_AFFINITY.get(requestedCpu)) {
                final AffinityLock lock = AffinityLock.acquireLock(requestedCpu);
                if (lock.cpuId() == requestedCpu && lock.isAllocated()) {
                    verifyBoundTo(requestedCpu, "AffinityLock");
                    cpu = requestedCpu;
                    pinning = "AffinityLock cpu " + cpu;
                    return lock;
                }
                lock.release();
            }
            bindWithSetAffinity(requestedCpu);
            return null;
        } catch (RuntimeException ex) {
            PINNED_HERE.remove(requestedCpu);
            throw ex;
        }
    }

    private void bindWithSetAffinity(int target) {
        try {
            Affinity.setAffinity(target);
        } catch (RuntimeException | Error ex) {
            PINNED_HERE.remove(target);
            throw new IllegalStateException(
                    "RtThread '" + getName() + "' could not be pinned to cpu " + target + ": sched_setaffinity failed: "
                            + ex,
                    ex);
        }
        verifyBoundTo(target, "sched_setaffinity");
        cpu = target;
        pinning = "sched_setaffinity cpu " + target;
    }

    private void verifyBoundTo(int target, String how) {
        final BitSet mask = Affinity.getAffinity();
        if (mask.cardinality() != 1 || !mask.get(target)) {
            PINNED_HERE.remove(target);
            throw new IllegalStateException(
                    "RtThread '" + getName() + "' could not be pinned to cpu " + target + ": after " + how
                            + " its affinity mask is " + mask + " (is the CPU outside this process's cpuset?)");
        }
    }

    private static String describe(int cpu) {
        return cpu == ANY_CPU ? "ANY_CPU" : cpu == NO_PIN ? "NO_PIN" : "cpu " + cpu;
    }

    /** @return name, context and CPU, for diagnostics (allocates). */
    @Override
    public String toString() {
        return "RtThread[" + getName() + ", " + context + ", " + pinning + "]";
    }
}
