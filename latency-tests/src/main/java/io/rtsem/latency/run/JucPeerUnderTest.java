package io.rtsem.latency.run;

import io.rtsem.latency.config.SemaphoreSpec;
import io.rtsem.latency.config.ThreadSpec;
import java.util.concurrent.Semaphore;

/**
 * The peer: {@code java.util.concurrent.Semaphore} (non-fair) with the scenario's initial
 * permits, used by the same threads, on the same CPUs, in the same loops as rtsem. It knows no
 * contexts: every waiter spins briefly in AQS and then parks, whatever its context. It has no
 * maximum, so {@code max-permits} and {@code binary} are not enforced on the peer.
 */
public final class JucPeerUnderTest implements SemaphoreUnderTest {
    private final Semaphore semaphore;
    private final String description;

    /**
     * Creates the semaphore. NON_RT; allocates.
     *
     * @param spec the scenario's semaphore options (only the initial permits apply)
     */
    public JucPeerUnderTest(SemaphoreSpec spec) {
        this.semaphore = new Semaphore(spec.permits(), false);
        this.description = "java.util.concurrent.Semaphore(permits=" + spec.permits() + ", fair=false)";
    }

    @Override
    public String name() {
        return "peer";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public PermitGate gateFor(ThreadSpec thread) {
        return new Gate(semaphore);
    }

    @Override
    public void unblock(int permits) {
        semaphore.release(permits);
    }

    /** Nothing to release. */
    @Override
    public void close() {
    }

    /** Direct calls; AQS allocates a wait node when a thread has to queue. */
    static final class Gate implements PermitGate {
        private final Semaphore semaphore;

        Gate(Semaphore semaphore) {
            this.semaphore = semaphore;
        }

        @Override
        public void acquire(int permits) throws InterruptedException {
            semaphore.acquire(permits);
        }

        @Override
        public void release(int permits) {
            semaphore.release(permits);
        }
    }
}
