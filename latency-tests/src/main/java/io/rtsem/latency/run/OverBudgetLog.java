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
 * harness thread drains the ring ({@link #drain}). Single writer, single reader. A slot not yet
 * drained is never overwritten: while the ring is full, waits over the threshold are counted as
 * lost ({@link #lost}, in the report's notes) and their values go to a scratch slot that is never
 * read.
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

    /** Receives drained waits; called on the draining harness thread (NON_RT), inside {@link #drain(Sink)}. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param waitNanos     a corrected wait over the threshold
         * @param startNanoTime its intended start ({@code nanoTime})
         */
        void accept(long waitNanos, long startNanoTime);
    }

    private final long thresholdNanos;
    private final long[] wait;
    private final long[] start;
    private final int capacity;
    private final int mask;
    private static final java.lang.invoke.VarHandle HEAD;
    private static final java.lang.invoke.VarHandle TAIL;
    private static final java.lang.invoke.VarHandle LOST;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            HEAD = l.findVarHandle(OverBudgetLog.class, "head", long.class);
            TAIL = l.findVarHandle(OverBudgetLog.class, "tail", long.class);
            LOST = l.findVarHandle(OverBudgetLog.class, "lost", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long head; // written by the owner with release order, read by the harness with acquire order
    private long tail; // written by the harness with release order, read by the owner with acquire order
    private long lost; // written by the owner with release order

    /**
     * @param thresholdNanos waits above this are logged ({@link Long#MAX_VALUE}: none)
     * @param capacity       ring size, a power of two
     */
    public OverBudgetLog(long thresholdNanos, int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.thresholdNanos = thresholdNanos;
        this.wait = new long[capacity + 1]; // + the scratch slot written while the ring is full
        this.start = new long[capacity + 1];
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /** @return the threshold in nanoseconds. */
    public long thresholdNanos() {
        return thresholdNanos;
    }

    /**
     * Logs a wait if it is over the threshold. Owner thread only, any context; allocation-free,
     * branch-free on the value: a slot is always written (the next free one, or the scratch slot
     * while the ring is full) and the head advances by 0 or 1.
     *
     * @param waitNanos     the corrected wait (0 during warm-up, so never logged then)
     * @param startNanoTime its intended start
     */
    public void offer(long waitNanos, long startNanoTime) {
        long h = head; // plain read: only this thread writes head
        long t = (long) TAIL.getAcquire(this);
        long full = ((h - t - capacity) >>> 63) ^ 1; // 1 when every slot holds a wait not drained yet
        long over = (thresholdNanos - waitNanos) >>> 63; // 1 when waitNanos > threshold
        int i = (int) ((h & mask) * (1 - full) + capacity * full);
        wait[i] = waitNanos;
        start[i] = startNanoTime;
        LOST.setRelease(this, lost + (over & full));
        // the slot is visible BEFORE the head that covers it
        HEAD.setRelease(this, h + (over & (1 - full)));
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
        return drain((waitNanos, startNanoTime) -> {
            WaitOverBudgetEvent e = new WaitOverBudgetEvent();
            e.threadName = threadName;
            e.context = context;
            e.subject = subject;
            e.waitNanos = waitNanos;
            e.budgetNanos = thresholdNanos;
            e.waitStartEpochNanos = startNanoTime + epochOffsetNanos;
            e.commit();
        });
    }

    /**
     * Hands every logged wait not drained yet to {@code sink}, oldest first, then frees their
     * slots. One harness thread (NON_RT); allocates only what the sink does.
     *
     * @param sink receives the waits
     * @return number of waits drained in this call
     */
    public int drain(Sink sink) {
        long h = (long) HEAD.getAcquire(this);
        long t = tail; // plain read: only this thread writes tail
        int n = 0;
        for (; t < h; t++, n++) {
            int i = (int) t & mask;
            sink.accept(wait[i], start[i]);
        }
        TAIL.setRelease(this, t); // the slots are read BEFORE the owner may reuse them
        return n;
    }

    /** @return total waits over the threshold so far: logged (drained or not) and lost. */
    public long count() {
        return (long) HEAD.getAcquire(this) + (long) LOST.getAcquire(this);
    }

    /** @return waits over the threshold that found the ring full: counted, never turned into events. */
    public long lost() {
        return (long) LOST.getAcquire(this);
    }
}
