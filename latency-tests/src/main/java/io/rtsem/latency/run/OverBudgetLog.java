package io.rtsem.latency.run;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * Waits over budget, handed from a scenario thread to the harness, which turns them into JFR
 * {@code io.rtsem.WaitOverBudget} events (visible in JDK Mission Control when the run's
 * {@code run.jfr} is opened).
 *
 * <p>Why a ring: creating a JFR event allocates, and a real-time thread must not allocate. The
 * scenario thread writes into preallocated arrays instead ({@link #offer}: a few plain stores, no
 * branch that depends on the value, so no rarely-taken path for the JIT to deoptimize on) and a
 * harness thread drains the ring ({@link #drain}). Single writer, single reader; if the reader
 * falls behind by more than the capacity, the oldest entries are overwritten and counted as lost.
 */
public final class OverBudgetLog {

    /** The JFR event committed by {@link #drain} for each wait over budget. */
    @Name("io.rtsem.WaitOverBudget")
    @Label("Wait Over Budget")
    @Category({"rtsem", "Latency"})
    @Description("A semaphore wait longer than its context's budget (committed by the harness shortly after the wait)")
    public static final class WaitOverBudgetEvent extends Event {
        /** Scenario thread name. */
        @Label("Thread Name")
        public String threadName;
        /** HARD, SOFT or NON_RT. */
        @Label("Context")
        public String context;
        /** Which semaphore: rtsem or the j.u.c. peer. */
        @Label("Subject")
        public String subject;
        /** Corrected wait. */
        @Label("Wait")
        @Timespan(Timespan.NANOSECONDS)
        public long waitNanos;
        /** The budget it exceeded. */
        @Label("Budget")
        @Timespan(Timespan.NANOSECONDS)
        public long budgetNanos;
        /** Intended start of the wait, in nanoseconds since the epoch. */
        @Label("Wait Start (epoch ns)")
        public long waitStartEpochNanos;
    }

    private final long thresholdNanos;
    private final long[] wait;
    private final long[] start;
    private final int mask;
    private static final java.lang.invoke.VarHandle HEAD;

    static {
        try {
            HEAD = java.lang.invoke.MethodHandles.lookup().findVarHandle(OverBudgetLog.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long head; // written by the owner with release order, read by the harness with acquire order
    private long tail;
    private long lost;

    /**
     * @param thresholdNanos waits above this are logged ({@link Long#MAX_VALUE}: none)
     * @param capacity       ring size, a power of two
     */
    public OverBudgetLog(long thresholdNanos, int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.thresholdNanos = thresholdNanos;
        this.wait = new long[capacity];
        this.start = new long[capacity];
        this.mask = capacity - 1;
    }

    /** @return the threshold in nanoseconds. */
    public long thresholdNanos() {
        return thresholdNanos;
    }

    /**
     * Logs a wait if it is over the threshold. Owner thread only, any context; allocation-free,
     * branch-free on the value: the slot is always written and the head advances by 0 or 1.
     *
     * @param waitNanos     the corrected wait (0 during warm-up, so never logged then)
     * @param startNanoTime its intended start
     */
    public void offer(long waitNanos, long startNanoTime) {
        long h = head; // plain read: only this thread writes head
        int i = (int) h & mask;
        wait[i] = waitNanos;
        start[i] = startNanoTime;
        // the slot is visible BEFORE the head that covers it; +1 exactly when waitNanos > threshold
        HEAD.setRelease(this, h + ((thresholdNanos - waitNanos) >>> 63));
    }

    /**
     * Commits a JFR event for every logged wait not drained yet. One harness thread (NON_RT);
     * allocates the events.
     *
     * @param threadName    scenario thread
     * @param context       its context
     * @param subject       rtsem or the peer
     * @param epochOffsetNanos add to a {@code nanoTime} to get nanoseconds since the epoch
     * @return number of waits drained in this call
     */
    public int drain(String threadName, String context, String subject, long epochOffsetNanos) {
        long h = (long) HEAD.getAcquire(this);
        if (h - tail > wait.length) {
            lost += h - tail - wait.length;
            tail = h - wait.length;
        }
        int n = 0;
        for (; tail < h; tail++) {
            int i = (int) tail & mask;
            WaitOverBudgetEvent e = new WaitOverBudgetEvent();
            e.threadName = threadName;
            e.context = context;
            e.subject = subject;
            e.waitNanos = wait[i];
            e.budgetNanos = thresholdNanos;
            e.waitStartEpochNanos = start[i] + epochOffsetNanos;
            e.commit();
            n++;
        }
        return n;
    }

    /** @return total waits over the threshold so far (drained or not). */
    public long count() {
        return (long) HEAD.getAcquire(this);
    }

    /** @return waits overwritten before they could be drained. */
    public long lost() {
        return lost;
    }
}
