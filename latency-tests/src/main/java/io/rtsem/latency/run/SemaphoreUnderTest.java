package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ThreadSpec;

/**
 * The semaphore a run measures: rtsem ({@link RtsemUnderTest}) or its peer,
 * {@code java.util.concurrent.Semaphore} ({@link JucPeerUnderTest}), set up from the same
 * scenario so that the same threads on the same CPUs run the same loop against each, waiting
 * the same way ({@link #waitStyle}).
 */
public interface SemaphoreUnderTest extends AutoCloseable {
    /** @return {@code "rtsem"} or {@code "peer"}: the subject's name in files and reports. */
    String name();

    /** @return one line saying what exactly is measured (class, options). */
    String describe();

    /**
     * How a thread of {@code context} waits on this subject, in a few words (for the reports). NON_RT; allocates.
     *
     * @param context the waiting thread's context
     * @return the wait loop and what it calls
     */
    String waitStyle(RtContext context);

    /**
     * The gate a scenario thread uses. Called on a harness thread before the scenario threads
     * start (NON_RT); may allocate.
     *
     * @param thread the scenario thread
     * @return its gate
     */
    PermitGate gateFor(ThreadSpec thread);

    /**
     * Releases permits so that threads still blocked in {@code acquire} after the run's end can
     * leave. Harness thread (NON_RT), only after the measured phase; ignores a full semaphore.
     *
     * @param permits how many permits to release at most
     */
    void unblock(int permits);

    /**
     * The subject's own count of priority boosts so far: rtsem's {@code RtSemaphore.priorityBoosts()} and
     * {@code priorityBoostsRefused()}. Harness thread (NON_RT); allocates the array.
     *
     * @return {boosts, refused}, or null for a subject without priority inheritance (the j.u.c. peer)
     */
    default long[] priorityBoostCounts() {
        return null;
    }

    /** Releases what the subject started (threads of a bridge). NON_RT; may block briefly. */
    @Override
    void close();
}
