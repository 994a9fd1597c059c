package io.rtsem.latency.run;

/**
 * How one scenario thread takes and gives permits on the semaphore under test: directly on an
 * {@code RtSemaphore}, through the rt-bridge, or on the {@code java.util.concurrent.Semaphore}
 * peer. The cost, the blocking and the allocation are those of the implementation's semaphore;
 * {@link SemaphoreUnderTest} says which.
 */
public interface PermitGate {
    /**
     * Takes {@code permits}, waiting the way the calling thread's context waits.
     *
     * @param permits how many
     * @throws InterruptedException when the harness stops the run
     */
    void acquire(int permits) throws InterruptedException;

    /**
     * Gives back {@code permits}.
     *
     * @param permits how many
     */
    void release(int permits);
}
